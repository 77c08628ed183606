/*
 * journal/policy.c - the policy file (fleetmod-policy(5)), read with inih.
 *
 *   [journal]            url, host_id, retention_days, store_detail
 *   [command NAME]       reason, requesters, deadline, duplicate,
 *                        duplicate_window; NAME "*" holds the defaults
 *   [provider NAME]      rate, quota, breaker; NAME is a stack section
 *
 * Like stack_config.c, the file goes to inih through a reader that counts
 * lines, so every error (an unknown section or key, a bad value, a
 * repeated key or section) reads "FILE:LINE: what".
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "journal.h"

#ifndef FLEETMOD_SYSCONFDIR
#define FLEETMOD_SYSCONFDIR "/usr/local/etc"
#endif

enum section { S_NONE, S_JOURNAL, S_COMMAND, S_PROVIDER };

struct parse {
    const char *path;
    FILE *f;
    int line;
    bool at_line_start;
    struct fm_policy *p;
    enum section sec;
    bool seen_journal;
    unsigned seen; /* bit per key of the current section */
    fleetmod_rc rc;
    char *err;
    size_t errlen;
};

FLEETMOD_API const char *fleetmod_default_policy_path(void)
{
    return FLEETMOD_SYSCONFDIR "/fleetmod/policy.conf";
}

/* The first error only: inih goes on after one. Returns 0 for inih. */
static int fail(struct parse *ps, fleetmod_rc rc, const char *what)
{
    if (ps->rc == FLEETMOD_OK) {
        ps->rc = rc;
        fm_err(ps->err, ps->errlen, "%s:%d: %s", ps->path, ps->line, what);
    }
    return 0;
}

static int failf(struct parse *ps, const char *fmt, const char *a,
                 const char *b)
{
    char what[FLEETMOD_ERR_MAX];
    snprintf(what, sizeof what, fmt, a, b);
    return fail(ps, FLEETMOD_ECONFIG, what);
}

static bool grow(void **arr, size_t n, size_t size)
{
    void *g = realloc(*arr, (n + 1) * size);
    if (g)
        *arr = g;
    return !!g;
}

static void new_command(struct parse *ps, const char *name)
{
    struct fm_policy *p = ps->p;
    for (size_t i = 0; i < p->n_cmds; i++) {
        if (strcmp(p->cmds[i].name, name) == 0) {
            failf(ps, "duplicate section [command %.64s]%s", name, "");
            return;
        }
    }
    char *copy = strdup(name);
    if (!copy || !grow((void **)&p->cmds, p->n_cmds, sizeof *p->cmds)) {
        free(copy);
        fail(ps, FLEETMOD_ENOMEM, "out of memory");
        return;
    }
    p->cmds[p->n_cmds++] = (struct fm_cmd_policy){.name = copy,
                                                  .line = ps->line,
                                                  .reason_required = -1,
                                                  .deadline = -1,
                                                  .dup = -1,
                                                  .dup_window = -1};
    ps->sec = S_COMMAND;
}

static void new_provider(struct parse *ps, const char *name)
{
    struct fm_policy *p = ps->p;
    if (fm_policy_provider(p, name)) {
        failf(ps, "duplicate section [provider %.64s]%s", name, "");
        return;
    }
    char *copy = strdup(name);
    if (!copy || !grow((void **)&p->provs, p->n_provs, sizeof *p->provs)) {
        free(copy);
        fail(ps, FLEETMOD_ENOMEM, "out of memory");
        return;
    }
    p->provs[p->n_provs++] =
        (struct fm_prov_policy){.name = copy, .line = ps->line, .quota = -1};
    ps->sec = S_PROVIDER;
}

/* A section header "[...]": its kind and name. */
static void new_section(struct parse *ps, const char *head, size_t n)
{
    char name[256];
    ps->seen = 0;
    ps->sec = S_NONE;
    if (n >= sizeof name) {
        fail(ps, FLEETMOD_ECONFIG, "section name too long");
        return;
    }
    memcpy(name, head, n);
    name[n] = '\0';
    const char *arg = strchr(name, ' ');
    if (strcmp(name, "journal") == 0) {
        if (ps->seen_journal)
            failf(ps, "duplicate section [journal]%s%s", "", "");
        ps->seen_journal = true;
        ps->sec = S_JOURNAL;
    } else if (arg && arg[1] && !strchr(arg + 1, ' ') &&
               strncmp(name, "command ", 8) == 0) {
        new_command(ps, arg + 1);
    } else if (arg && arg[1] && !strchr(arg + 1, ' ') &&
               strncmp(name, "provider ", 9) == 0) {
        new_provider(ps, arg + 1);
    } else {
        failf(ps,
              "unknown section [%.64s] (expected [journal], [command NAME] "
              "or [provider NAME])%s",
              name, "");
    }
}

/* inih's reader: fgets, plus line counting and section headers. */
static char *reader(char *str, int num, void *stream)
{
    struct parse *ps = stream;
    if (!fgets(str, num, ps->f))
        return NULL;
    if (ps->at_line_start)
        ps->line++;
    bool starts_line = ps->at_line_start;
    ps->at_line_start = !!strchr(str, '\n');
    const char *s = str;
    if (ps->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
        s += 3;
    s += strspn(s, " \t\r");
    const char *end = *s == '[' ? strchr(s, ']') : NULL;
    if (starts_line && end && ps->rc == FLEETMOD_OK)
        new_section(ps, s + 1, (size_t)(end - s - 1));
    return str;
}

/* A whole decimal number in [lo, hi]. */
static bool number(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end || n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

static int word(struct parse *ps, const char *key, const char *v,
                const char *const *words, int *out)
{
    for (int i = 0; words[i]; i++) {
        if (strcmp(v, words[i]) == 0) {
            *out = i;
            return 1;
        }
    }
    return failf(ps, "%s = %.64s: not one of the allowed words", key, v);
}

static int seconds(struct parse *ps, const char *key, const char *v,
                   int64_t *out)
{
    if (!number(v, 1, INT_MAX, out))
        return failf(ps, "%s = %.64s: expected whole seconds, 1 or more", key,
                     v);
    return 1;
}

static int journal_key(struct parse *ps, const char *k, const char *v)
{
    static const char *const bools[] = {"false", "true", NULL};
    struct fm_policy *p = ps->p;
    int b = 0;
    if (strcmp(k, "url") == 0) {
        if (strncmp(v, "sqlite:", 7) != 0 &&
            strncmp(v, "postgresql://", 13) != 0 &&
            strncmp(v, "postgres://", 11) != 0)
            return failf(ps,
                         "url: expected sqlite:PATH or postgresql://...%s%s",
                         "", "");
        return (p->url = strdup(v)) ? 1 : fail(ps, FLEETMOD_ENOMEM, "oom");
    }
    if (strcmp(k, "host_id") == 0) {
        if (!*v || strlen(v) > 127)
            return failf(ps, "host_id: 1 to 127 characters%s%s", "", "");
        return (p->host_id = strdup(v)) ? 1 : fail(ps, FLEETMOD_ENOMEM, "oom");
    }
    if (strcmp(k, "retention_days") == 0) {
        if (!number(v, 0, 100000, &p->retention_days))
            return failf(ps,
                         "retention_days = %.64s: expected days, 0 "
                         "(keep forever) or more%s",
                         v, "");
        return 1;
    }
    if (strcmp(k, "store_detail") == 0) {
        int ok = word(ps, k, v, bools, &b);
        p->store_detail = b;
        return ok;
    }
    return failf(ps, "[journal]: unknown key %.64s%s", k, "");
}

static int set_requesters(struct parse *ps, struct fm_cmd_policy *c,
                          const char *v)
{
    char *list = strdup(v), *save = NULL;
    if (!list)
        return fail(ps, FLEETMOD_ENOMEM, "out of memory");
    c->has_requesters = true;
    for (char *g = strtok_r(list, ", \t", &save); g;
         g = strtok_r(NULL, ", \t", &save)) {
        char *copy = strdup(g);
        if (!copy || !grow((void **)&c->requesters, c->n_requesters,
                           sizeof *c->requesters)) {
            free(copy);
            free(list);
            return fail(ps, FLEETMOD_ENOMEM, "out of memory");
        }
        c->requesters[c->n_requesters++] = copy;
    }
    free(list);
    if (!c->n_requesters)
        return failf(ps, "requesters is empty%s%s", "", "");
    return 1;
}

static int command_key(struct parse *ps, const char *k, const char *v)
{
    static const char *const reasons[] = {"optional", "required", NULL};
    static const char *const dups[] = {"allow", "reject", "coalesce", NULL};
    struct fm_cmd_policy *c = &ps->p->cmds[ps->p->n_cmds - 1];
    if (strcmp(k, "reason") == 0)
        return word(ps, k, v, reasons, &c->reason_required);
    if (strcmp(k, "requesters") == 0)
        return set_requesters(ps, c, v);
    if (strcmp(k, "deadline") == 0)
        return seconds(ps, k, v, &c->deadline);
    if (strcmp(k, "duplicate") == 0)
        return word(ps, k, v, dups, &c->dup);
    if (strcmp(k, "duplicate_window") == 0)
        return seconds(ps, k, v, &c->dup_window);
    return failf(ps, "[command %.64s]: unknown key %.64s", c->name, k);
}

/* "N/UNIT" with UNIT among units (seconds per unit in secs). */
static bool per(const char *v, const char *const *units, const int64_t *secs,
                int64_t *n, int64_t *unit_s)
{
    const char *slash = strchr(v, '/');
    char num[32];
    if (!slash || (size_t)(slash - v) >= sizeof num)
        return false;
    memcpy(num, v, (size_t)(slash - v));
    num[slash - v] = '\0';
    if (!number(num, 1, INT_MAX, n))
        return false;
    for (int i = 0; units[i]; i++) {
        if (strcmp(slash + 1, units[i]) == 0) {
            *unit_s = secs[i];
            return true;
        }
    }
    return false;
}

static int provider_key(struct parse *ps, const char *k, const char *v)
{
    static const char *const rate_units[] = {"s", "min", "h", NULL};
    static const int64_t rate_secs[] = {1, 60, 3600};
    static const char *const day[] = {"day", NULL};
    static const int64_t day_secs[] = {86400};
    struct fm_prov_policy *p = &ps->p->provs[ps->p->n_provs - 1];
    int64_t n = 0, u = 0;
    if (strcmp(k, "rate") == 0) {
        if (!per(v, rate_units, rate_secs, &n, &u))
            return failf(ps, "rate = %.64s: expected N/s, N/min or N/h%s", v,
                         "");
        p->rate = (double)n / (double)u;
        p->burst = (double)n;
        return 1;
    }
    if (strcmp(k, "quota") == 0) {
        if (!per(v, day, day_secs, &p->quota, &u))
            return failf(ps, "quota = %.64s: expected N/day%s", v, "");
        return 1;
    }
    if (strcmp(k, "breaker") == 0) {
        /* "5/30": 5 failures in a row open it for 30 seconds. */
        const char *slash = strchr(v, '/');
        char num[32];
        if (slash && (size_t)(slash - v) < sizeof num) {
            memcpy(num, v, (size_t)(slash - v));
            num[slash - v] = '\0';
        }
        if (!slash || (size_t)(slash - v) >= sizeof num ||
            !number(num, 1, 1000, &n) || !number(slash + 1, 1, 86400, &u))
            return failf(ps, "breaker = %.64s: expected FAILURES/SECONDS%s", v,
                         "");
        p->breaker_n = (int)n;
        p->breaker_s = u;
        return 1;
    }
    return failf(ps, "[provider %.64s]: unknown key %.64s", p->name, k);
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    struct parse *ps = user;
    static const char *const keys[] = {
        "url",          "host_id",   "retention_days",
        "store_detail", "reason",    "requesters",
        "deadline",     "duplicate", "duplicate_window",
        "rate",         "quota",     "breaker"};
    (void)section; /* the reader has set ps->sec already */
    if (ps->rc != FLEETMOD_OK)
        return 1;
    if (ps->sec == S_NONE)
        return failf(ps, "key %.64s outside a section%s", name, "");
    for (unsigned i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (strcmp(keys[i], name) == 0) {
            if (ps->seen & 1u << i)
                return failf(ps, "duplicate key %.64s%s", name, "");
            ps->seen |= 1u << i;
        }
    }
    switch (ps->sec) {
    case S_JOURNAL:
        return journal_key(ps, name, value);
    case S_COMMAND:
        return command_key(ps, name, value);
    default:
        return provider_key(ps, name, value);
    }
}

static fleetmod_rc finish(struct parse *ps)
{
    struct fm_policy *p = ps->p;
    if (!p->url) {
        /* No line holds the mistake: name the end of the file. */
        fm_err(ps->err, ps->errlen, "%s:%d: %s", ps->path, ps->line,
               ps->seen_journal ? "[journal]: missing key url"
                                : "missing section [journal] (its url)");
        return FLEETMOD_ECONFIG;
    }
    if (!p->host_id) {
        char host[256] = "";
        if (gethostname(host, sizeof host - 1) || !*host)
            snprintf(host, sizeof host, "localhost");
        if (!(p->host_id = strdup(host)))
            return FLEETMOD_ENOMEM;
    }
    return FLEETMOD_OK;
}

fleetmod_rc fm_policy_parse(const char *path, struct fm_policy *p, char *err,
                            size_t errlen)
{
    *p = (struct fm_policy){.retention_days = 0};
    if (!path)
        path = fleetmod_default_policy_path();
    struct parse ps = {.path = path,
                       .at_line_start = true,
                       .p = p,
                       .err = err,
                       .errlen = errlen};
    if (!(p->path = strdup(path)))
        return FLEETMOD_ENOMEM;
    if (!(ps.f = fopen(path, "r"))) {
        fm_err(err, errlen, "policy file %s: %m", path);
        return FLEETMOD_ECONFIG;
    }
    int bad = ini_parse_stream(reader, &ps, handler, &ps);
    fclose(ps.f);
    if (bad > 0 && ps.rc == FLEETMOD_OK) {
        ps.line = bad;
        fail(&ps, FLEETMOD_ECONFIG,
             "syntax error (expected [section] or key = value)");
    } else if (bad < 0 && ps.rc == FLEETMOD_OK) {
        fail(&ps, FLEETMOD_ENOMEM, "out of memory");
    }
    return ps.rc != FLEETMOD_OK ? ps.rc : finish(&ps);
}

void fm_policy_free(struct fm_policy *p)
{
    for (size_t i = 0; i < p->n_cmds; i++) {
        for (size_t k = 0; k < p->cmds[i].n_requesters; k++)
            free(p->cmds[i].requesters[k]);
        free(p->cmds[i].requesters);
        free(p->cmds[i].name);
    }
    for (size_t i = 0; i < p->n_provs; i++)
        free(p->provs[i].name);
    free(p->cmds);
    free(p->provs);
    free(p->path);
    free(p->url);
    free(p->host_id);
    *p = (struct fm_policy){0};
}

static const struct fm_cmd_policy *command(const struct fm_policy *p,
                                           const char *name)
{
    for (size_t i = 0; i < p->n_cmds; i++) {
        if (strcmp(p->cmds[i].name, name) == 0)
            return &p->cmds[i];
    }
    return NULL;
}

void fm_policy_rules(const struct fm_policy *p, const char *cmd,
                     struct fm_rules *out)
{
    const struct fm_cmd_policy *c = cmd ? command(p, cmd) : NULL;
    const struct fm_cmd_policy *d = command(p, "*");
    const struct fm_cmd_policy *layers[2] = {c, d};
    *out = (struct fm_rules){.dup = FM_JDUP_ALLOW, .dup_window = 120};
    /* The most specific layer that sets a key wins. */
    for (int i = 1; i >= 0; i--) {
        const struct fm_cmd_policy *l = layers[i];
        if (!l)
            continue;
        if (l->reason_required >= 0)
            out->reason_required = l->reason_required;
        if (l->has_requesters)
            out->who = l;
        if (l->deadline >= 0)
            out->deadline = l->deadline;
        if (l->dup >= 0)
            out->dup = (enum fm_jdup)l->dup;
        if (l->dup_window >= 0)
            out->dup_window = l->dup_window;
    }
}

const struct fm_prov_policy *fm_policy_provider(const struct fm_policy *p,
                                                const char *name)
{
    for (size_t i = 0; name && i < p->n_provs; i++) {
        if (strcmp(p->provs[i].name, name) == 0)
            return &p->provs[i];
    }
    return NULL;
}
