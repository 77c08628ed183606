/*
 * msgcheck.c - libfleetmod's names for fleetmod/msgcheck.h, the one
 * checker of untrusted msgpack that modules, this library and the
 * conformance tool share (see there for the rules).
 */
#include <fleetmod/msgcheck.h>

#include "internal.h"

fleetmod_rc fm_msg_unpack(const char *buf, size_t len, msgpack_zone *zone,
                          msgpack_object *obj)
{
    return fleetmod_msg_unpack(buf, len, zone, obj);
}

const msgpack_object *fm_map_get(const msgpack_object *obj, const char *key)
{
    return fleetmod_msg_map_get(obj, key);
}
