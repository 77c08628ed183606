/*
 * target.c - one module or a stack, opened and called the same way.
 */
#include "target.h"

#include <stdio.h>
#include <unistd.h>

#include "policy.h"

typedef fleetmod_rc (*handle_call_fn)(struct fleetmod_handle *, const char *,
                                      size_t, fleetmod_write_fn, void *);
typedef fleetmod_rc (*stack_call_fn)(struct fleetmod_stack *, const char *,
                                     size_t, fleetmod_write_fn, void *);

/* Indexed by enum fc_call. */
static const handle_call_fn handle_calls[] = {fleetmod_send, fleetmod_confirm,
                                              fleetmod_status};
static const stack_call_fn stack_calls[] = {
    fleetmod_stack_send, fleetmod_stack_confirm, fleetmod_stack_status};
typedef fleetmod_rc (*guard_call_fn)(struct fleetmod_guard *, const char *,
                                     size_t, fleetmod_write_fn, void *);
static const guard_call_fn guard_calls[] = {
    fleetmod_guard_send, fleetmod_guard_confirm, fleetmod_guard_status};

/* libfleetmod's sentences name the module, file or journal already. */
static fleetmod_rc said(fleetmod_rc rc, const char *err)
{
    if (rc != FLEETMOD_OK)
        fprintf(stderr, "fleetcmd: %s: %s\n", fleetmod_rc_name(rc), err);
    return rc;
}

/* -m: a handle, or a one-module stack when a guard will stand in front. */
static fleetmod_rc open_module(struct fc_target *t, const struct fc_args *a,
                               const struct fleetmod_host *host,
                               const char *policy)
{
    char err[FLEETMOD_ERR_MAX] = "";

    if (policy)
        return said(fleetmod_stack_open_module(a->module, a->config, host,
                                               &t->stack, err, sizeof err),
                    err);
    return said(
        fleetmod_open(a->module, a->config, host, &t->handle, err, sizeof err),
        err);
}

static fleetmod_rc open_stack(struct fc_target *t, const char *path,
                              const struct fleetmod_host *host)
{
    char err[FLEETMOD_ERR_MAX] = "";

    return said(fleetmod_stack_open(path, host, &t->stack, err, sizeof err),
                err);
}

static fleetmod_rc open_guard(struct fc_target *t, const char *policy,
                              const struct fleetmod_host *host)
{
    char err[FLEETMOD_ERR_MAX] = "";

    return said(
        fleetmod_guard_open(policy, t->stack, host, &t->guard, err, sizeof err),
        err);
}

/* policy: the guard's policy file when one will stand in front, or NULL. */
static fleetmod_rc open_providers(struct fc_target *t, const struct fc_args *a,
                                  const struct fleetmod_host *host,
                                  const char *policy)
{
    const char *path = fleetmod_default_stack_path();

    if (a->module)
        return open_module(t, a, host, policy);
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

fleetmod_rc fc_target_open(struct fc_target *t, const struct fc_args *a,
                           const struct fleetmod_host *host)
{
    const char *policy = fc_policy_path(a);
    fleetmod_rc rc;

    t->handle = NULL;
    t->stack = NULL;
    t->guard = NULL;
    if (!policy && (a->reason || a->deadline_s)) {
        fprintf(stderr,
                "fleetcmd: ECONFIG: %s needs a policy file (--policy FILE; "
                "there is none at %s): without one nothing checks or "
                "records it\n",
                a->reason ? "--reason" : "--deadline",
                fleetmod_default_policy_path());
        return FLEETMOD_ECONFIG;
    }
    rc = open_providers(t, a, host, policy);
    if (rc == FLEETMOD_OK && policy)
        rc = open_guard(t, policy, host);
    return rc;
}

fleetmod_rc fc_target_call(struct fc_target *t, enum fc_call call,
                           const struct fleetmod_buf *req,
                           struct fleetmod_buf *reply)
{
    if (t->guard)
        return guard_calls[call](t->guard, req->data, req->len,
                                 fleetmod_buf_write, reply);
    if (t->handle)
        return handle_calls[call](t->handle, req->data, req->len,
                                  fleetmod_buf_write, reply);
    return stack_calls[call](t->stack, req->data, req->len, fleetmod_buf_write,
                             reply);
}

void fc_target_close(struct fc_target *t)
{
    /* The guard first: it stands in front of the stack. */
    fleetmod_guard_close(t->guard);
    t->guard = NULL;
    fleetmod_close(t->handle);
    fleetmod_stack_close(t->stack);
    t->handle = NULL;
    t->stack = NULL;
}
