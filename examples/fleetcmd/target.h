/*
 * target.h - what fleetcmd talks to: one module (-m) or a stack of
 * providers (-s, or the default stack file), behind one call interface.
 */
#ifndef FLEETCMD_TARGET_H
#define FLEETCMD_TARGET_H

#include <fleetmod/host.h>

#include "args.h"

enum fc_call { FC_CALL_SEND, FC_CALL_CONFIRM, FC_CALL_STATUS };

/* Exactly one of the two is set once opened. */
struct fc_target {
    struct fleetmod_handle *handle;
    struct fleetmod_stack *stack;
};

/* Open -m MODULE with -c CONFIG, else the stack file of -s, else the
 * default stack file. On failure prints why on stderr and returns the rc
 * (FLEETMOD_ECONFIG when there is nothing to open). */
fleetmod_rc fc_target_open(struct fc_target *t, const struct fc_args *a,
                           const struct fleetmod_host *host);

/* One call; the reply map is appended to *reply. */
fleetmod_rc fc_target_call(struct fc_target *t, enum fc_call call,
                           const struct fleetmod_buf *req,
                           struct fleetmod_buf *reply);

void fc_target_close(struct fc_target *t);

#endif
