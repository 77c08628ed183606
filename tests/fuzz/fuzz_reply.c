/*
 * fuzz_reply.c - libfleetmod reading what a module wrote: any bytes
 * through fleetmod_reply_decode and fleetmod_msg_to_json, as a host
 * would run them on a buggy or hostile module's reply.
 *
 * Checks host.h's promises: decode gives OK, EINVAL or ENOMEM; a decoded
 * reply (and every batch result) has its provider and status, and an
 * error name and message whenever it has an error; the JSON rendering,
 * when there is one, is JSON (jansson reads it back; a \u0000 in a key
 * is valid JSON that jansson alone refuses to hold).
 */
#include <assert.h>
#include <fleetmod/host.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

static void check_reply(const struct fleetmod_reply *r)
{
    assert(r->provider && r->status);
    if (r->has_error)
        assert(r->error.name && r->error.message);
    assert((!r->results) == (r->n_results == 0));
    for (size_t i = 0; i < r->n_results; i++)
        check_reply(&r->results[i]);
}

static void check_json(const uint8_t *data, size_t size)
{
    char *text = fleetmod_msg_to_json((const char *)data, size);
    json_error_t err;
    json_t *v;

    if (!text)
        return;
    v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    assert(v || json_error_code(&err) == json_error_null_byte_in_key);
    json_decref(v);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fleetmod_reply r;
    fleetmod_rc rc = fleetmod_reply_decode((const char *)data, size, &r);

    assert(rc == FLEETMOD_OK || rc == FLEETMOD_EINVAL || rc == FLEETMOD_ENOMEM);
    if (rc == FLEETMOD_OK)
        check_reply(&r);
    fleetmod_reply_free(&r);
    check_json(data, size);
    return 0;
}
