/*
 * stack_config.c - the stack file (fleetmod-stack(5)) and its drop-in
 * files, read with inih.
 *
 *   [section]            one provider; the name is unique in the file and
 *                        becomes the "provider" of the replies it answers
 *   module = NAME|PATH   required; a bare name is searched like
 *                        fleetmod_open searches it
 *   config = PATH        the module's config file (default: the module's)
 *   control = required|sufficient
 *                        default required: stop at this provider whatever
 *                        it answers; sufficient: fall through on EDENIED
 *   vins = GLOB[, GLOB]  fnmatch(3) patterns, case-insensitive, separated
 *                        by commas or blanks; absent: every VIN
 *   optional = false|true
 *                        true: a provider that fails to load or init is
 *                        kept as "failed" instead of failing the stack
 *   enabled = true|false false: the section is checked, then left out
 *
 * After the stack file FILE come its drop-in files, more sections of the
 * same stack: every regular FILE.d/NAME.conf (FILE without its ".conf":
 * stack.conf reads stack.d/), in strcmp order of NAME, so that a provider
 * package can install its section beside the administrator's file, as
 * p11-kit's module files and PAM's pam-configs do. A missing directory is
 * no drop-in. Section names are unique across all of them.
 *
 * inih reports neither a section without keys nor a section header seen
 * twice, and its handler is not told the line number. So the file is fed
 * to inih through a reader that counts lines and notes each section
 * header as it passes; inih still does all of the parsing of values.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "stack.h"

struct parse {
    const char *path; /* the file being read */
    FILE *f;
    int line;
    bool at_line_start;
    struct fleetmod_stack *s;
    struct fm_provider *cur;
    unsigned seen; /* bit per key of the current section, for duplicates */
    fleetmod_rc rc;
    char *err;
    size_t errlen;
};

/* Record the first error only: inih goes on parsing after one. */
static int fail(struct parse *ps, fleetmod_rc rc, const char *fmt,
                const char *arg)
{
    if (ps->rc == FLEETMOD_OK) {
        char what[FLEETMOD_ERR_MAX];
        snprintf(what, sizeof what, fmt, arg);
        ps->rc = rc;
        if (ps->cur)
            fm_err(ps->err, ps->errlen, "%s:%d: [%s] %s", ps->path, ps->line,
                   ps->cur->section, what);
        else
            fm_err(ps->err, ps->errlen, "%s:%d: %s", ps->path, ps->line, what);
    }
    return 0;
}

static void new_section(struct parse *ps, const char *name, size_t n)
{
    struct fleetmod_stack *s = ps->s;
    char *copy = strndup(name, n);
    struct fm_provider *grown = realloc(s->p, (s->n + 1) * sizeof *grown);
    if (!copy || !grown) {
        free(copy);
        if (grown)
            s->p = grown;
        fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
        return;
    }
    s->p = grown;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->p[i].section, copy) == 0) {
            char what[FLEETMOD_ERR_MAX];
            if (strcmp(s->p[i].file, ps->path) == 0)
                snprintf(what, sizeof what,
                         "duplicate section [%.64s], first at line %d", copy,
                         s->p[i].line);
            else
                snprintf(what, sizeof what,
                         "duplicate section [%.64s], first at %.200s:%d", copy,
                         s->p[i].file, s->p[i].line);
            ps->cur = NULL;
            fail(ps, FLEETMOD_ECONFIG, "%s", what);
            free(copy);
            return;
        }
    }
    char *file = strdup(ps->path);
    if (!file) {
        free(copy);
        fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
        return;
    }
    ps->cur = &s->p[s->n++];
    *ps->cur = (struct fm_provider){
        .section = copy, .file = file, .line = ps->line, .enabled = true};
    ps->seen = 0;
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
    ps->at_line_start = strchr(str, '\n');
    const char *p = str;
    if (ps->line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    p += strspn(p, " \t\r");
    const char *end = *p == '[' ? strchr(p, ']') : NULL;
    if (starts_line && end && ps->rc == FLEETMOD_OK)
        new_section(ps, p + 1, (size_t)(end - p - 1));
    return str;
}

static int set_string(struct parse *ps, char **field, const char *value)
{
    *field = strdup(value);
    return *field ? 1 : fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
}

static int set_globs(struct parse *ps, const char *value)
{
    const char *sep = ", \t";
    char *list = strdup(value), *save = NULL;
    if (!list)
        return fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
    int ok = 1;
    for (char *g = strtok_r(list, sep, &save); g && ok;
         g = strtok_r(NULL, sep, &save)) {
        struct fm_provider *p = ps->cur;
        char **grown = realloc(p->globs, (p->n_globs + 1) * sizeof *grown);
        ok = !!grown;
        if (ok) {
            p->globs = grown;
            ok = !!(p->globs[p->n_globs] = strdup(g));
            p->n_globs += ok;
        }
    }
    free(list);
    if (!ok)
        return fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
    if (ps->cur->n_globs == 0)
        return fail(ps, FLEETMOD_ECONFIG, "%s", "vins is empty");
    return 1;
}

static int set_word(struct parse *ps, const char *key, const char *value,
                    const char *no, const char *yes, int *out)
{
    if (strcmp(value, no) == 0 || strcmp(value, yes) == 0) {
        *out = strcmp(value, yes) == 0;
        return 1;
    }
    char what[FLEETMOD_ERR_MAX];
    snprintf(what, sizeof what, "%s = %.64s: expected %s or %s", key, value, no,
             yes);
    return fail(ps, FLEETMOD_ECONFIG, "%s", what);
}

enum key {
    K_MODULE,
    K_CONFIG,
    K_CONTROL,
    K_VINS,
    K_OPTIONAL,
    K_ENABLED,
    K_COUNT
};

static const char *const keys[K_COUNT] = {
    [K_MODULE] = "module", [K_CONFIG] = "config",     [K_CONTROL] = "control",
    [K_VINS] = "vins",     [K_OPTIONAL] = "optional", [K_ENABLED] = "enabled"};

/* The key called name; K_COUNT when there is none. */
static enum key key_of(const char *name)
{
    enum key k = 0;
    while (k < K_COUNT && strcmp(keys[k], name) != 0)
        k++;
    return k;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    struct parse *ps = user;
    (void)section; /* the reader has already made ps->cur that section */
    if (ps->rc != FLEETMOD_OK)
        return 1;
    if (!ps->cur)
        return fail(ps, FLEETMOD_ECONFIG, "key %.64s outside a section", name);
    enum key k = key_of(name);
    if (k == K_COUNT)
        return fail(ps, FLEETMOD_ECONFIG, "unknown key %.64s", name);
    if (ps->seen & 1u << k)
        return fail(ps, FLEETMOD_ECONFIG, "duplicate key %.64s", name);
    ps->seen |= 1u << k;
    struct fm_provider *p = ps->cur;
    int flag = 0, ok = 1;
    switch (k) {
    case K_MODULE:
        if (*value == '\0')
            return fail(ps, FLEETMOD_ECONFIG, "%s", "module is empty");
        return set_string(ps, &p->module, value);
    case K_CONFIG:
        return *value == '\0' ? 1 : set_string(ps, &p->config, value);
    case K_CONTROL:
        ok = set_word(ps, name, value, "required", "sufficient", &flag);
        p->control = flag ? FM_SUFFICIENT : FM_REQUIRED;
        break;
    case K_VINS:
        return set_globs(ps, value);
    case K_OPTIONAL:
        ok = set_word(ps, name, value, "false", "true", &flag);
        p->optional = flag;
        break;
    case K_ENABLED:
        ok = set_word(ps, name, value, "false", "true", &flag);
        p->enabled = flag;
        break;
    case K_COUNT:
        break;
    }
    return ok;
}

/* After the files: every section names its module. */
static void check_sections(struct parse *ps)
{
    for (size_t i = 0; i < ps->s->n && ps->rc == FLEETMOD_OK; i++) {
        ps->cur = &ps->s->p[i];
        ps->path = ps->cur->file;
        ps->line = ps->cur->line;
        if (!ps->cur->module)
            fail(ps, FLEETMOD_ECONFIG, "%s", "missing key module");
    }
}

/* Read one file's sections into ps->s. */
static void parse_file(struct parse *ps, const char *path)
{
    ps->path = path;
    ps->line = 0;
    ps->at_line_start = true;
    ps->cur = NULL;
    ps->f = fopen(path, "r");
    if (!ps->f) {
        fm_err(ps->err, ps->errlen, "stack file %s: %m", path);
        ps->rc = FLEETMOD_ECONFIG;
        return;
    }
    int bad = ini_parse_stream(reader, ps, handler, ps);
    fclose(ps->f);
    if (bad > 0 && ps->rc == FLEETMOD_OK) {
        ps->cur = NULL;
        ps->line = bad;
        fail(ps, FLEETMOD_ECONFIG, "%s",
             "syntax error (expected [section] or key = value)");
    } else if (bad < 0 && ps->rc == FLEETMOD_OK) {
        fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
    }
}

void fm_stack_dropin_dir(const char *path, char *dir, size_t size)
{
    size_t n = strlen(path);
    if (n > 5 && strcmp(path + n - 5, ".conf") == 0)
        n -= 5;
    snprintf(dir, size, "%.*s.d", (int)n, path);
}

static int dropin_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 5 &&
           strcmp(e->d_name + n - 5, ".conf") == 0;
}

/* strcmp order: the same in every locale. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* The drop-in files of the stack file at path, in order. */
static void parse_dropins(struct parse *ps, const char *path)
{
    char dir[PATH_MAX], file[PATH_MAX];
    struct dirent **list = NULL;
    fm_stack_dropin_dir(path, dir, sizeof dir);
    int n = scandir(dir, &list, dropin_name, by_name);
    if (n < 0 && errno != ENOENT && errno != ENOTDIR) {
        fm_err(ps->err, ps->errlen, "stack drop-in directory %s: %m", dir);
        ps->rc = errno == ENOMEM ? FLEETMOD_ENOMEM : FLEETMOD_ECONFIG;
    }
    for (int i = 0; i < n; i++) {
        struct stat st;
        int len = snprintf(file, sizeof file, "%s/%s", dir, list[i]->d_name);
        if (ps->rc == FLEETMOD_OK && len > 0 && (size_t)len < sizeof file &&
            stat(file, &st) == 0 && S_ISREG(st.st_mode))
            parse_file(ps, file);
        free(list[i]);
    }
    free(list);
}

/* Leave the disabled sections out, keeping the order of the others. */
static void drop_disabled(struct fleetmod_stack *s)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->p[i].enabled)
            s->p[kept++] = s->p[i];
        else
            fm_provider_free(&s->p[i]);
    }
    s->n = kept;
}

/* A stack with no enabled section: the first thing an operator meets
 * after installing, so the message says what to do. */
static void no_provider(struct parse *ps, const char *path)
{
    char dir[PATH_MAX];
    const struct fm_provider *off = NULL;
    for (size_t i = 0; i < ps->s->n && !off; i++)
        off = ps->s->p[i].enabled ? NULL : &ps->s->p[i];
    fm_stack_dropin_dir(path, dir, sizeof dir);
    ps->rc = FLEETMOD_ECONFIG;
    if (off)
        fm_err(ps->err, ps->errlen,
               "%s: no provider section enabled: [%s] in %s:%d says enabled "
               "= false; set it to true there, add a section to %s, or use "
               "the module directly (fleetcmd -m %s)",
               path, off->section, off->file, off->line, path, off->module);
    else
        fm_err(ps->err, ps->errlen,
               "%s: no provider section in it or in %s/*.conf: add one "
               "(see fleetmod-stack(5)), or use a module directly "
               "(fleetcmd -m NAME)",
               path, dir);
}

fleetmod_rc fm_stack_parse(const char *path, struct fleetmod_stack *s,
                           char *err, size_t errlen)
{
    struct parse ps = {.s = s, .err = err, .errlen = errlen};
    parse_file(&ps, path);
    if (ps.rc == FLEETMOD_OK)
        parse_dropins(&ps, path);
    if (ps.rc == FLEETMOD_OK)
        check_sections(&ps);
    bool any = false;
    for (size_t i = 0; i < s->n; i++)
        any = any || s->p[i].enabled;
    if (ps.rc == FLEETMOD_OK && !any)
        no_provider(&ps, path);
    if (ps.rc == FLEETMOD_OK)
        drop_disabled(s);
    return ps.rc;
}
