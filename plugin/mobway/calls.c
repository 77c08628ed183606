/* calls.c - validation, token, signing, the exchange and its answer. */
#include "calls.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer.h"
#include "errmap.h"
#include "sign.h"
#include "validate.h"

/* One vehicle or command id in flight. */
struct item {
    struct mw_exchange ex;
    char *body;
    char sig[MW_SIGNATURE_SIZE];
    struct mw_reply *r;
    bool active; /* valid so far: to be sent, or still pending */
    bool renew;  /* its last answer was a 401 for the token: nothing ran */
};

/* A 401 that names the signature ("Sign-secret not found.", "X-Signature
 * invalid.") is not about the token: a new token would not help. */
static bool signature_refused(const struct mw_reply *r)
{
    return r->rc == FLEETMOD_EAUTH && r->err_message &&
           mw_errmap_text(r->err_message) == FLEETMOD_EAUTH;
}

/* Reads an item's answer into its reply as soon as its exchange ends,
 * and frees the body: a batch holds at most a pool's worth of bodies. */
static void on_done(struct mw_exchange *ex)
{
    struct item *it =
        (struct item *)(void *)((char *)ex - offsetof(struct item, ex));
    struct mw_reply *r = it->r;

    mw_reply_clear_answer(r);
    if (mw_answer_read(ex, r) == FLEETMOD_OK)
        r->http_status = ex->status; /* for the log line */
    it->renew = ex->outcome == MW_ANSWERED && ex->status == 401 &&
                !signature_refused(r);
    mw_exchange_drop_body(ex);
}

static fleetmod_rc invalid(struct mw_reply *r, const char *why)
{
    return mw_reply_fail(r, FLEETMOD_EINVAL, 0, why);
}

static fleetmod_rc check_command(struct fleetmod_instance *inst,
                                 const char *vin, const char *command,
                                 const char *code, struct mw_reply *r)
{
    if (!vin || !command)
        return invalid(r, "'vin' and 'command' are required");
    if (!mw_vin_valid(inst->cfg.vin_check, vin))
        return invalid(r, inst->cfg.vin_check == MW_VIN_ISO3779
                              ? "'vin' is not a VIN (17 characters, digits "
                                "and capitals without I, O, Q)"
                              : "'vin' must be 1 to 64 printable ASCII "
                                "characters");
    if (!mw_command_valid(command))
        return invalid(r, "'command' must match [a-z0-9_]{1,64}");
    if (code && (strlen(code) != 6 || strspn(code, "0123456789") != 6))
        return invalid(r, "'code' must be 6 digits");
    if (code && !mw_config_confirms(&inst->cfg, command))
        return invalid(r, "this command is not in confirm_commands: it has "
                          "no confirmation step");
    return FLEETMOD_OK;
}

static fleetmod_rc prepare_command(struct fleetmod_instance *inst,
                                   const char *vin, const char *command,
                                   const char *code, struct item *it)
{
    struct mw_reply *r = it->r;
    /* the signed JSON leaves the code out; without one it is the body */
    char *signed_body;

    if (check_command(inst, vin, command, code, r) != FLEETMOD_OK)
        return r->rc;
    it->body = mw_sign_body(code, command, vin);
    signed_body = code ? mw_sign_body(NULL, command, vin) : it->body;
    if (!it->body || !signed_body ||
        mw_signer_hmac(inst->signer, signed_body, strlen(signed_body),
                       it->sig) != 0) {
        if (signed_body != it->body)
            free(signed_body);
        return mw_reply_fail(r, FLEETMOD_ENOMEM, 0, NULL);
    }
    if (signed_body != it->body)
        free(signed_body);
    it->ex = (struct mw_exchange){.route = MW_ROUTE_COMMAND,
                                  .path = "/vehicle-command",
                                  .body = it->body,
                                  .body_len = strlen(it->body),
                                  .content_type = "application/json",
                                  .signature = it->sig,
                                  .on_done = on_done};
    it->active = true;
    return FLEETMOD_OK;
}

/* Mobway ids are UUIDs; anything safe in a URL path of that shape. */
static fleetmod_rc prepare_status(const char *id, struct item *it)
{
    if (!mw_id_valid(id))
        return invalid(it->r, "'id' must be a command id (a UUID)");
    it->ex = (struct mw_exchange){.route = MW_ROUTE_STATUS, .on_done = on_done};
    snprintf(it->ex.path, sizeof it->ex.path, "/vehicle-command/%s", id);
    it->active = true;
    return FLEETMOD_OK;
}

/* Whether it takes part in a round: the first sends every active item,
 * the retry after a token renewal only those refused for their token. */
static bool in_round(const struct item *it, bool retry)
{
    return it->active && (!retry || it->renew);
}

/* One round of exchanges with one token; each answer is read as it comes
 * (on_done). A single one needs no multi handle; a batch's list lives on
 * the heap, as a batch may be MW_BATCH_MAX long. -1: out of memory,
 * nothing of the round was sent. */
static int exchange_all(struct fleetmod_instance *inst, struct item *items,
                        size_t n, const char *token, bool retry)
{
    struct mw_exchange *one[1], **ex = n > 1 ? malloc(n * sizeof *ex) : one;
    size_t k = 0;
    int rc;

    if (!ex)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (in_round(&items[i], retry)) {
            items[i].ex.bearer = token;
            ex[k++] = &items[i].ex;
        }
    if (k == 1)
        rc = mw_http_exchange(inst->http, ex[0]);
    else
        rc = k ? mw_http_exchange_many(inst->http, ex, k) : 0;
    if (ex != one)
        free(ex);
    return rc;
}

static bool any_renew(const struct item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (items[i].active && items[i].renew)
            return true;
    return false;
}

/* One item's reply when its round could not run: the reason, then what
 * its call did not do (a send "no command was sent", a status "nothing
 * was looked up"); Mobway's own text as it is. */
static void fail_item(struct item *it, const struct mw_token_error *err)
{
    struct mw_reply *r = it->r;
    char msg[sizeof err->message + 32];

    snprintf(msg, sizeof msg, "%s; %s", err->message,
             mw_errmap_not_sent(it->ex.route));
    mw_reply_clear_answer(r);
    mw_reply_fail(r, err->rc, err->http_status,
                  err->theirs ? err->message : msg);
    r->retry_after_ms = err->retry_after_ms;
    if (err->detail[0])
        r->detail_text = strdup(err->detail);
}

/* Fails the items of a round that could not run (no token, no memory):
 * none of them was sent in this round. Items answered before keep their
 * answer. */
static void fail_round(struct item *items, size_t n, bool retry,
                       const struct mw_token_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (in_round(&items[i], retry)) {
            fail_item(&items[i], err);
            items[i].active = items[i].renew = false;
        }
}

/* Token, exchanges, and once more with a fresh token for the items that
 * got a 401 for their token (a 401 means the request was refused: nothing
 * ran). */
static void run(struct fleetmod_instance *inst, struct item *items, size_t n)
{
    struct mw_token_error err;
    char *token = NULL;
    uint64_t gen = 0;
    /* a single call's deadline bounds its token requests too; a batch's
     * items each have their own timeout_ms */
    uint64_t deadline = n == 1 ? items[0].ex.deadline_ms : 0;

    for (bool retry = false;; retry = true) {
        fleetmod_rc rc = mw_token_get(&inst->token, inst->http, &inst->cfg,
                                      deadline, &token, &gen, &err);

        if (rc == FLEETMOD_OK &&
            exchange_all(inst, items, n, token, retry) != 0) {
            rc = err.rc = FLEETMOD_ENOMEM;
            err.http_status = 0;
            err.retry_after_ms = -1;
            err.theirs = false;
            err.detail[0] = '\0';
            snprintf(err.message, sizeof err.message, "%s",
                     mw_errmap_sentence(FLEETMOD_ENOMEM));
        }
        mw_token_drop(token);
        token = NULL;
        if (rc != FLEETMOD_OK) {
            fail_round(items, n, retry, &err);
            return;
        }
        if (retry || !any_renew(items, n) ||
            !mw_token_invalidate(&inst->token, &inst->cfg, gen))
            return;
    }
}

static void free_items(struct item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mw_exchange_reset(&items[i].ex);
        free(items[i].body);
    }
    free(items);
}

void mw_call_command_batch(struct fleetmod_instance *inst, char **vins,
                           const char *command, struct mw_reply *out, size_t n)
{
    struct item *items = calloc(n, sizeof *items);

    for (size_t i = 0; i < n; i++) {
        if (!items) {
            mw_reply_fail(&out[i], FLEETMOD_ENOMEM, 0, NULL);
            continue;
        }
        items[i].r = &out[i];
        prepare_command(inst, vins[i], command, NULL, &items[i]);
    }
    if (!items)
        return;
    run(inst, items, n);
    free_items(items, n);
}

fleetmod_rc mw_call_command(struct fleetmod_instance *inst, const char *vin,
                            const char *command, const char *code,
                            struct mw_reply *r)
{
    /* timeout_ms bounds the whole call: a slow token leaves the command
     * only what is left */
    uint64_t deadline = mw_http_now_ms() + (uint64_t)inst->cfg.timeout_ms;
    struct item it = {.r = r};

    if (prepare_command(inst, vin, command, code, &it) == FLEETMOD_OK) {
        it.ex.deadline_ms = deadline;
        run(inst, &it, 1);
    }
    mw_exchange_reset(&it.ex);
    free(it.body);
    return r->rc;
}

/* Still waiting: answered pending and not failed. */
static size_t settle(struct item *items, size_t n)
{
    size_t left = 0;

    for (size_t i = 0; i < n; i++) {
        struct mw_reply *r = items[i].r;
        items[i].active = items[i].active && r->rc == FLEETMOD_OK &&
                          strcmp(r->status, "pending") == 0;
        left += items[i].active;
    }
    return left;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

    while (nanosleep(&ts, &ts) != 0)
        ;
}

void mw_call_status_batch(struct fleetmod_instance *inst, char **ids,
                          uint64_t wait_ms, struct mw_reply *out, size_t n)
{
    struct item *items = calloc(n, sizeof *items);
    uint64_t now = mw_http_now_ms();
    /* now is in whole ms, rounded down: one ms more, so that a wait never
     * ends before wait_ms has passed (0: one look) */
    uint64_t deadline = wait_ms == 0                     ? now
                        : wait_ms < UINT64_MAX - now - 1 ? now + wait_ms + 1
                                                         : UINT64_MAX;
    uint64_t interval = (uint64_t)inst->cfg.poll_initial_ms;

    for (size_t i = 0; i < n; i++) {
        if (!items) {
            mw_reply_fail(&out[i], FLEETMOD_ENOMEM, 0, NULL);
            continue;
        }
        items[i].r = &out[i];
        prepare_status(ids[i], &items[i]);
    }
    if (!items)
        return;
    /* one status: wait_ms plus one timeout_ms bounds it all (a batch: each
     * request its own timeout_ms) */
    if (n == 1)
        items[0].ex.deadline_ms =
            deadline < UINT64_MAX - (uint64_t)inst->cfg.timeout_ms
                ? deadline + (uint64_t)inst->cfg.timeout_ms
                : UINT64_MAX;
    for (;;) {
        run(inst, items, n);
        if (settle(items, n) == 0 || (now = mw_http_now_ms()) >= deadline)
            break;
        sleep_ms(deadline - now < interval ? deadline - now : interval);
        interval = interval * 2 < (uint64_t)inst->cfg.poll_max_ms
                       ? interval * 2
                       : (uint64_t)inst->cfg.poll_max_ms;
    }
    free_items(items, n);
}

fleetmod_rc mw_call_status(struct fleetmod_instance *inst, const char *id,
                           uint64_t wait_ms, struct mw_reply *r)
{
    char *ids[] = {(char *)id};

    mw_call_status_batch(inst, ids, wait_ms, r, 1);
    return r->rc;
}
