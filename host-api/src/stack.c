/*
 * stack.c - opening and closing a stack: every provider of the file,
 * loaded in file order. Routing is in stack_route.c (batches in
 * stack_batch.c).
 */
#include <stdlib.h>
#include <string.h>

#include "stack.h"

#ifndef FLEETMOD_SYSCONFDIR
#error "FLEETMOD_SYSCONFDIR must be defined by the build"
#endif

FLEETMOD_API const char *fleetmod_default_stack_path(void)
{
    return FLEETMOD_SYSCONFDIR "/fleetmod/stack.conf";
}

/* Load one provider. An optional one that fails is kept as "failed". */
static fleetmod_rc start(struct fm_provider *p,
                         const struct fleetmod_host *host, char *err,
                         size_t errlen)
{
    char why[FLEETMOD_ERR_MAX];
    fleetmod_rc rc =
        fleetmod_open(p->module, p->config, host, &p->h, why, sizeof why);
    if (rc == FLEETMOD_OK)
        return rc;
    if (!p->optional) {
        fm_err(err, errlen, "%s:%d: [%s] %s", p->file, p->line, p->section,
               why);
        return rc;
    }
    p->error = strdup(why);
    return p->error ? FLEETMOD_OK : FLEETMOD_ENOMEM;
}

/* Each ready provider's batch limit, and the stack's: the largest, so that
 * a host may send the batch its biggest provider takes. */
static void batch_limits(struct fleetmod_stack *s)
{
    s->max_batch = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct fm_provider *p = &s->p[i];
        if (!p->h)
            continue;
        p->max_batch = fleetmod_module_max_batch(fleetmod_handle_module(p->h));
        if (p->max_batch > s->max_batch)
            s->max_batch = p->max_batch;
    }
    if (!s->max_batch)
        s->max_batch = FLEETMOD_BATCH_DEFAULT;
}

FLEETMOD_API fleetmod_rc fleetmod_stack_open(const char *path,
                                             const struct fleetmod_host *host,
                                             struct fleetmod_stack **out,
                                             char *err, size_t errlen)
{
    *out = NULL;
    if (!path)
        path = fleetmod_default_stack_path();
    struct fleetmod_stack *s = calloc(1, sizeof *s);
    if (!s) {
        fm_err(err, errlen, "stack %s: out of memory", path);
        return FLEETMOD_ENOMEM;
    }
    fleetmod_rc rc = fm_stack_parse(path, s, err, errlen);
    for (size_t i = 0; i < s->n && rc == FLEETMOD_OK; i++)
        rc = start(&s->p[i], host, err, errlen);
    if (rc != FLEETMOD_OK) {
        fm_stack_free(s);
        return rc;
    }
    batch_limits(s);
    *out = s;
    return FLEETMOD_OK;
}

FLEETMOD_API size_t fleetmod_stack_size(const struct fleetmod_stack *s)
{
    return s->n;
}

FLEETMOD_API size_t fleetmod_stack_max_batch(const struct fleetmod_stack *s)
{
    return s->max_batch;
}

FLEETMOD_API bool fleetmod_stack_entry(const struct fleetmod_stack *s, size_t i,
                                       struct fleetmod_stack_entry *out)
{
    if (i >= s->n)
        return false;
    const struct fm_provider *p = &s->p[i];
    out->section = p->section;
    out->module_path = p->h ? fleetmod_handle_path(p->h) : p->module;
    out->module = p->h ? fleetmod_handle_module(p->h) : NULL;
    out->state = p->h ? "ready" : "failed";
    out->error = p->error;
    return true;
}

void fm_provider_free(struct fm_provider *p)
{
    fleetmod_close(p->h);
    for (size_t g = 0; g < p->n_globs; g++)
        free(p->globs[g]);
    free(p->globs);
    free(p->section);
    free(p->file);
    free(p->module);
    free(p->config);
    free(p->error);
}

void fm_stack_free(struct fleetmod_stack *s)
{
    for (size_t i = 0; i < s->n; i++)
        fm_provider_free(&s->p[i]);
    free(s->p);
    free(s);
}

FLEETMOD_API void fleetmod_stack_close(struct fleetmod_stack *s)
{
    if (s)
        fm_stack_free(s);
}
