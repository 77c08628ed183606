/*
 * jsonrow.c - journal rows and events as JSON.
 */
#include "jsonrow.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* An object under construction: one check at the end covers every
 * allocation (json_object_set_new fails on a NULL value or object). */
struct obj {
    json_t *o;
    bool bad;
};

static void put(struct obj *b, const char *key, json_t *v)
{
    b->bad |= json_object_set_new(b->o, key, v) != 0;
}

static void put_str(struct obj *b, const char *key, const char *s)
{
    put(b, key, s ? json_string(s) : json_null());
}

/* unset: the value that means "none" (0 for times, -1 for rc). */
static void put_int(struct obj *b, const char *key, int64_t v, int64_t unset)
{
    put(b, key, v == unset ? json_null() : json_integer((json_int_t)v));
}

static json_t *done(struct obj *b)
{
    if (!b->bad)
        return b->o;
    json_decref(b->o);
    return NULL;
}

json_t *fc_json_row(const struct fleetmod_journal_row *r)
{
    struct obj b = {json_object(), false};

    put_str(&b, "journal_id", r->journal_id);
    put_str(&b, "host_id", r->host_id);
    put_str(&b, "provider", r->provider);
    put_str(&b, "vin", r->vin);
    put_str(&b, "command", r->command);
    put_str(&b, "requester", r->requester);
    put_str(&b, "reason", r->reason);
    put_str(&b, "request_id", r->request_id);
    put_str(&b, "provider_id", r->provider_id);
    put_str(&b, "state", r->state);
    put_int(&b, "rc", r->rc, -1);
    put_str(&b, "error_name", r->error_name);
    put_str(&b, "delivered", r->delivered);
    put_int(&b, "deadline", r->deadline, 0);
    put(&b, "late", json_boolean(r->late));
    put_int(&b, "created_at", r->created_at, 0);
    put_int(&b, "sent_at", r->sent_at, 0);
    put_int(&b, "updated_at", r->updated_at, 0);
    put_int(&b, "executed_at", r->executed_at, 0);
    put_int(&b, "latency_ms", r->latency_ms, -1);
    return done(&b);
}

json_t *fc_json_event(const struct fleetmod_journal_event *e)
{
    struct obj b = {json_object(), false};

    put_int(&b, "seq", e->seq, -1);
    put_str(&b, "host_id", e->host_id);
    put_str(&b, "journal_id", e->journal_id);
    put_int(&b, "at", e->at, 0);
    put_str(&b, "kind", e->kind);
    put_str(&b, "state", e->state);
    put_int(&b, "rc", e->rc, -1);
    put_str(&b, "error_name", e->error_name);
    put_str(&b, "delivered", e->delivered);
    put_str(&b, "provider_id", e->provider_id);
    put_int(&b, "http_status", e->http_status, 0);
    put_int(&b, "executed_at", e->executed_at, 0);
    put(&b, "late", json_boolean(e->late));
    put_str(&b, "note", e->note);
    put_str(&b, "detail", e->detail);
    put_str(&b, "hash", e->hash);
    return done(&b);
}

int fc_json_print(const json_t *o)
{
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    if (!text) {
        fputs("fleetcmd: ENOMEM: no memory for a JSON line\n", stderr);
        return -1;
    }
    puts(text);
    free(text);
    return 0;
}
