/*
 * wait.h - waiting for a command's outcome (--wait SECONDS).
 */
#ifndef FLEETCMD_WAIT_H
#define FLEETCMD_WAIT_H

#include <stdint.h>

#include "session.h"

/*
 * Ask for the status of command id (provider: the reply's provider, which a
 * stack routes by; NULL to let it search) until it is terminal or wait_ms
 * has passed; wait_ms 0 is one look. *x holds the last status reply (free
 * it with fc_exchange_free); returns its rc.
 *
 * When stderr is a terminal the wait is cut into one-second status calls so
 * that a line rewritten in place shows how long it has been
 * ("waiting for 8619b2df... pending 3.2 s"); the line is erased at the end.
 * Otherwise it is one status call with wait_ms: the module's own backoff,
 * the fewest requests to the provider.
 */
fleetmod_rc fc_wait(struct fc_session *s, const char *id, const char *provider,
                    uint64_t wait_ms, struct fc_exchange *x);

/* The length of one status call while a progress line is shown, and the
 * least time between two rounds of calls: a module that answers early
 * without a terminal status must not turn a wait into a flood of requests
 * to the provider. */
#define FC_WAIT_SLICE_MS 1000

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t fc_now_ms(void);
/* Sleep until fc_now_ms() reaches deadline_ms (at once if it has). */
void fc_sleep_until(uint64_t deadline_ms);

#endif
