/*
 * journal/writer.h - which process wrote an intent, and whether it is
 * provably gone (fleetmod-journal(7), reconcile).
 *
 * A row left "sending" with no provider id can get no answer any more once
 * the process that was sending it has died. A pid alone does not say so (it
 * is reused), so the writer is the pid, that process's start time and the
 * machine's boot id: together they name one process of one boot.
 */
#ifndef FM_JOURNAL_WRITER_H
#define FM_JOURNAL_WRITER_H

#include <stdbool.h>

#include "backend.h"

/* Fills w with the calling process (after a fork: the child). Reads /proc
 * once per thread and process; where it cannot be read, the fields stay
 * 0 / "" and such a row waits for the call's bound. Never fails. */
void fm_writer_self(struct fm_jwriter *w);

/* True only when w was written on this boot (same boot id) and its process
 * is gone: kill(pid, 0) says ESRCH, or the pid now belongs to a process
 * with another start time, or it is a zombie. False whenever that cannot
 * be proven (not recorded, another boot, /proc unreadable): the caller
 * then waits for the call's bound. Does not block. */
bool fm_writer_gone(const struct fm_jwriter *w);

#endif /* FM_JOURNAL_WRITER_H */
