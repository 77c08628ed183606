/*
 * target.c - one module or a stack, opened and called the same way.
 */
#include "target.h"

#include <stdio.h>
#include <unistd.h>

typedef fleetmod_rc (*handle_call_fn)(struct fleetmod_handle *, const char *,
                                      size_t, fleetmod_write_fn, void *);
typedef fleetmod_rc (*stack_call_fn)(struct fleetmod_stack *, const char *,
                                     size_t, fleetmod_write_fn, void *);

/* Indexed by enum fc_call. */
static const handle_call_fn handle_calls[] = {fleetmod_send, fleetmod_confirm,
                                              fleetmod_status};
static const stack_call_fn stack_calls[] = {
    fleetmod_stack_send, fleetmod_stack_confirm, fleetmod_stack_status};

static fleetmod_rc open_module(struct fc_target *t, const struct fc_args *a,
                               const struct fleetmod_host *host)
{
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc;

    rc = fleetmod_open(a->module, a->config, host, &t->handle, err, sizeof err);
    /* libfleetmod's sentence names the module or its file already. */
    if (rc != FLEETMOD_OK)
        fprintf(stderr, "fleetcmd: %s: %s\n", fleetmod_rc_name(rc), err);
    return rc;
}

static fleetmod_rc open_stack(struct fc_target *t, const char *path,
                              const struct fleetmod_host *host)
{
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc;

    rc = fleetmod_stack_open(path, host, &t->stack, err, sizeof err);
    /* libfleetmod's sentence names the stack file already. */
    if (rc != FLEETMOD_OK)
        fprintf(stderr, "fleetcmd: %s: %s\n", fleetmod_rc_name(rc), err);
    return rc;
}

fleetmod_rc fc_target_open(struct fc_target *t, const struct fc_args *a,
                           const struct fleetmod_host *host)
{
    const char *path = fleetmod_default_stack_path();

    t->handle = NULL;
    t->stack = NULL;
    if (a->module)
        return open_module(t, a, host);
    if (a->stack)
        return open_stack(t, a->stack, host);
    /* Say plainly that no -m was given rather than let the stack loader
     * report a missing file the user never named. */
    if (access(path, F_OK) != 0) {
        fprintf(stderr,
                "fleetcmd: no module given (-m) and no stack file at %s\n",
                path);
        return FLEETMOD_ECONFIG;
    }
    return open_stack(t, path, host);
}

fleetmod_rc fc_target_call(struct fc_target *t, enum fc_call call,
                           const struct fleetmod_buf *req,
                           struct fleetmod_buf *reply)
{
    if (t->handle)
        return handle_calls[call](t->handle, req->data, req->len,
                                  fleetmod_buf_write, reply);
    return stack_calls[call](t->stack, req->data, req->len, fleetmod_buf_write,
                             reply);
}

void fc_target_close(struct fc_target *t)
{
    fleetmod_close(t->handle);
    fleetmod_stack_close(t->stack);
    t->handle = NULL;
    t->stack = NULL;
}
