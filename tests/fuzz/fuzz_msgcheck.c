/*
 * fuzz_msgcheck.c - fleetmod/msgcheck.h, the one check of untrusted
 * msgpack that modules, libfleetmod and the conformance tool share, on any
 * bytes, against msgpack-c itself.
 *
 * Besides what the sanitizers catch (an overread, a claimed size trusted:
 * a large allocation ends the run at -rss_limit_mb), it checks the
 * header's promises: what the check passes, msgpack-c unpacks to the same
 * length; what msgpack-c packs, the check passes whole; fleetmod_msg_unpack
 * agrees with the check; map lookups stay inside the object.
 */
#include <assert.h>
#include <stdint.h>

#include <fleetmod/msgcheck.h>

/* msgpack-c's own packing of obj is one object the check passes whole. */
static void check_repacked(const msgpack_object *obj)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    assert(msgpack_pack_object(&pk, *obj) == 0);
    assert(fleetmod_msg_check(sb.data, sb.size) == sb.size);
    msgpack_sbuffer_destroy(&sb);
}

/* Keys every reader looks up: each found value is inside the map. */
static void check_lookups(const msgpack_object *obj)
{
    static const char *const keys[] = {"vin",   "vins",    "id", "status",
                                       "error", "results", ""};

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const msgpack_object *v = fleetmod_msg_map_get(obj, keys[i]);
        if (!v)
            continue;
        assert(obj->type == MSGPACK_OBJECT_MAP);
        assert((const void *)v >= (const void *)obj->via.map.ptr &&
               (const void *)v <
                   (const void *)(obj->via.map.ptr + obj->via.map.size));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    size_t n = fleetmod_msg_check(buf, size);
    msgpack_zone zone;
    msgpack_object obj;
    size_t off = 0;
    fleetmod_rc rc;

    assert(n <= size);
    if (!msgpack_zone_init(&zone, 1024))
        return 0;
    rc = fleetmod_msg_unpack(buf, size, &zone, &obj);
    assert(rc == (n == size && size > 0 ? FLEETMOD_OK : FLEETMOD_EINVAL));
    if (n > 0) {
        assert(msgpack_unpack(buf, n, &off, &zone, &obj) ==
               MSGPACK_UNPACK_SUCCESS);
        assert(off == n);
        check_repacked(&obj);
        check_lookups(&obj);
    }
    msgpack_zone_destroy(&zone);
    return 0;
}
