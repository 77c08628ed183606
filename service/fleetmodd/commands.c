/*
 * commands.c - the routes that reach a provider, all through the guard:
 * POST /v1/commands, POST /v1/batches, POST /v1/commands/{journal}/confirm
 * and GET /v1/commands/{journal}. The requester is the one http.c
 * established, never the body's; an API key limited to some commands
 * gets 403 for the others before anything is journaled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body.h"
#include "fmd.h"

/* The longest "wait" a request may ask for, in seconds. */
#define WAIT_MAX 300

typedef fleetmod_rc (*guard_fn)(struct fleetmod_guard *, const char *, size_t,
                                fleetmod_write_fn, void *);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One call through the guard with b's request; counted in the metrics. */
static fleetmod_rc call(struct fmd *s, guard_fn fn,
                        const struct fleetmod_msg_builder *b,
                        const char *command, struct fleetmod_buf *out)
{
    struct fleetmod_buf req = {0};
    fleetmod_rc rc = fleetmod_msg_builder_pack(b, &req);
    if (rc != FLEETMOD_OK)
        return rc;
    int64_t t0 = now_ms();
    rc = fn(s->guard, req.data, req.len, fleetmod_buf_write, out);
    struct fleetmod_reply_map *m = NULL;
    fleetmod_reply_map_decode(out->data, out->len, &m);
    const char *prov = fleetmod_reply_get_str(m, "provider");
    const char *why = fleetmod_reply_get_str(m, "error.reason");
    if (prov && strcmp(prov, "stack") && strcmp(prov, "fleetmod"))
        fmd_metrics_breaker(prov, why && !strcmp(why, "breaker_open"));
    fmd_metrics_call(prov ? prov : "unknown", command ? command : "status",
                     fleetmod_rc_name(rc), now_ms() - t0);
    fleetmod_reply_map_free(m);
    fleetmod_buf_free(&req);
    return rc;
}

static bool key_denies(struct fmd_req *r, const char *command,
                       struct fmd_answer *a)
{
    if (!r->tcp || fmd_keys_allow(r->s->keys, r->key_idx, command))
        return false;
    fmd_answer_error(a, 403, FLEETMOD_EDENIED,
                     "the API key %s may not use the command %s", r->requester,
                     command);
    return true;
}

/* Queue the reply's state as an event and wake the watcher. */
static void event(struct fmd *s, const struct fleetmod_buf *out)
{
    fmd_event(s, out->data, out->len, false);
    fmd_watcher_poke(s->watcher);
}

/* After a send or confirm with wait: the newest state, when the command
 * got an id and is not terminal; else out stays as it is. */
static void wait_for(struct fmd *s, int64_t wait, struct fleetmod_buf *out)
{
    struct fleetmod_reply_map *m = NULL;
    bool terminal = true;
    if (wait <= 0 ||
        fleetmod_reply_map_decode(out->data, out->len, &m) != FLEETMOD_OK)
        return;
    const char *id = fleetmod_reply_get_str(m, "id");
    const char *prov = fleetmod_reply_get_str(m, "provider");
    fleetmod_reply_get_bool(m, "terminal", &terminal);
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    struct fleetmod_buf st = {0};
    if (b && id && prov && !terminal &&
        !fleetmod_msg_builder_set_str(b, "id", id) &&
        !fleetmod_msg_builder_set_str(b, "provider", prov) &&
        !fleetmod_msg_builder_set_int(b, "wait_ms", wait * 1000) &&
        call(s, fleetmod_guard_status, b, NULL, &st) == FLEETMOD_OK) {
        /* The status answer replaces the send's: same command, newer. */
        fleetmod_buf_free(out);
        *out = st;
        st = (struct fleetmod_buf){0};
        fmd_event(s, out->data, out->len, true);
    }
    fleetmod_buf_free(&st);
    fleetmod_msg_builder_free(b);
    fleetmod_reply_map_free(m);
}

/* The keys a send and a batch share, into b. */
static int common_keys(struct fmd_req *r, json_t *o,
                       struct fleetmod_msg_builder *b)
{
    const char *reason = fmd_body_str(o, "reason");
    int64_t deadline = fmd_body_int(o, "deadline");
    return fleetmod_msg_builder_set_str(b, "command",
                                        fmd_body_str(o, "command")) ||
           fleetmod_msg_builder_set_str(b, "requester", r->requester) ||
           (reason && fleetmod_msg_builder_set_str(b, "reason", reason)) ||
           (deadline && fleetmod_msg_builder_set_int(b, "deadline", deadline));
}

/* created: a command was created (not coalesced, not refused). */
static bool created(fleetmod_rc rc, const struct fleetmod_buf *out)
{
    struct fleetmod_reply_map *m = NULL;
    bool dup = false;
    if (rc != FLEETMOD_OK ||
        fleetmod_reply_map_decode(out->data, out->len, &m) != FLEETMOD_OK)
        return false;
    fleetmod_reply_get_bool(m, "duplicate", &dup);
    bool made = fleetmod_reply_get_str(m, "journal") && !dup;
    size_t n = fleetmod_reply_count(m, "results");
    for (size_t i = 0; i < n && !made; i++) {
        const struct fleetmod_reply_map *it =
            fleetmod_reply_item(m, "results", i);
        dup = false;
        fleetmod_reply_get_bool(it, "duplicate", &dup);
        made = fleetmod_reply_get_str(it, "journal") &&
               !fleetmod_reply_get_str(it, "error.name") && !dup;
    }
    fleetmod_reply_map_free(m);
    return made;
}

/* The one way a route calls the guard and answers: counted, queued as
 * an event (waking the watcher), then, when it went through and the
 * request asked to wait (wait > 0), the newest state. creates: a send,
 * whose reply says whether a command was created. */
static void call_and_answer(struct fmd_req *r, guard_fn fn,
                            const struct fleetmod_msg_builder *b,
                            const char *command, bool creates, int64_t wait,
                            struct fmd_answer *a)
{
    struct fleetmod_buf out = {0};
    fleetmod_rc rc = call(r->s, fn, b, command, &out);
    bool made = creates && created(rc, &out);
    event(r->s, &out);
    if (rc == FLEETMOD_OK)
        wait_for(r->s, wait, &out);
    fmd_answer_reply(a, rc, made, &out);
    fleetmod_buf_free(&out);
}

static const struct fmd_field send_fields[] = {
    {"vin", F_STR, true, 0},          {"command", F_STR, true, 0},
    {"reason", F_STR, false, 0},      {"deadline", F_INT, false, INT64_MAX},
    {"wait", F_INT, false, WAIT_MAX}, {"requester", F_STR, false, 0}};

void fmd_post_command(struct fmd_req *r, struct fmd_answer *a)
{
    json_t *o = fmd_body_parse(r, send_fields,
                               sizeof send_fields / sizeof *send_fields, a);
    if (!o)
        return;
    const char *command = fmd_body_str(o, "command");
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    if (key_denies(r, command, a)) {
    } else if (!b || common_keys(r, o, b) ||
               fleetmod_msg_builder_set_str(b, "vin", fmd_body_str(o, "vin"))) {
        fmd_answer_error(a, 500, FLEETMOD_ENOMEM, "out of memory");
    } else {
        call_and_answer(r, fleetmod_guard_send, b, command, true,
                        fmd_body_int(o, "wait"), a);
    }
    fleetmod_msg_builder_free(b);
    json_decref(o);
}

static const struct fmd_field batch_fields[] = {
    {"vins", F_STRS, true, 0},
    {"command", F_STR, true, 0},
    {"reason", F_STR, false, 0},
    {"deadline", F_INT, false, INT64_MAX},
    {"requester", F_STR, false, 0}};

/* The vins as a C array (pointers into o). */
static const char **vins_of(json_t *o, size_t *n)
{
    json_t *v = json_object_get(o, "vins");
    *n = json_array_size(v);
    const char **out = calloc(*n, sizeof *out);
    for (size_t i = 0; out && i < *n; i++)
        out[i] = json_string_value(json_array_get(v, i));
    return out;
}

void fmd_post_batch(struct fmd_req *r, struct fmd_answer *a)
{
    json_t *o = fmd_body_parse(r, batch_fields,
                               sizeof batch_fields / sizeof *batch_fields, a);
    if (!o)
        return;
    const char *command = fmd_body_str(o, "command");
    size_t n = 0;
    const char **vins = vins_of(o, &n);
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    if (key_denies(r, command, a)) {
    } else if (!vins || !b || common_keys(r, o, b) ||
               fleetmod_msg_builder_set_strs(b, "vins", vins, n)) {
        fmd_answer_error(a, 500, FLEETMOD_ENOMEM, "out of memory");
    } else {
        call_and_answer(r, fleetmod_guard_send, b, command, true, 0, a);
    }
    fleetmod_msg_builder_free(b);
    free(vins);
    json_decref(o);
}

/* ---- one journaled command ----------------------------------------------*/

struct row {
    char *vin, *command, *provider, *provider_id, *state;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int copy_row(void *user, const struct fleetmod_journal_row *r)
{
    struct row *o = user;
    o->vin = dup_or_null(r->vin);
    o->command = dup_or_null(r->command);
    o->provider = dup_or_null(r->provider);
    o->provider_id = dup_or_null(r->provider_id);
    o->state = dup_or_null(r->state);
    return 0;
}

static void free_row(struct row *o)
{
    free(o->vin);
    free(o->command);
    free(o->provider);
    free(o->provider_id);
    free(o->state);
}

/* The journal's row of id; false with the answer (404, 500) in a. */
static bool find_row(struct fmd_req *r, const char *id, struct row *o,
                     struct fmd_answer *a)
{
    char err[FLEETMOD_ERR_MAX] = "";
    fleetmod_rc rc = fleetmod_journal_show(r->s->journal, id, copy_row, NULL, o,
                                           err, sizeof err);
    if (rc == FLEETMOD_ENOTFOUND || (rc == FLEETMOD_OK && !o->state)) {
        fmd_answer_error(a, 404, FLEETMOD_ENOTFOUND,
                         "no command %s in the journal", id);
        return false;
    }
    if (rc != FLEETMOD_OK) {
        fmd_answer_error(a, 500, rc, "reading the journal: %s", err);
        return false;
    }
    return true;
}

static const struct fmd_field confirm_fields[] = {
    {"code", F_STR, true, 0},
    {"wait", F_INT, false, WAIT_MAX},
    {"reason", F_STR, false, 0},
    {"requester", F_STR, false, 0}};

void fmd_post_confirm(struct fmd_req *r, const char *id, struct fmd_answer *a)
{
    struct row row = {0};
    json_t *o = fmd_body_parse(
        r, confirm_fields, sizeof confirm_fields / sizeof *confirm_fields, a);
    struct fleetmod_msg_builder *b = NULL;
    if (!o || !find_row(r, id, &row, a) || key_denies(r, row.command, a)) {
    } else if (!(b = fleetmod_msg_builder_new()) || !row.vin ||
               fleetmod_msg_builder_set_str(b, "vin", row.vin) ||
               fleetmod_msg_builder_set_str(b, "command", row.command) ||
               fleetmod_msg_builder_set_str(b, "code",
                                            fmd_body_str(o, "code")) ||
               fleetmod_msg_builder_set_str(b, "provider", row.provider) ||
               fleetmod_msg_builder_set_str(b, "requester", r->requester) ||
               (fmd_body_str(o, "reason") &&
                fleetmod_msg_builder_set_str(b, "reason",
                                             fmd_body_str(o, "reason")))) {
        fmd_answer_error(a, 500, FLEETMOD_ENOMEM, "out of memory");
    } else {
        call_and_answer(r, fleetmod_guard_confirm, b, row.command, false,
                        fmd_body_int(o, "wait"), a);
    }
    fleetmod_msg_builder_free(b);
    free_row(&row);
    json_decref(o);
}

/* A row the provider never gave an id (refused, or lost while sending):
 * the journal is all there is to say. */
static void answer_from_row(const char *id, const struct row *row,
                            struct fmd_answer *a)
{
    bool sending = strcmp(row->state, "sending") == 0;
    json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s?, s:s?, s:s}", "provider",
                          row->provider ? row->provider : "", "status",
                          sending ? "pending" : "failed", "terminal", !sending,
                          "journal", id, "vin", row->vin, "command",
                          row->command, "state", row->state);
    a->status = 200;
    a->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
}

/* ?wait=SECONDS: 0 when absent; -1 when not a number up to WAIT_MAX. */
static int64_t wait_param(struct fmd_req *r)
{
    const char *w = r->query(r->conn, "wait");
    if (!w)
        return 0;
    char *end;
    long long v = strtoll(w, &end, 10);
    return (*w && !*end && v >= 0 && v <= WAIT_MAX) ? v : -1;
}

void fmd_get_command(struct fmd_req *r, const char *id, struct fmd_answer *a)
{
    struct row row = {0};
    int64_t wait = wait_param(r);
    struct fleetmod_msg_builder *b = NULL;
    struct fleetmod_buf out = {0};
    if (wait < 0) {
        fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                         "wait: expected seconds from 0 to %d", WAIT_MAX);
    } else if (!find_row(r, id, &row, a) || key_denies(r, row.command, a)) {
    } else if (!row.provider_id || !row.provider) {
        answer_from_row(id, &row, a);
    } else if (!(b = fleetmod_msg_builder_new()) ||
               fleetmod_msg_builder_set_str(b, "id", row.provider_id) ||
               fleetmod_msg_builder_set_str(b, "provider", row.provider) ||
               (wait &&
                fleetmod_msg_builder_set_int(b, "wait_ms", wait * 1000))) {
        fmd_answer_error(a, 500, FLEETMOD_ENOMEM, "out of memory");
    } else {
        fleetmod_rc rc = call(r->s, fleetmod_guard_status, b, NULL, &out);
        if (rc == FLEETMOD_OK)
            fmd_event(r->s, out.data, out.len, true);
        fmd_answer_reply(a, rc, false, &out);
    }
    fleetmod_buf_free(&out);
    fleetmod_msg_builder_free(b);
    free_row(&row);
}
