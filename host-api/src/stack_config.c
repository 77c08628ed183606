/*
 * stack_config.c - the stack file (fleetmod-stack(5)), read with inih.
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
 *
 * inih reports neither a section without keys nor a section header seen
 * twice, and its handler is not told the line number. So the file is fed
 * to inih through a reader that counts lines and notes each section
 * header as it passes; inih still does all of the parsing of values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "stack.h"

struct parse {
    const char *path;
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
        snprintf(what, sizeof(what), fmt, arg);
        ps->rc = rc;
        if (ps->cur != NULL)
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
    struct fm_provider *grown = realloc(s->p, (s->n + 1) * sizeof(*grown));
    if (copy == NULL || grown == NULL) {
        free(copy);
        if (grown != NULL)
            s->p = grown;
        fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
        return;
    }
    s->p = grown;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->p[i].section, copy) == 0) {
            char what[FLEETMOD_ERR_MAX];
            snprintf(what, sizeof(what),
                     "duplicate section [%.64s], first at line %d", copy,
                     s->p[i].line);
            ps->cur = NULL;
            fail(ps, FLEETMOD_ECONFIG, "%s", what);
            free(copy);
            return;
        }
    }
    ps->cur = &s->p[s->n++];
    *ps->cur = (struct fm_provider){.section = copy, .line = ps->line};
    ps->seen = 0;
}

/* inih's reader: fgets, plus line counting and section headers. */
static char *reader(char *str, int num, void *stream)
{
    struct parse *ps = stream;
    if (fgets(str, num, ps->f) == NULL)
        return NULL;
    if (ps->at_line_start)
        ps->line++;
    bool starts_line = ps->at_line_start;
    ps->at_line_start = strchr(str, '\n') != NULL;
    const char *p = str;
    if (ps->line == 1 && strncmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    p += strspn(p, " \t\r");
    const char *end = *p == '[' ? strchr(p, ']') : NULL;
    if (starts_line && end != NULL && ps->rc == FLEETMOD_OK)
        new_section(ps, p + 1, (size_t)(end - p - 1));
    return str;
}

static int set_string(struct parse *ps, char **field, const char *value)
{
    *field = strdup(value);
    return *field != NULL ? 1
                          : fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
}

static int set_globs(struct parse *ps, const char *value)
{
    const char *sep = ", \t";
    char *list = strdup(value), *save = NULL;
    if (list == NULL)
        return fail(ps, FLEETMOD_ENOMEM, "%s", "out of memory");
    int ok = 1;
    for (char *g = strtok_r(list, sep, &save); g != NULL && ok;
         g = strtok_r(NULL, sep, &save)) {
        struct fm_provider *p = ps->cur;
        char **grown = realloc(p->globs, (p->n_globs + 1) * sizeof(*grown));
        ok = grown != NULL;
        if (ok) {
            p->globs = grown;
            ok = (p->globs[p->n_globs] = strdup(g)) != NULL;
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
    snprintf(what, sizeof(what), "%s = %.64s: expected %s or %s", key, value,
             no, yes);
    return fail(ps, FLEETMOD_ECONFIG, "%s", what);
}

static const char *const keys[] = {"module", "config", "control", "vins",
                                   "optional"};

static int key_index(const char *name)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i], name) == 0)
            return (int)i;
    }
    return -1;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    struct parse *ps = user;
    (void)section; /* the reader has already made ps->cur that section */
    if (ps->rc != FLEETMOD_OK)
        return 1;
    if (ps->cur == NULL)
        return fail(ps, FLEETMOD_ECONFIG, "key %.64s outside a section", name);
    int k = key_index(name);
    if (k < 0)
        return fail(ps, FLEETMOD_ECONFIG, "unknown key %.64s", name);
    if (ps->seen & 1u << k)
        return fail(ps, FLEETMOD_ECONFIG, "duplicate key %.64s", name);
    ps->seen |= 1u << k;
    struct fm_provider *p = ps->cur;
    int flag = 0, ok;
    switch (k) {
    case 0:
        if (*value == '\0')
            return fail(ps, FLEETMOD_ECONFIG, "%s", "module is empty");
        return set_string(ps, &p->module, value);
    case 1:
        return *value == '\0' ? 1 : set_string(ps, &p->config, value);
    case 2:
        ok = set_word(ps, name, value, "required", "sufficient", &flag);
        p->control = flag ? FM_SUFFICIENT : FM_REQUIRED;
        return ok;
    case 3:
        return set_globs(ps, value);
    default:
        ok = set_word(ps, name, value, "false", "true", &flag);
        p->optional = flag;
        return ok;
    }
}

/* After the file: every section names its module, and there is one. */
static void check_sections(struct parse *ps)
{
    for (size_t i = 0; i < ps->s->n && ps->rc == FLEETMOD_OK; i++) {
        ps->cur = &ps->s->p[i];
        ps->line = ps->cur->line;
        if (ps->cur->module == NULL)
            fail(ps, FLEETMOD_ECONFIG, "%s", "missing key module");
    }
    if (ps->s->n == 0 && ps->rc == FLEETMOD_OK) {
        ps->cur = NULL;
        fail(ps, FLEETMOD_ECONFIG, "%s", "no provider section");
    }
}

fleetmod_rc fm_stack_parse(const char *path, struct fleetmod_stack *s,
                           char *err, size_t errlen)
{
    struct parse ps = {.path = path,
                       .at_line_start = true,
                       .s = s,
                       .err = err,
                       .errlen = errlen};
    ps.f = fopen(path, "r");
    if (ps.f == NULL) {
        fm_err(err, errlen, "stack file %s: %m", path);
        return FLEETMOD_ECONFIG;
    }
    int bad = ini_parse_stream(reader, &ps, handler, &ps);
    fclose(ps.f);
    if (bad > 0 && ps.rc == FLEETMOD_OK) {
        ps.cur = NULL;
        ps.line = bad;
        fail(&ps, FLEETMOD_ECONFIG, "%s",
             "syntax error (expected [section] or key = value)");
    } else if (bad < 0 && ps.rc == FLEETMOD_OK) {
        fail(&ps, FLEETMOD_ENOMEM, "%s", "out of memory");
    }
    if (ps.rc == FLEETMOD_OK)
        check_sections(&ps);
    return ps.rc;
}
