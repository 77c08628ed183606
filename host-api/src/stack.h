/*
 * stack.h - what the stack files of libfleetmod share: the parsed stack
 * file and the open stack.
 */
#ifndef FLEETMOD_STACK_H
#define FLEETMOD_STACK_H

#include <stdbool.h>

#include "internal.h"

enum fm_control { FM_REQUIRED, FM_SUFFICIENT };

/* One section of a stack file, then one provider of an open stack. */
struct fm_provider {
    char *section;
    int line;     /* of the section header, for errors */
    char *module; /* as written */
    char *config; /* NULL: the module's default */
    enum fm_control control;
    bool optional;
    char **globs; /* vins; none: every VIN */
    size_t n_globs;
    /* Filled by fleetmod_stack_open. */
    struct fleetmod_handle *h; /* NULL when it failed (optional only) */
    char *error;               /* why it failed */
};

struct fleetmod_stack {
    struct fm_provider *p;
    size_t n;
};

/* stack_config.c: parse the stack file at path into s (file order).
 * FLEETMOD_ECONFIG with "PATH:LINE: [SECTION] what" in err, FLEETMOD_ENOMEM.
 * On failure s may hold part of the file: free it with fm_stack_free. */
fleetmod_rc fm_stack_parse(const char *path, struct fleetmod_stack *s,
                           char *err, size_t errlen);

/* stack.c: close the providers and free everything s holds. */
void fm_stack_free(struct fleetmod_stack *s);

/* stack_reply.c: relay a provider's reply (reply, len) to write/sink with
 * "provider" set to section at the top and in every batch result. A reply
 * that is not one map is replaced by an EINTERNAL reply of our own.
 * Returns rc, or the rc of what went wrong. */
fleetmod_rc fm_stack_relay(const char *section, fleetmod_rc rc,
                           const char *reply, size_t len,
                           fleetmod_write_fn write, void *sink);

/* stack_reply.c: the stack's own failure reply: provider "stack" (or
 * section when not NULL), status "failed", error.code rc, error.message
 * message, request_id echoed from req when it has one. Returns rc, or
 * FLEETMOD_ENOMEM when write failed. */
fleetmod_rc fm_stack_fail(const char *section, const msgpack_object *req,
                          fleetmod_rc rc, const char *message,
                          fleetmod_write_fn write, void *sink);

#endif /* FLEETMOD_STACK_H */
