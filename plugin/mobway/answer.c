/* answer.c - Mobway's JSON answers into reply fields. */
#include "answer.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmap.h"
#include "json_msg.h"
#include "timeconv.h"
#include "validate.h"

static const char *const statuses[][2] = {
    {"Confirmation", "confirmation"},
    {"Pending", "pending"},
    {"Success", "success"},
    {"Error", "error"},
};

static const char *our_status(const char *theirs)
{
    for (size_t i = 0; theirs && i < 4; i++)
        if (strcmp(theirs, statuses[i][0]) == 0)
            return statuses[i][1];
    return NULL;
}

/* A UTC-3 time member into *out; absent or unreadable times are left out
 * rather than failing a command that did run. */
static bool take_time(const json_t *obj, const char *key, int64_t *out)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && mw_utc3_to_unix(s, out) == 0;
}

static char *take_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? strdup(s) : NULL;
}

static bool six_digits(const char *s)
{
    return s && strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

/* EUNKNOWN: "what; what to do next", the second half fitting route (a
 * status lookup runs nothing, so it is only asked again). */
static fleetmod_rc unknown(struct mw_reply *r, enum mw_route route, long status,
                           const char *what)
{
    char msg[400];

    snprintf(msg, sizeof msg, "%s; %s", what, mw_errmap_unknown_next(route));
    return mw_reply_fail(r, FLEETMOD_EUNKNOWN, status, msg);
}

static fleetmod_rc not_expected(struct mw_reply *r, enum mw_route route,
                                long status)
{
    return unknown(r, route, status,
                   "Mobway's answer is not the JSON expected");
}

/* msgpack-c starts a buffer at 8 KiB; a batch holds thousands of
 * replies, so each keeps only the bytes of its detail. */
static void shrink(msgpack_sbuffer *b)
{
    char *p = b->size ? realloc(b->data, b->size) : NULL;

    if (p) {
        b->data = p;
        b->alloc = b->size;
    }
}

static fleetmod_rc take_detail(const json_t *detail, enum mw_route route,
                               struct mw_reply *r, long status)
{
    msgpack_packer pk;

    if (json_is_string(detail))
        r->detail_text = strdup(json_string_value(detail));
    if (!json_is_object(detail))
        return FLEETMOD_OK;
    msgpack_packer_init(&pk, &r->detail, msgpack_sbuffer_write);
    if (mw_json_pack(&pk, detail, MW_JSON_MAX_DEPTH) != 0) {
        msgpack_sbuffer_clear(&r->detail);
        return not_expected(r, route, status);
    }
    shrink(&r->detail);
    r->has_executed = take_time(detail, "date_time", &r->executed);
    return FLEETMOD_OK;
}

/* The id the host follows the command up with: one status would refuse
 * (a number, a path, a megabyte) is no id, and a command POST that Mobway
 * took (Pending, Success) without one cannot be followed up, though it
 * may have been registered. */
static fleetmod_rc take_id(const json_t *root, enum mw_route route,
                           const char *st, long status, struct mw_reply *r)
{
    const json_t *v = json_object_get(root, "id");
    bool needed = route == MW_ROUTE_COMMAND &&
                  (strcmp(st, "pending") == 0 || strcmp(st, "success") == 0);

    if ((!v || json_is_null(v)) && !needed)
        return FLEETMOD_OK;
    if (!mw_id_valid(json_string_value(v)))
        return unknown(r, route, status,
                       "Mobway's answer has no usable command id");
    free(r->id);
    r->id = strdup(json_string_value(v));
    return FLEETMOD_OK;
}

/* A status answer names its vehicle and command; the request did not.
 * Shapes the module would not send are left out (they reach logs). */
static void take_vin_command(const json_t *root, struct mw_reply *r)
{
    const char *vin = json_string_value(json_object_get(root, "vin"));
    const char *command = json_string_value(json_object_get(root, "command"));

    if (!r->vin && mw_vin_valid(MW_VIN_LOOSE, vin) &&
        (r->own_vin = strdup(vin)))
        r->vin = r->own_vin;
    if (!r->command && mw_command_valid(command) &&
        (r->own_command = strdup(command)))
        r->command = r->own_command;
}

static fleetmod_rc read_ok(const json_t *root, enum mw_route route, long status,
                           struct mw_reply *r)
{
    const char *st =
        our_status(json_string_value(json_object_get(root, "status")));
    const json_t *detail = json_object_get(root, "detail");
    fleetmod_rc rc;

    if (!st)
        return not_expected(r, route, status);
    /* a command POST that Mobway answers with Error and one of its
     * documented texts failed for that documented reason */
    rc = mw_errmap_text(json_string_value(detail));
    if (route == MW_ROUTE_COMMAND && strcmp(st, "error") == 0 && rc) {
        /* a usable id stays: the operator follows the command up by it */
        const char *id = json_string_value(json_object_get(root, "id"));
        if (mw_id_valid(id) && !r->id)
            r->id = strdup(id);
        return mw_reply_fail(r, rc, status, json_string_value(detail));
    }
    if (take_id(root, route, st, status, r) != FLEETMOD_OK)
        return r->rc;
    if (route == MW_ROUTE_STATUS)
        take_vin_command(root, r);
    if (strcmp(st, "confirmation") == 0) {
        r->code = take_str(root, "code");
        r->message = take_str(root, "message");
        if (!six_digits(r->code) || !r->message)
            return not_expected(r, route, status);
    }
    r->has_created = take_time(root, "created", &r->created);
    r->has_updated = take_time(root, "updated", &r->updated);
    r->status = st;
    return take_detail(detail, route, r, status);
}

static fleetmod_rc read_error(const json_t *root, const struct mw_exchange *ex,
                              struct mw_reply *r)
{
    const char *text = json_string_value(json_object_get(root, "detail"));
    fleetmod_rc rc = mw_errmap_http(ex->route, ex->status, text);
    char what[64];

    if (!text && rc == FLEETMOD_EUNKNOWN) {
        /* no text of Mobway's: ours, fitting the route */
        snprintf(what, sizeof what, "Mobway answered HTTP %ld without a reason",
                 ex->status);
        unknown(r, ex->route, ex->status, what);
    } else
        mw_reply_fail(r, rc, ex->status, text);
    r->retry_after_ms = rc == FLEETMOD_ERATELIMIT ? ex->retry_after_ms : -1;
    return rc;
}

/* An exchange that got no HTTP answer, in our words: what happened, then
 * what was not done or what to do, fitting the route; libcurl's own text
 * goes to detail (once), for whoever debugs the connection. */
static fleetmod_rc read_transport(const struct mw_exchange *ex,
                                  struct mw_reply *r)
{
    const char *what = ex->what ? ex->what : "no answer came";
    char msg[400];

    if (ex->outcome == MW_UNREACHABLE) {
        snprintf(msg, sizeof msg, "%s; %s", what,
                 mw_errmap_not_sent(ex->route));
        mw_reply_fail(r, FLEETMOD_EUNREACHABLE, 0, msg);
    } else
        unknown(r, ex->route, ex->status, what);
    free(r->detail_text);
    r->detail_text = ex->error[0] ? strdup(ex->error) : NULL;
    return r->rc;
}

fleetmod_rc mw_answer_read(const struct mw_exchange *ex, struct mw_reply *r)
{
    json_t *root;
    fleetmod_rc rc;

    if (ex->outcome != MW_ANSWERED)
        return read_transport(ex, r);
    root = ex->resp ? mw_json_load(ex->resp, ex->resp_len) : NULL;
    if (ex->status / 100 == 2)
        rc = json_is_object(root) ? read_ok(root, ex->route, ex->status, r)
                                  : not_expected(r, ex->route, ex->status);
    else
        rc = read_error(root, ex, r);
    json_decref(root);
    return rc;
}
