/*
 * msgmap.h - reading a key of a decoded msgpack map (the parts of a reply
 * that struct fleetmod_reply does not carry: detail entries, batch
 * results as they were written).
 */
#ifndef FLEETCMD_MSGMAP_H
#define FLEETCMD_MSGMAP_H

#include <msgpack.h>

/* The value of string key in map (a MSGPACK_OBJECT_MAP), or NULL. */
const msgpack_object *fc_msgmap_get(const msgpack_object *map, const char *key);

#endif
