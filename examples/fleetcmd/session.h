/*
 * session.h - one fleetcmd run: the opened target, the log sink, and the
 * calls made through it, each with its own request_id.
 */
#ifndef FLEETCMD_SESSION_H
#define FLEETCMD_SESSION_H

#include <stdbool.h>

#include <fleetmod/host.h>

#include "args.h"
#include "list.h"
#include "request.h"
#include "target.h"

struct fc_session {
    const struct fc_args *args;
    const struct fc_list *list; /* a batch's items; NULL for one vehicle */
    struct fc_target target;
    bool verbose;
    struct fleetmod_host host;
    unsigned calls;
    /* "fleetcmd-<pid>-<n>": n counts the calls of this run, so a grep for
     * "fleetcmd-<pid>-" finds every module log line of one run. */
    char request_id[48];
    /* Through a guard: what each send and confirm carries (request.h). */
    char requester[64];
    struct fc_guard_keys keys;
};

/* One call and its reply, raw (for --json) and decoded. */
struct fc_exchange {
    fleetmod_rc rc;
    struct fleetmod_buf raw;
    struct fleetmod_reply reply;
};

/* Open the target the arguments name (list: the batch's items, read
 * before, or NULL). On failure it has said why on stderr; returns the rc. */
fleetmod_rc fc_session_open(struct fc_session *s, const struct fc_args *a,
                            const struct fc_list *list);
void fc_session_close(struct fc_session *s);

/* Make one call with req (its request_id is set here) and decode the
 * reply into *x, which the caller frees with fc_exchange_free. Returns
 * x->rc: the module's rc, or FLEETMOD_EINTERNAL when the module answered
 * OK with something that is not a reply map, or an rc this host does not
 * know. Prints nothing but that complaint. */
fleetmod_rc fc_exchange_run(struct fc_session *s, enum fc_call call,
                            struct fleetmod_request *req,
                            struct fc_exchange *x);
void fc_exchange_free(struct fc_exchange *x);

#endif
