/*
 * msgmap.h - reading replies in the C tests: a member of a msgpack map by
 * its string key, with the lookup every module and libfleetmod use
 * (fleetmod/msgcheck.h). Header-only, for test programs and test modules
 * alike.
 */
#ifndef FLEETMOD_TESTS_MSGMAP_H
#define FLEETMOD_TESTS_MSGMAP_H

#include <fleetmod/msgcheck.h>

/* The value of key in map m; NULL when m is not a map (or NULL) or has no
 * such string key. */
static inline const msgpack_object *msgmap_get(const msgpack_object *m,
                                               const char *key)
{
    return fleetmod_msg_map_get(m, key);
}

#endif
