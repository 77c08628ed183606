/*
 * fuzz_answer.c - the module reading whatever Mobway answers, on every
 * route: POST /token (mw_token_get, whose exchange is answered from the
 * input), POST /vehicle-command and GET /vehicle-command/{id}
 * (mw_answer_read on a finished exchange).
 *
 * The input's first byte picks the route (high bits) and the HTTP status
 * (low four bits, from a table that also holds the two transport
 * failures); the rest is the answer's body. Then the reply is packed as
 * the module would send it, and checked: exactly one msgpack map; the rc
 * kept in the reply; "failed" exactly when the rc is not OK; never OK for
 * a status other than 2xx; a confirmation carries a 6-digit code; an id
 * in the reply is one status accepts, and a command taken (pending,
 * success) has one; a status reply's vin and command have the shapes the
 * module sends.
 */
#include <assert.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "token.h"
#include "validate.h"

/* Status 0: nothing answered (the request never left); 1: the request may
 * have left and no usable answer came. */
static const long statuses[16] = {200, 201, 204, 299, 0,   1,   400, 401,
                                  403, 404, 409, 422, 429, 500, 502, 503};

static const uint8_t *body;
static size_t body_len;
static long status;

/* The answer of an exchange, as http.c leaves it. */
static void answer(struct mw_exchange *ex)
{
    ex->outcome = status == 0   ? MW_UNREACHABLE
                  : status == 1 ? MW_UNKNOWN
                                : MW_ANSWERED;
    ex->status = ex->outcome == MW_ANSWERED ? status : 0;
    ex->retry_after_ms = status == 429 ? 1000 : -1;
    strcpy(ex->error, ex->outcome == MW_ANSWERED ? "" : "Connection refused");
    if (ex->outcome != MW_ANSWERED || body_len == 0)
        return;
    ex->resp = malloc(body_len + 1);
    assert(ex->resp);
    memcpy(ex->resp, body, body_len);
    ex->resp[body_len] = '\0';
    ex->resp_len = body_len;
}

/* The token fetch's exchange (linked with --wrap=mw_http_exchange). */
int __wrap_mw_http_exchange(struct mw_http *h, struct mw_exchange *ex);
int __wrap_mw_http_exchange(struct mw_http *h, struct mw_exchange *ex)
{
    (void)h;
    mw_exchange_reset(ex);
    answer(ex);
    return 0;
}

static fleetmod_rc read_token(struct mw_reply *r)
{
    struct mw_config cfg = {0};
    struct mw_token t;
    struct mw_token_error err;
    char *token = NULL, why[64];
    uint64_t gen;
    fleetmod_rc rc;

    assert(mw_secret_set(&cfg.client_id, "demo-client", why, sizeof why) == 0);
    assert(mw_secret_set(&cfg.client_secret, "demo secret&=", why,
                         sizeof why) == 0);
    mw_token_init(&t);
    rc = mw_token_get(&t, NULL, &cfg, 0, &token, &gen, &err);
    if (rc != FLEETMOD_OK)
        mw_reply_fail(r, rc, err.http_status, err.message);
    assert((rc == FLEETMOD_OK) == !!token);
    if (token)
        assert(token[0] != '\0');
    mw_token_drop(token);
    mw_token_destroy(&t);
    mw_config_free(&cfg);
    return rc;
}

static fleetmod_rc read_answer(enum mw_route route, struct mw_reply *r)
{
    struct mw_exchange ex = {.route = route};
    fleetmod_rc rc;

    mw_exchange_reset(&ex);
    answer(&ex);
    rc = mw_answer_read(&ex, r);
    mw_exchange_reset(&ex);
    return rc;
}

static void check_packed(const struct mw_reply *r)
{
    msgpack_sbuffer buf;
    msgpack_packer pk;
    msgpack_unpacked msg;
    size_t off = 0;

    msgpack_sbuffer_init(&buf);
    msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
    assert(mw_reply_pack(&pk, "mobway", r) == 0);
    msgpack_unpacked_init(&msg);
    assert(msgpack_unpack_next(&msg, buf.data, buf.size, &off) ==
           MSGPACK_UNPACK_SUCCESS);
    assert(off == buf.size && msg.data.type == MSGPACK_OBJECT_MAP);
    msgpack_unpacked_destroy(&msg);
    msgpack_sbuffer_destroy(&buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum mw_route route;
    struct mw_reply r;
    fleetmod_rc rc;

    if (size == 0)
        return 0;
    route = (enum mw_route)((data[0] >> 4) % 3);
    status = statuses[data[0] & 0x0f];
    body = data + 1;
    body_len = size - 1;
    /* a status request names no vehicle or command, as in mobway.c */
    if (route == MW_ROUTE_STATUS)
        mw_reply_init(&r, "req-1", NULL, NULL);
    else
        mw_reply_init(&r, "req-1", "6AHFT68CKAF501652", "location");
    rc = route == MW_ROUTE_TOKEN ? read_token(&r) : read_answer(route, &r);
    assert(rc == r.rc || (route == MW_ROUTE_TOKEN && rc == FLEETMOD_OK));
    assert((rc == FLEETMOD_OK) == (strcmp(r.status, "failed") != 0) ||
           route == MW_ROUTE_TOKEN);
    if (status / 100 != 2)
        assert(rc != FLEETMOD_OK);
    if (strcmp(r.status, "confirmation") == 0)
        assert(r.code && strlen(r.code) == 6);
    if (r.id)
        assert(mw_id_valid(r.id));
    if (route == MW_ROUTE_COMMAND &&
        (strcmp(r.status, "pending") == 0 || strcmp(r.status, "success") == 0))
        assert(r.id);
    if (r.vin)
        assert(mw_vin_valid(MW_VIN_LOOSE, r.vin));
    if (r.command)
        assert(mw_command_valid(r.command));
    check_packed(&r);
    mw_reply_free(&r);
    return 0;
}
