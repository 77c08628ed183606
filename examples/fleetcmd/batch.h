/*
 * batch.h - send and status for many vehicles at once: send --vins-file
 * and status --ids-file (fleetmod/module.h, "Batches").
 *
 * The list is cut into batches of --batch-size items (default: the most
 * the module or stack takes in one call, its max_batch),
 * sent one after the other; each is ONE call, which the module runs
 * concurrently on one thread and answers with one reply map per item.
 *
 * --wait SECONDS then asks a batch status of the items still pending
 * (status "pending" with an id; items that ask for confirmation are not
 * running and are not waited for), again and again until none is pending
 * or the time is up. Without a terminal each call waits all the time
 * left, in the module; on a terminal the calls last at most a second so
 * that a progress line can count what is done.
 *
 * Returns the exit status: 0 when every batch call ran, whatever the
 * items' fates (each item's failure is in its own reply, and stderr counts
 * them). When a batch call fails as a whole (a batch the module refuses,
 * a provider that cannot be reached), fleetcmd makes no further call,
 * shows what it has, and returns that call's rc: the items after it were
 * not sent.
 */
#ifndef FLEETCMD_BATCH_H
#define FLEETCMD_BATCH_H

#include "session.h"

int fc_cmd_send_batch(struct fc_session *s);
int fc_cmd_status_batch(struct fc_session *s);

#endif
