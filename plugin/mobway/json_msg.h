/*
 * json_msg.h - Mobway's JSON values as msgpack, types kept.
 *
 * object -> map (keys in document order), array -> array, string -> str
 * (embedded NULs kept), integer -> int, real -> float64, true/false ->
 * bool, null -> nil. A float stays a float even when it has no fraction.
 * mw_json_load carries integers beyond 64 bits over as strings.
 */
#ifndef MW_JSON_MSG_H
#define MW_JSON_MSG_H

#include <jansson.h>
#include <msgpack.h>

/* Decodes the JSON text [text, text + len) (NULs allowed in strings) as
 * jansson would, except that an integer beyond the 64-bit signed range,
 * which jansson refuses, becomes a string of its digits instead of failing
 * the whole answer. Returns a new reference, or NULL when the text is not
 * JSON or memory ran out. */
json_t *mw_json_load(const char *text, size_t len);

/* Deepest nesting converted: the top value is depth 1. */
#define MW_JSON_MAX_DEPTH 32

/* Packs v into pk. Returns 0, -1 when v nests deeper than max_depth (pk
 * then holds a partial value: pack into a scratch buffer), or -2 when the
 * packer's write failed. */
int mw_json_pack(msgpack_packer *pk, const json_t *v, unsigned max_depth);

#endif
