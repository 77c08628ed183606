/*
 * target.h - what fleetcmd talks to: one module (-m) or a stack of
 * providers (-s, or the default stack file), behind one call interface;
 * with a policy file (policy.h), through a guard in front of it, which
 * journals every call and may refuse it (FLEETMOD_EREFUSED).
 */
#ifndef FLEETCMD_TARGET_H
#define FLEETCMD_TARGET_H

#include <fleetmod/host.h>

#include "args.h"

enum fc_call { FC_CALL_SEND, FC_CALL_CONFIRM, FC_CALL_STATUS };

/* Once opened, exactly one of handle and stack is set; guard is set when
 * a policy applies, and then the target is always a stack (-m: a
 * one-module stack). */
struct fc_target {
    struct fleetmod_handle *handle;
    struct fleetmod_stack *stack;
    struct fleetmod_guard *guard;
};

/* Open -m MODULE with -c CONFIG, else the stack file of -s, else the
 * default stack file; then the guard of the run's policy file, if any.
 * --reason and --deadline without a policy are refused (FLEETMOD_ECONFIG):
 * nothing would enforce or record them. On failure prints why on stderr
 * and returns the rc (FLEETMOD_ECONFIG when there is nothing to open). */
fleetmod_rc fc_target_open(struct fc_target *t, const struct fc_args *a,
                           const struct fleetmod_host *host);

/* One call; the reply map is appended to *reply. */
fleetmod_rc fc_target_call(struct fc_target *t, enum fc_call call,
                           const struct fleetmod_buf *req,
                           struct fleetmod_buf *reply);

void fc_target_close(struct fc_target *t);

#endif
