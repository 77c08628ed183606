/*
 * fake.c - a well-behaved module whose answers the tests choose.
 *
 * Its config_path is not a file but a label ("alpha"); the instance
 * answers as that label says:
 *   - init fails with rc N when the label is "initrc=N", logging nothing;
 *     with "saysrc=N" it fails with rc N after logging why as a module
 *     does: two LOG_ERR lines ("fake: saysrc=N: refused as its label
 *     asks", "fake: and a second problem") and one LOG_WARNING.
 *   - send/confirm: EDENIED when the VIN contains "[LABEL:deny]",
 *     EUNREACHABLE when it contains "[LABEL:unreach]", else OK (status
 *     "pending", id "LABEL-1").
 *   - status: ENOTFOUND when the id contains "[LABEL:notfound]",
 *     EUNREACHABLE for "[LABEL:unreach]", else OK.
 *   - send: a VIN containing "[LABEL:garbage]" gets rc OK and a reply that
 *     is not msgpack (a broken module, for the stack's relay).
 *   - a batch (send "vins", status "ids") answers one result per item, as
 *     above, each echoing the request's "command" and "wait_ms" (so tests
 *     see what reached the module), under a top that echoes
 *     "request_id". It fails as a whole when an item contains
 *     "[LABEL:batchunreach]" (EUNREACHABLE, error map with delivered "no"),
 *     "[LABEL:batchdeny]" (EDENIED, likewise) or "[LABEL:batchgarbage]"
 *     (rc OK, not msgpack).
 *   - a request that is not a map: EINVAL.
 * Its table states no max_batch (fake_big.so: FAKE_MAX_BATCH).
 * Every reply carries "label" and "call", and every call is logged as
 * "LABEL CALL" at LOG_DEBUG ("LABEL CALL N" for a batch of N items), so
 * tests can count which instance got what.
 * It keeps no mutable state: any number of threads may call it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include <fleetmod/module.h>
#include "../../../lib/msgmap.h"

struct fleetmod_instance {
    void *user;
    void (*log)(void *user, int level, const char *msg);
    char label[64];
};

static fleetmod_rc init(const struct fleetmod_host *host, const char *config,
                        struct fleetmod_instance **out)
{
    const char *label = config ? config : "default";
    if (strncmp(label, "initrc=", 7) == 0)
        return (fleetmod_rc)atoi(label + 7);
    if (strncmp(label, "saysrc=", 7) == 0) {
        char line[128];
        snprintf(line, sizeof line, "fake: %.64s: refused as its label asks",
                 label);
        if (host && host->log) {
            host->log(host->user, 3, line);
            host->log(host->user, 4, "fake: a warning is not why");
            host->log(host->user, 3, "fake: and a second problem");
        }
        return (fleetmod_rc)atoi(label + 7);
    }
    struct fleetmod_instance *in = calloc(1, sizeof *in);
    if (!in)
        return FLEETMOD_ENOMEM;
    if (host) {
        in->user = host->user;
        in->log = host->log;
    }
    snprintf(in->label, sizeof in->label, "%s", label);
    *out = in;
    return FLEETMOD_OK;
}

static void fake_shutdown(struct fleetmod_instance *in)
{
    free(in);
}

/* The str value of key in map o as a NUL-terminated copy in out. */
static int get_str(const msgpack_object *o, const char *key, char *out,
                   size_t size)
{
    const msgpack_object *v = msgmap_get(o, key);

    if (!v || v->type != MSGPACK_OBJECT_STR || v->via.str.size >= size)
        return 0;
    memcpy(out, v->via.str.ptr, v->via.str.size);
    out[v->via.str.size] = '\0';
    return 1;
}

static int has_token(const struct fleetmod_instance *in, const char *text,
                     const char *what)
{
    char token[128];
    snprintf(token, sizeof token, "[%s:%s]", in->label, what);
    return !!strstr(text, token);
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

static void pack_kv(msgpack_packer *pk, const char *k, const char *v)
{
    pack_str(pk, k);
    pack_str(pk, v);
}

/* provider, status, terminal, label, call and, when given, vin and id;
 * for an item of a batch, the batch request's command and wait_ms. */
static void pack_reply(msgpack_packer *pk, const struct fleetmod_instance *in,
                       const char *call, fleetmod_rc rc, const char *vin,
                       const char *id, const msgpack_object *batch_req)
{
    const char *names[] = {"command", "wait_ms"};
    const msgpack_object *echo[] = {NULL, NULL};
    for (int i = 0; i < 2 && batch_req; i++)
        echo[i] = msgmap_get(batch_req, names[i]);
    int extra = !!vin + !!id + (rc != FLEETMOD_OK) + !!echo[0] + !!echo[1];
    msgpack_pack_map(pk, 5 + extra);
    pack_kv(pk, "provider", "fake");
    pack_kv(pk, "status", rc == FLEETMOD_OK ? "pending" : "failed");
    pack_str(pk, "terminal");
    if (rc == FLEETMOD_OK)
        msgpack_pack_false(pk);
    else
        msgpack_pack_true(pk);
    pack_kv(pk, "label", in->label);
    pack_kv(pk, "call", call);
    if (vin)
        pack_kv(pk, "vin", vin);
    if (id)
        pack_kv(pk, "id", id);
    for (int i = 0; i < 2; i++) {
        if (echo[i]) {
            pack_str(pk, names[i]);
            msgpack_pack_object(pk, *echo[i]);
        }
    }
    if (rc != FLEETMOD_OK) {
        pack_str(pk, "error");
        msgpack_pack_map(pk, 1);
        pack_str(pk, "code");
        msgpack_pack_int(pk, rc);
    }
}

static fleetmod_rc outcome(const struct fleetmod_instance *in, const char *call,
                           const char *text)
{
    if (strcmp(call, "status") == 0 && has_token(in, text, "notfound"))
        return FLEETMOD_ENOTFOUND;
    if (strcmp(call, "status") != 0 && has_token(in, text, "deny"))
        return FLEETMOD_EDENIED;
    if (has_token(in, text, "unreach"))
        return FLEETMOD_EUNREACHABLE;
    return FLEETMOD_OK;
}

/* The NUL-terminated text of a str object (truncated to size). */
static void text_of(const msgpack_object *o, char *out, size_t size)
{
    size_t n = 0;
    if (o->type == MSGPACK_OBJECT_STR)
        n = o->via.str.size < size ? o->via.str.size : size - 1;
    if (n > 0)
        memcpy(out, o->via.str.ptr, n);
    out[n] = '\0';
}

/* Whether an item of list holds the token [LABEL:what]. */
static int any_item_has(const struct fleetmod_instance *in,
                        const msgpack_object *list, const char *what)
{
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        char item[128];
        text_of(&list->via.array.ptr[i], item, sizeof item);
        if (has_token(in, item, what))
            return 1;
    }
    return 0;
}

/* A batch failed as a whole with rc: one failure map, no results. */
static fleetmod_rc batch_failed(msgpack_packer *pk,
                                const struct fleetmod_instance *in,
                                const char *call, fleetmod_rc rc,
                                const char *message)
{
    msgpack_pack_map(pk, 6);
    pack_kv(pk, "provider", "fake");
    pack_kv(pk, "status", "failed");
    pack_str(pk, "terminal");
    msgpack_pack_true(pk);
    pack_kv(pk, "label", in->label);
    pack_kv(pk, "call", call);
    pack_str(pk, "error");
    msgpack_pack_map(pk, 3);
    pack_str(pk, "code");
    msgpack_pack_int(pk, rc);
    pack_kv(pk, "message", message);
    pack_kv(pk, "delivered", "no");
    return rc;
}

static fleetmod_rc batch(msgpack_packer *pk, struct fleetmod_instance *in,
                         const char *call, const msgpack_object *req,
                         const msgpack_object *list, fleetmod_write_fn write,
                         void *sink)
{
    if (any_item_has(in, list, "batchgarbage"))
        return write(sink, "\xc1garbage", 8) == 0 ? FLEETMOD_OK
                                                  : FLEETMOD_ENOMEM;
    if (any_item_has(in, list, "batchunreach"))
        return batch_failed(pk, in, call, FLEETMOD_EUNREACHABLE,
                            "fake: the whole batch is unreachable");
    if (any_item_has(in, list, "batchdeny"))
        return batch_failed(pk, in, call, FLEETMOD_EDENIED,
                            "fake: the whole batch is denied");
    const msgpack_object *rid = msgmap_get(req, "request_id");
    msgpack_pack_map(pk, 4 + !!rid);
    pack_kv(pk, "provider", "fake");
    pack_kv(pk, "status", "batch");
    pack_str(pk, "terminal");
    msgpack_pack_true(pk);
    if (rid) {
        pack_str(pk, "request_id");
        msgpack_pack_object(pk, *rid);
    }
    pack_str(pk, "results");
    msgpack_pack_array(pk, list->via.array.size);
    for (uint32_t i = 0; i < list->via.array.size; i++) {
        char item[128];
        text_of(&list->via.array.ptr[i], item, sizeof item);
        int status = strcmp(call, "status") == 0;
        pack_reply(pk, in, call, outcome(in, call, item), status ? NULL : item,
                   status ? item : NULL, req);
    }
    return FLEETMOD_OK;
}

/* The request's batch list (vins, or ids for status), or NULL. */
static const msgpack_object *batch_list(const msgpack_object *req,
                                        const char *call)
{
    const msgpack_object *list =
        msgmap_get(req, strcmp(call, "status") == 0 ? "ids" : "vins");
    return list && list->type == MSGPACK_OBJECT_ARRAY ? list : NULL;
}

static void log_call(const struct fleetmod_instance *in, const char *call,
                     const msgpack_object *list)
{
    char msg[128];
    if (!in->log)
        return;
    if (list)
        snprintf(msg, sizeof msg, "%s %s %u", in->label, call,
                 list->via.array.size);
    else
        snprintf(msg, sizeof msg, "%s %s", in->label, call);
    in->log(in->user, 7, msg);
}

static fleetmod_rc answer(struct fleetmod_instance *in, const char *call,
                          const char *req, size_t len, fleetmod_write_fn write,
                          void *sink)
{
    char vin[128] = "", id[128] = "";
    msgpack_packer pk;
    msgpack_packer_init(&pk, sink, write);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    fleetmod_rc rc = FLEETMOD_EINVAL;
    int map =
        msgpack_unpack_next(&u, req, len, NULL) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP;
    const msgpack_object *list = map ? batch_list(&u.data, call) : NULL;
    log_call(in, call, list);
    if (list) {
        rc = batch(&pk, in, call, &u.data, list, write, sink);
        msgpack_unpacked_destroy(&u);
        return rc;
    }
    if (map) {
        get_str(&u.data, "vin", vin, sizeof vin);
        get_str(&u.data, "id", id, sizeof id);
        rc = outcome(in, call, strcmp(call, "status") == 0 ? id : vin);
    }
    msgpack_unpacked_destroy(&u);
    if (rc == FLEETMOD_OK && has_token(in, vin, "garbage"))
        return write(sink, "\xc1garbage", 8) == 0 ? FLEETMOD_OK
                                                  : FLEETMOD_ENOMEM;
    if (rc == FLEETMOD_OK && id[0] == '\0')
        snprintf(id, sizeof id, "%s-1", in->label);
    pack_reply(&pk, in, call, rc, vin[0] != '\0' ? vin : NULL,
               id[0] != '\0' ? id : NULL, NULL);
    return rc;
}

static fleetmod_rc fake_send(struct fleetmod_instance *in, const char *req,
                             size_t len, fleetmod_write_fn write, void *sink)
{
    return answer(in, "send", req, len, write, sink);
}

static fleetmod_rc fake_confirm(struct fleetmod_instance *in, const char *req,
                                size_t len, fleetmod_write_fn write, void *sink)
{
    return answer(in, "confirm", req, len, write, sink);
}

static fleetmod_rc fake_status(struct fleetmod_instance *in, const char *req,
                               size_t len, fleetmod_write_fn write, void *sink)
{
    return answer(in, "status", req, len, write, sink);
}

/* Built as fake.so, a 1.0 table without max_batch (its struct_size ends at
 * shutdown), so hosts must take FLEETMOD_BATCH_DEFAULT; built with
 * -DFAKE_MAX_BATCH=N (fake_big.so), a 1.1 table stating its limit. */
static const struct fleetmod_module table = {
#ifdef FAKE_MAX_BATCH
    .struct_size = sizeof(struct fleetmod_module),
    .max_batch = FAKE_MAX_BATCH,
#else
    .struct_size =
        offsetof(struct fleetmod_module, shutdown) + sizeof table.shutdown,
#endif
    .abi_version = FLEETMOD_ABI_VERSION,
    .name = "fake",
    .version = "1.0.0",
    .init = init,
    .send = fake_send,
    .confirm = fake_confirm,
    .status = fake_status,
    .shutdown = fake_shutdown,
};

FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void)
{
    return &table;
}
