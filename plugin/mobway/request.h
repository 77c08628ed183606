/*
 * request.h - decoding a host's request map (msgpack).
 *
 * Any byte string is accepted: before msgpack-c sees it,
 * fleetmod/msgcheck.h checks that it is exactly one well-formed value whose
 * claimed sizes fit in its length (msgpack-c would allocate whatever a
 * header claims). Unknown
 * keys are ignored; known keys of the wrong type are EINVAL.
 */
#ifndef MW_REQUEST_H
#define MW_REQUEST_H

#include <fleetmod/module.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most items in one batch: a whole fleet watched from one thread. */
#define MW_BATCH_MAX 10000

struct mw_request {
    char *vin, *command, *code, *id, *request_id; /* NULL when absent */
    uint64_t wait_ms;
    char **vins; /* batch send; n_vins items */
    size_t n_vins;
    char **ids; /* batch status; n_ids items */
    size_t n_ids;
};

/* Decodes req into r (zeroed first). Returns FLEETMOD_OK, FLEETMOD_EINVAL
 * with an English sentence in why, or FLEETMOD_ENOMEM. On failure r may
 * hold request_id (for the reply's echo) and must be freed. */
fleetmod_rc mw_request_decode(const char *req, size_t len, struct mw_request *r,
                              char *why, size_t whylen);

void mw_request_free(struct mw_request *r);

#endif
