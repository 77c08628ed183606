/*
 * request.c - struct fleetmod_request to a msgpack map, so that a C host
 * never packs msgpack by hand.
 */
#include <string.h>

#include "internal.h"

static int pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

/* One key with a string value; nothing when the value is NULL. */
static int pack_kv(msgpack_packer *pk, const char *key, const char *value)
{
    return value && (pack_str(pk, key) || pack_str(pk, value));
}

static int pack_list(msgpack_packer *pk, const char *key,
                     const char *const *items, size_t n)
{
    if (n == 0)
        return 0;
    int fail = pack_str(pk, key) || msgpack_pack_array(pk, n);
    for (size_t i = 0; i < n && !fail; i++)
        fail = pack_str(pk, items[i] ? items[i] : "");
    return fail;
}

static size_t count_keys(const struct fleetmod_request *r)
{
    const char *strs[] = {r->vin, r->command,    r->code,
                          r->id,  r->request_id, r->provider};
    size_t n = 0;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        n += !!strs[i];
    return n + (r->wait_ms != 0) + (r->n_vins != 0) + (r->n_ids != 0);
}

FLEETMOD_API fleetmod_rc fleetmod_request_pack(
    const struct fleetmod_request *req, struct fleetmod_buf *out)
{
    size_t start = out->len;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, fleetmod_buf_write);
    int fail = msgpack_pack_map(&pk, count_keys(req)) ||
               pack_kv(&pk, "vin", req->vin) ||
               pack_list(&pk, "vins", req->vins, req->n_vins) ||
               pack_kv(&pk, "command", req->command) ||
               pack_kv(&pk, "code", req->code) || pack_kv(&pk, "id", req->id) ||
               pack_list(&pk, "ids", req->ids, req->n_ids) ||
               pack_kv(&pk, "request_id", req->request_id) ||
               pack_kv(&pk, "provider", req->provider);
    if (!fail && req->wait_ms != 0)
        fail =
            pack_str(&pk, "wait_ms") || msgpack_pack_uint64(&pk, req->wait_ms);
    if (fail) {
        /* Leave out as it was: half a map would poison what follows. */
        out->len = start;
        return FLEETMOD_ENOMEM;
    }
    return FLEETMOD_OK;
}
