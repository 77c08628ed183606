/*
 * token.h - the bearer token of an instance.
 *
 * Fetched with POST /token on first use, cached, shared by all threads,
 * renewed once 90% of its life has passed: one renewal at a time, the
 * other callers wait for it. A fixed token from the config is never
 * renewed.
 *
 * A token is an immutable, reference-counted value: a call takes a
 * reference under a lock held for a few instructions, uses the bytes
 * without any lock, and gives the reference back; a renewal swaps in a new
 * value, and the old one is wiped and freed by whoever drops it last.
 */
#ifndef MW_TOKEN_H
#define MW_TOKEN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "http.h"
#include "reply.h"

struct mw_token_value;

struct mw_token {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct mw_token_value *value; /* the current one, or NULL */
    uint64_t renew_at_ms;         /* CLOCK_MONOTONIC */
    uint64_t generation;          /* bumps with every new token */
    bool renewing;
};

void mw_token_init(struct mw_token *t);
void mw_token_destroy(struct mw_token *t);

/* A reference to a valid token in *out: its bytes, which nobody changes,
 * NUL-terminated; give it back with mw_token_drop. Its generation in
 * *gen. A renewal this call makes ends by deadline_ms (CLOCK_MONOTONIC, as
 * mw_http_now_ms; 0: timeout_ms). On failure fills r's error (EAUTH when
 * the credentials were refused, EUNREACHABLE otherwise: no command was
 * sent) and returns its rc. */
fleetmod_rc mw_token_get(struct mw_token *t, struct mw_http *h,
                         const struct mw_config *cfg, uint64_t deadline_ms,
                         char **out, uint64_t *gen, struct mw_reply *r);

/* After a 401 on a token of generation gen: forget it (unless another
 * thread already did), so the next mw_token_get fetches a new one.
 * Returns false for a fixed token, which cannot be renewed. */
bool mw_token_invalidate(struct mw_token *t, const struct mw_config *cfg,
                         uint64_t gen);

/* Gives back a reference from mw_token_get (NULL is ignored); the last
 * one of a replaced token wipes and frees it. */
void mw_token_drop(char *token);

#endif
