/*
 * journal/stack_module.c - fleetmod_stack_open_module: one module as a
 * one-provider stack, so that a guard (which stands in front of stacks)
 * also serves a host that loads a single module. The section is the
 * module's own name, which is then the "provider" of its replies and the
 * [provider NAME] of the policy file.
 */
#include <stdlib.h>
#include <string.h>

#include "../stack.h"
#include "journal.h"

FLEETMOD_API fleetmod_rc fleetmod_stack_open_module(
    const char *module, const char *config_path,
    const struct fleetmod_host *host, struct fleetmod_stack **out, char *err,
    size_t errlen)
{
    if (!out || !module) {
        fm_err(err, errlen, "fleetmod_stack_open_module: no module named");
        return FLEETMOD_EINVAL;
    }
    *out = NULL;
    struct fleetmod_stack *s = calloc(1, sizeof *s);
    struct fm_provider *p = calloc(1, sizeof *p);
    if (!s || !p) {
        free(s);
        free(p);
        fm_err(err, errlen, "%s: out of memory", module);
        return FLEETMOD_ENOMEM;
    }
    s->p = p;
    s->n = 1;
    fleetmod_rc rc =
        fleetmod_open(module, config_path, host, &p->h, err, errlen);
    if (rc == FLEETMOD_OK) {
        const struct fleetmod_module *m = fleetmod_handle_module(p->h);
        p->section = strdup(m->name);
        p->module = strdup(module);
        p->config = config_path ? strdup(config_path) : NULL;
        rc = p->section && p->module && (p->config || !config_path)
                 ? FLEETMOD_OK
                 : FLEETMOD_ENOMEM;
        p->max_batch = s->max_batch = fleetmod_module_max_batch(m);
    }
    if (rc != FLEETMOD_OK) {
        fm_stack_free(s);
        return rc;
    }
    *out = s;
    return FLEETMOD_OK;
}
