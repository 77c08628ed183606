/*
 * mobway.c - the module's table: init, send, confirm, status, shutdown.
 *
 * Data flows one way: request bytes -> decoded request -> exchange with
 * Mobway -> decoded answer -> reply map -> the host's write callback.
 */
#include <curl/curl.h>
#include <fleetmod/modutil.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "errmap.h"
#include "instance.h"
#include "reply.h"
#include "request.h"
#include "sign.h"
#include "token.h"

#define PROVIDER "mobway"

/* libcurl's global init, once per process, never undone: the host and
 * other modules may use libcurl too (no curl_global_cleanup, ever). */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_ALL);
}

/* What init leaves to the first call: libcurl's global init (OpenSSL's
 * with it, which reads its config file and loads its providers) and the
 * HTTP pool. A host that loads the module and makes an instance, to check
 * a config or to have it ready, pays for neither; the first call does,
 * once, whichever thread makes it (libcurl's global init is thread-safe
 * since 7.84). Before it, init uses only libcurl's URL API (config.c's
 * base_url check), which keeps no global state. */
static fleetmod_rc ready(struct fleetmod_instance *inst)
{
    if (atomic_load_explicit(&inst->ready, memory_order_acquire))
        return FLEETMOD_OK;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK)
        return FLEETMOD_EINTERNAL;
    pthread_mutex_lock(&inst->ready_mu);
    if (!inst->http && (inst->http = mw_http_new(&inst->cfg)))
        atomic_store_explicit(&inst->ready, true, memory_order_release);
    pthread_mutex_unlock(&inst->ready_mu);
    return inst->http ? FLEETMOD_OK : FLEETMOD_ENOMEM;
}

/* Whether inst was made by this process (not by one it was forked from). */
static bool ours(const struct fleetmod_instance *inst)
{
    return inst && fleetmod_fork_guard_ours(&inst->fork);
}

static void free_instance(struct fleetmod_instance *inst)
{
    mw_http_free(inst->http);
    pthread_mutex_destroy(&inst->ready_mu);
    mw_signer_free(inst->signer);
    mw_token_destroy(&inst->token);
    mw_config_free(&inst->cfg);
    free(inst);
}

static fleetmod_rc mw_init(const struct fleetmod_host *host,
                           const char *config_path,
                           struct fleetmod_instance **out)
{
    struct fleetmod_instance *inst;
    fleetmod_rc rc;

    if (!out)
        return FLEETMOD_EINVAL;
    *out = NULL;
    if (!(inst = calloc(1, sizeof *inst)))
        return FLEETMOD_ENOMEM;
    fleetmod_fork_guard_init(&inst->fork);
    pthread_mutex_init(&inst->ready_mu, NULL);
    if (host && FLEETMOD_HAS_MEMBER(host, struct fleetmod_host, log))
        inst->log = (struct mw_log){host->log, host->user};
    mw_token_init(&inst->token);
    rc = mw_config_load(&inst->cfg,
                        config_path ? config_path : MW_CONFIG_DEFAULT_PATH,
                        &inst->log);
    if (rc == FLEETMOD_OK &&
        !(inst->signer = mw_signer_new(inst->cfg.sign_secret.data,
                                       inst->cfg.sign_secret.len)))
        rc = FLEETMOD_ENOMEM;
    if (rc != FLEETMOD_OK) {
        free_instance(inst);
        return rc;
    }
    mw_log(&inst->log, LOG_INFO, "mobway: ready, %s, up to %ld connections",
           inst->cfg.base_url, inst->cfg.max_connections);
    *out = inst;
    return FLEETMOD_OK;
}

static void mw_shutdown(struct fleetmod_instance *inst)
{
    if (ours(inst))
        free_instance(inst);
}

/* ------------------------------------------------------------------ calls */

enum call { CALL_SEND, CALL_CONFIRM, CALL_STATUS };
static const char *const call_names[] = {"send", "confirm", "status"};

/* The one INFO line of a call. Never a token, secret, signature or code. */
static void log_call(struct fleetmod_instance *inst, enum call call,
                     const struct mw_reply *r, uint64_t started)
{
    mw_log(&inst->log, r->rc ? LOG_NOTICE : LOG_INFO,
           "mobway: %s request_id=%s vin=%s command=%s id=%s -> %s%s%s "
           "http=%ld %llums",
           call_names[call], r->request_id ? r->request_id : "-",
           r->vin ? r->vin : "-", r->command ? r->command : "-",
           r->id ? r->id : "-", r->status, r->rc ? " " : "",
           r->rc ? fleetmod_error_name(r->rc) : "", r->http_status,
           (unsigned long long)(mw_http_now_ms() - started));
    /* the reason at the same level as the failure, so that a refused
     * certificate or a timeout is visible without DEBUG; libcurl's text
     * (the reply's detail) beside it, for whoever debugs the connection */
    if (r->rc && r->err_message)
        mw_log(&inst->log, LOG_NOTICE, "mobway: %s: %s%s%s%s", call_names[call],
               r->err_message, r->detail_text ? " (" : "",
               r->detail_text ? r->detail_text : "", r->detail_text ? ")" : "");
}

/* A batch: one reply per item, in request order. */
static fleetmod_rc run_batch(struct fleetmod_instance *inst, enum call call,
                             const struct mw_request *req,
                             fleetmod_write_fn write, void *sink)
{
    size_t n = call == CALL_SEND ? req->n_vins : req->n_ids;
    struct mw_reply *items = calloc(n, sizeof *items);
    fleetmod_rc rc;

    if (!items)
        return FLEETMOD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        mw_reply_init(&items[i], NULL, call == CALL_SEND ? req->vins[i] : NULL,
                      req->command);
        items[i].id = call == CALL_STATUS ? strdup(req->ids[i]) : NULL;
    }
    if (call == CALL_SEND)
        mw_call_command_batch(inst, req->vins, req->command, items, n);
    else
        mw_call_status_batch(inst, req->ids, req->wait_ms, items, n);
    rc = mw_reply_write_batch(items, n, req->request_id, PROVIDER, write, sink);
    for (size_t i = 0; i < n; i++)
        mw_reply_free(&items[i]);
    free(items);
    return rc;
}

static bool is_batch(enum call call, const struct mw_request *req,
                     struct mw_reply *r)
{
    bool single = call == CALL_STATUS ? !!req->id : !!req->vin;
    bool batch = call == CALL_STATUS ? !!req->ids : !!req->vins;

    if (call == CALL_CONFIRM && req->vins)
        mw_reply_fail(r, FLEETMOD_EINVAL, 0,
                      "confirm has no batch form: one vehicle at a time");
    else if (single && batch)
        mw_reply_fail(r, FLEETMOD_EINVAL, 0,
                      call == CALL_STATUS ? "give 'id' or 'ids', not both"
                                          : "give 'vin' or 'vins', not both");
    return batch && r->rc == FLEETMOD_OK;
}

static fleetmod_rc dispatch(struct fleetmod_instance *inst, enum call call,
                            const struct mw_request *req, struct mw_reply *r)
{
    switch (call) {
    case CALL_SEND:
        return mw_call_command(inst, req->vin, req->command, NULL, r);
    case CALL_CONFIRM:
        if (!req->code)
            return mw_reply_fail(r, FLEETMOD_EINVAL, 0, "'code' is required");
        return mw_call_command(inst, req->vin, req->command, req->code, r);
    case CALL_STATUS:
        return mw_call_status(inst, req->id, req->wait_ms, r);
    }
    return mw_reply_fail(r, FLEETMOD_EINTERNAL, 0, NULL);
}

static fleetmod_rc call(struct fleetmod_instance *inst, enum call which,
                        const char *buf, size_t len, fleetmod_write_fn write,
                        void *sink)
{
    struct mw_request req;
    struct mw_reply r;
    char why[160];
    uint64_t started = mw_http_now_ms();
    fleetmod_rc rc;

    if (!write)
        return FLEETMOD_EINVAL;
    rc = mw_request_decode(buf, len, &req, why, sizeof why);
    mw_reply_init(&r, req.request_id, req.vin, req.command);
    if (which == CALL_STATUS && req.id)
        r.id = strdup(req.id);
    if (!ours(inst))
        mw_reply_fail(&r, FLEETMOD_EINTERNAL, 0,
                      "this instance belongs to another process (after "
                      "fork, make a new one)");
    else if (rc != FLEETMOD_OK)
        mw_reply_fail(&r, rc, 0, rc == FLEETMOD_EINVAL ? why : NULL);
    else if ((rc = ready(inst)) != FLEETMOD_OK)
        mw_reply_fail(&r, rc, 0, NULL);
    else if (is_batch(which, &req, &r)) {
        rc = run_batch(inst, which, &req, write, sink);
        mw_log(&inst->log, LOG_INFO, "mobway: %s batch of %zu -> %s",
               call_names[which], which == CALL_SEND ? req.n_vins : req.n_ids,
               fleetmod_error_name(rc));
        mw_reply_free(&r);
        mw_request_free(&req);
        return rc;
    } else if (r.rc == FLEETMOD_OK)
        dispatch(inst, which, &req, &r);
    if (ours(inst))
        log_call(inst, which, &r, started);
    rc = mw_reply_write(&r, PROVIDER, write, sink);
    mw_reply_free(&r);
    mw_request_free(&req);
    return rc;
}

static fleetmod_rc mw_send(struct fleetmod_instance *inst, const char *req,
                           size_t len, fleetmod_write_fn write, void *sink)
{
    return call(inst, CALL_SEND, req, len, write, sink);
}

static fleetmod_rc mw_confirm(struct fleetmod_instance *inst, const char *req,
                              size_t len, fleetmod_write_fn write, void *sink)
{
    return call(inst, CALL_CONFIRM, req, len, write, sink);
}

static fleetmod_rc mw_status(struct fleetmod_instance *inst, const char *req,
                             size_t len, fleetmod_write_fn write, void *sink)
{
    return call(inst, CALL_STATUS, req, len, write, sink);
}

static const struct fleetmod_module table = {
    .struct_size = sizeof(struct fleetmod_module),
    .abi_version = FLEETMOD_ABI_VERSION,
    .name = PROVIDER,
    .version = MOBWAY_VERSION,
    .init = mw_init,
    .send = mw_send,
    .confirm = mw_confirm,
    .status = mw_status,
    .shutdown = mw_shutdown,
    .max_batch = MW_BATCH_MAX,
};

FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void)
{
    return &table;
}
