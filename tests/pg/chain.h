/*
 * chain.h - the hash service the tests lend journal_pg.so, and a walk that
 * checks every chain read back from it.
 *
 * libfleetmod owns the canonical bytes; these tests only need a hash that
 * covers every field of struct fm_jevent, so that an event that does not
 * read back exactly as it was written (a NULL turned into "", a 0 into
 * NULL...) fails the walk.
 */
#ifndef TEST_PG_CHAIN_H
#define TEST_PG_CHAIN_H

#include "backend.h"

/* struct fm_journal_services.hash: SHA-256 over prev_hash and every field
 * but seq and hash, length-prefixed, NULL distinct from "". */
void chain_hash(struct fm_jevent *ev);

/* An fm_jevent_fn for events(NULL, ...): checks that each event's hash
 * is chain_hash of what was read, and that its prev_hash is the hash of
 * the event before it of the same host_id (zeros for the first, unless
 * the chain was pruned to nothing and starts at its "pruned" event).
 * user: a struct chain_walk, zeroed. */
struct chain_walk {
    char host[128];
    uint8_t last[FM_JHASH_LEN];
    long events, bad;
};
int chain_check(void *user, const struct fm_jevent *ev);

#endif
