/*
 * reply.h - the reply map of one call (or one batch item), and writing it.
 *
 * Every call writes exactly one msgpack map through the host's write
 * callback, also when it fails. A reply is filled as the call goes, then
 * packed in one piece, so the host never sees half a map unless its own
 * write fails. The map's head, its error map and a batch's head are packed
 * by fleetmod/modutil.h, as in every module.
 */
#ifndef MW_REPLY_H
#define MW_REPLY_H

#include <fleetmod/module.h>
#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>

struct mw_reply {
    const char *status; /* "confirmation", "pending", "success", "error",
                           "failed" */
    /* echoed from the request, not copied: the request outlives its reply */
    const char *vin, *command, *request_id;
    /* a status answer's vin and command (owned), when the request had
     * none: vin and command then point at them */
    char *own_vin, *own_command;
    char *id, *code, *message;
    char *detail_text;      /* detail as a str (the provider's text) */
    msgpack_sbuffer detail; /* detail as a packed map, when size > 0 */
    int64_t created, updated, executed;
    bool has_created, has_updated, has_executed;
    /* error, when rc != FLEETMOD_OK */
    fleetmod_rc rc;
    char *err_message;
    long http_status;    /* 0: no HTTP answer came */
    long retry_after_ms; /* < 0: not given */
};

/* An empty reply echoing request_id, vin and command (each may be NULL,
 * and each must outlive the reply). */
void mw_reply_init(struct mw_reply *r, const char *request_id, const char *vin,
                   const char *command);

/* Marks r failed with rc. message (copied) is the provider's own text, or
 * NULL for the rc's English sentence. Returns rc. */
fleetmod_rc mw_reply_fail(struct mw_reply *r, fleetmod_rc rc, long http_status,
                          const char *message);

/* Packs r as one map into pk (provider is the module's name). Returns 0,
 * or -1 when the packer's write failed. */
int mw_reply_pack(msgpack_packer *pk, const char *provider,
                  const struct mw_reply *r);

/* Packs r and hands it to write in one call. Returns r->rc, or
 * FLEETMOD_ENOMEM when packing or the host's write failed. */
fleetmod_rc mw_reply_write(const struct mw_reply *r, const char *provider,
                           fleetmod_write_fn write, void *sink);

/* Packs the reply of a batch: the batch head (provider, status "batch",
 * request_id when not NULL, results) and the n item replies in order, and
 * hands it to write in one call. Returns FLEETMOD_OK (the batch ran,
 * whatever its items' fates), or FLEETMOD_ENOMEM when packing or the
 * host's write failed. */
fleetmod_rc mw_reply_write_batch(const struct mw_reply *items, size_t n,
                                 const char *request_id, const char *provider,
                                 fleetmod_write_fn write, void *sink);

/* Forgets an answer (and error) but keeps the echoed request_id, vin,
 * command (also the answer's own) and the id: the next poll fills it
 * anew. */
void mw_reply_clear_answer(struct mw_reply *r);

void mw_reply_free(struct mw_reply *r);

#endif
