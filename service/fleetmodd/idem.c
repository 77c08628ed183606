/*
 * idem.c - Idempotency-Key (fleetmodd(8)): the same key and requester within
 * 24 h answer the first call's reply again and send nothing; the same key
 * with another request is 422. Keys are claimed in the journal
 * (fleetmod/service.h) before the call, so two requests racing with one
 * key, from any process or machine on the journal, send once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <openssl/evp.h>

#include "fmd.h"

#define IDEM_TTL_S (24 * 3600)
#define IDEM_KEY_MAX 255

/* Hex SHA-256 of the method, path and body: "the same request". */
static int fingerprint(const struct fmd_req *r, char out[65])
{
    unsigned char h[32];
    unsigned int n = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(c, r->method, strlen(r->method) + 1) &&
             EVP_DigestUpdate(c, r->path, strlen(r->path) + 1) &&
             EVP_DigestUpdate(c, r->body, r->body_len) &&
             EVP_DigestFinal_ex(c, h, &n);
    EVP_MD_CTX_free(c);
    for (unsigned i = 0; ok && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    return ok ? 0 : -1;
}

static void run_and_record(struct fmd_req *r, struct fmd_answer *a,
                           void (*run)(struct fmd_req *, struct fmd_answer *))
{
    run(r, a);
    char err[FLEETMOD_ERR_MAX] = "";
    char *kept = a->body ? fmd_json_without_code(a->body) : NULL;
    fleetmod_rc rc = kept ? fleetmod_journal_idem_finish(
                                r->s->journal, r->requester, r->idem_key,
                                a->status, kept, err, sizeof err)
                          : FLEETMOD_ENOMEM;
    if (rc != FLEETMOD_OK)
        fmd_log(LOG_ERR,
                "Idempotency-Key of %s: the answer was not recorded (%s): "
                "a repeat gets 409",
                r->requester, err[0] ? err : fleetmod_rc_name(rc));
    free(kept);
}

void fmd_idem_run(struct fmd_req *r, struct fmd_answer *a,
                  void (*run)(struct fmd_req *, struct fmd_answer *))
{
    if (!r->idem_key) {
        run(r, a);
        return;
    }
    char fp[65], err[FLEETMOD_ERR_MAX] = "";
    size_t n = strlen(r->idem_key);
    if (n == 0 || n > IDEM_KEY_MAX) {
        fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                         "Idempotency-Key: 1 to %d bytes", IDEM_KEY_MAX);
        return;
    }
    struct fleetmod_idem st = {.struct_size = sizeof st};
    fleetmod_rc rc = fingerprint(r, fp)
                         ? FLEETMOD_ENOMEM
                         : fleetmod_journal_idem_begin(
                               r->s->journal, r->requester, r->idem_key, fp,
                               IDEM_TTL_S, &st, err, sizeof err);
    if (rc != FLEETMOD_OK) {
        fmd_answer_error(a, 500, FLEETMOD_EREFUSED,
                         "cannot check the Idempotency-Key, so nothing was "
                         "sent: %s",
                         err[0] ? err : fleetmod_rc_name(rc));
        return;
    }
    switch (st.state) {
    case FLEETMOD_IDEM_NEW:
        run_and_record(r, a, run);
        return;
    case FLEETMOD_IDEM_DONE:
        a->status = st.http_status;
        a->body = st.reply;
        return;
    case FLEETMOD_IDEM_BUSY:
        fmd_answer_error(a, 409, FLEETMOD_EREFUSED,
                         "a call with this Idempotency-Key is in flight, or "
                         "its service stopped during it; nothing was sent "
                         "now (GET /v1/commands shows what was)");
        return;
    default:
        fmd_answer_error(a, 422, FLEETMOD_EINVAL,
                         "this Idempotency-Key was used with another "
                         "request; nothing was sent");
        return;
    }
}
