/*
 * fuzz_request.c - the module's request decoder (mw_request_decode) on any
 * bytes: send, confirm and status maps, batches with vins and ids.
 *
 * Besides what the sanitizers catch (an overread, a leak, a claimed size
 * trusted), it checks the decoder's promises: OK or EINVAL, with a reason
 * for every EINVAL; batches within MW_BATCH_MAX; an accepted input is one
 * msgpack map to msgpack-c too. ENOMEM is a failure here: inputs are
 * small, so it can only mean that the decoder's own scan passed a value
 * msgpack-c then refused.
 */
#include <assert.h>
#include <msgpack.h>
#include <stdint.h>
#include <string.h>

#include "request.h"

static void check_list(char **list, size_t n)
{
    assert((!list) == (n == 0));
    assert(n <= MW_BATCH_MAX);
    for (size_t i = 0; i < n; i++)
        assert(list[i]);
}

/* The decoder's scan and msgpack-c must agree that the input is one value
 * that is a map whenever the decoder accepts it. */
static void check_is_map(const uint8_t *data, size_t size)
{
    msgpack_unpacked msg;
    size_t off = 0;

    msgpack_unpacked_init(&msg);
    assert(msgpack_unpack_next(&msg, (const char *)data, size, &off) ==
           MSGPACK_UNPACK_SUCCESS);
    assert(off == size);
    assert(msg.data.type == MSGPACK_OBJECT_MAP);
    msgpack_unpacked_destroy(&msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mw_request r;
    char why[256] = "";
    fleetmod_rc rc =
        mw_request_decode((const char *)data, size, &r, why, sizeof why);

    assert(rc == FLEETMOD_OK || rc == FLEETMOD_EINVAL);
    if (rc == FLEETMOD_EINVAL)
        assert(why[0] != '\0');
    if (rc == FLEETMOD_OK) {
        check_is_map(data, size);
        check_list(r.vins, r.n_vins);
        check_list(r.ids, r.n_ids);
    }
    mw_request_free(&r);
    return 0;
}
