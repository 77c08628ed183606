/*
 * request.c - a call's request map, built key by key: struct
 * fleetmod_request holds the keys of 1.0 only (host.h, "Growth").
 */
#include "request.h"

/* Each setter leaves b as it was on failure, so the first failure is the
 * one reported. */
static fleetmod_rc set_str(struct fleetmod_msg_builder *b, const char *key,
                           const char *value, fleetmod_rc rc)
{
    if (rc != FLEETMOD_OK || !value)
        return rc;
    return fleetmod_msg_builder_set_str(b, key, value);
}

static fleetmod_rc set_strs(struct fleetmod_msg_builder *b, const char *key,
                            const char *const *values, size_t n, fleetmod_rc rc)
{
    if (rc != FLEETMOD_OK || n == 0)
        return rc;
    return fleetmod_msg_builder_set_strs(b, key, values, n);
}

static fleetmod_rc set_int(struct fleetmod_msg_builder *b, const char *key,
                           int64_t value, fleetmod_rc rc)
{
    if (rc != FLEETMOD_OK || value == 0)
        return rc;
    return fleetmod_msg_builder_set_int(b, key, value);
}

/* The keys in fleetmod_request_pack's order, absent ones left out as it
 * leaves them out. */
static fleetmod_rc set_request(struct fleetmod_msg_builder *b,
                               const struct fleetmod_request *r)
{
    fleetmod_rc rc = set_str(b, "vin", r->vin, FLEETMOD_OK);

    rc = set_strs(b, "vins", r->vins, r->n_vins, rc);
    rc = set_str(b, "command", r->command, rc);
    rc = set_str(b, "code", r->code, rc);
    rc = set_str(b, "id", r->id, rc);
    rc = set_strs(b, "ids", r->ids, r->n_ids, rc);
    rc = set_str(b, "request_id", r->request_id, rc);
    rc = set_str(b, "provider", r->provider, rc);
    /* wait_ms is below INT64_MAX: args.c bounds --wait. */
    return set_int(b, "wait_ms", (int64_t)r->wait_ms, rc);
}

fleetmod_rc fc_request_pack(const struct fleetmod_request *req,
                            const struct fc_guard_keys *g,
                            struct fleetmod_buf *out)
{
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    fleetmod_rc rc = b ? set_request(b, req) : FLEETMOD_ENOMEM;

    if (g) {
        rc = set_str(b, "requester", g->requester, rc);
        rc = set_str(b, "reason", g->reason, rc);
        rc = set_int(b, "deadline", g->deadline, rc);
    }
    if (rc == FLEETMOD_OK)
        rc = fleetmod_msg_builder_pack(b, out);
    fleetmod_msg_builder_free(b);
    return rc;
}
