/*
 * request.h - the request map of one call.
 *
 * The keys of struct fleetmod_request, and for a send or confirm through a
 * guard the guard's own (fleetmod/guard.h, fleetmod-policy(5)):
 * requester (the login name, requester.h), reason (--reason) and deadline
 * (--deadline SECONDS from now, as epoch seconds). A call without a guard
 * carries none of them: no module reads them, and fleetcmd refuses
 * --reason and --deadline without a policy (target.h).
 */
#ifndef FLEETCMD_REQUEST_H
#define FLEETCMD_REQUEST_H

#include <stdint.h>

#include <fleetmod/host.h>

/* The guard's keys; NULL or 0: left out. */
struct fc_guard_keys {
    const char *requester;
    const char *reason;
    int64_t deadline; /* epoch seconds */
};

/* Append the map of req plus g (NULL: none) to out. FLEETMOD_ENOMEM (out
 * as it was) or FLEETMOD_OK. */
fleetmod_rc fc_request_pack(const struct fleetmod_request *req,
                            const struct fc_guard_keys *g,
                            struct fleetmod_buf *out);

#endif
