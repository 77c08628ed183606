/*
 * token.h - the bearer token of an instance.
 *
 * Fetched with POST /token on first use, cached, shared by all threads,
 * renewed once 90% of its life has passed: one renewal at a time, the
 * other callers wait for it, each until its own deadline. A fixed token
 * from the config is never renewed.
 *
 * A token goes into a header line: only RFC 6750 b64token characters
 * (letters, digits, "-._~+/", then "=" padding) and at most
 * MW_TOKEN_MAX_LEN bytes are accepted, from /token or the config; any
 * other is refused (EAUTH) before it is ever sent.
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

#include <fleetmod/module.h>

#include "config.h"
#include "http.h"

#define MW_TOKEN_MAX_LEN 4096

struct mw_token_value;

/* Why no token could be had: for the reply of every call that needed it
 * (nothing of it was sent). message says why and no more: the caller
 * ends it with what its call did not do (mw_errmap_not_sent), unless it
 * is Mobway's own text. */
struct mw_token_error {
    fleetmod_rc rc;
    long http_status;    /* of the token answer; 0: none came */
    long retry_after_ms; /* < 0: not given */
    bool theirs;         /* message is Mobway's text: kept verbatim */
    char message[400];   /* Mobway's own text, or our reason */
    char detail[256];    /* libcurl's or Mobway's text beside ours, or "" */
};

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
 * *gen. Waiting for another call's renewal, and a renewal this call
 * makes, end by deadline_ms (CLOCK_MONOTONIC, as mw_http_now_ms; 0:
 * timeout_ms from now). On failure fills err and returns its rc: EAUTH
 * when Mobway refused the token request (any 4xx but 429, with its text)
 * or gave a token we cannot send, ERATELIMIT on a 429, ENOMEM, else
 * EUNREACHABLE. A server that refuses the form with both field pairs
 * (400 or 422) is asked again with one pair at a time. */
fleetmod_rc mw_token_get(struct mw_token *t, struct mw_http *h,
                         const struct mw_config *cfg, uint64_t deadline_ms,
                         char **out, uint64_t *gen, struct mw_token_error *err);

/* After a 401 on a token of generation gen: forget it (unless another
 * thread already did), so the next mw_token_get fetches a new one.
 * Returns false for a fixed token, which cannot be renewed. */
bool mw_token_invalidate(struct mw_token *t, const struct mw_config *cfg,
                         uint64_t gen);

/* Gives back a reference from mw_token_get (NULL is ignored); the last
 * one of a replaced token wipes and frees it. */
void mw_token_drop(char *token);

#endif
