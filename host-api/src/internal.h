/*
 * internal.h - what the files of libfleetmod share and hosts never see.
 *
 * The library is built with -fvisibility=hidden and a version script; a
 * public function's definition carries FLEETMOD_API, everything else stays
 * inside the .so.
 */
#ifndef FLEETMOD_INTERNAL_H
#define FLEETMOD_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include <msgpack.h>

#include <fleetmod/host.h>

#define FLEETMOD_API FLEETMOD_EXPORT

/* The size of the v1 table: a module compiled against v1.0 reports at least
 * this much, whatever later minor versions append. */
#define FM_MODULE_V1_SIZE                                                      \
    (offsetof(struct fleetmod_module, shutdown) +                              \
     sizeof(((struct fleetmod_module *)0)->shutdown))

/* err.c: write a one-line message into err (errlen bytes; err may be NULL).
 * Control characters (say, from a module's name or dlerror) become '?', so
 * the line stays one line. */
void fm_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* rc.c: an rc from a module, with values this library does not know
 * mapped to FLEETMOD_EINTERNAL. */
fleetmod_rc fm_rc_known(fleetmod_rc rc);

/* msgcheck.c: fleetmod_msg_unpack of fleetmod/msgcheck.h: unpack buf,
 * which must hold exactly one object whose claimed sizes fit in it, into
 * zone. FLEETMOD_EINVAL for anything else, FLEETMOD_ENOMEM when the zone
 * cannot grow. Never msgpack_unpack untrusted bytes directly. */
fleetmod_rc fm_msg_unpack(const char *buf, size_t len, msgpack_zone *zone,
                          msgpack_object *obj);

/* msgcheck.c: the value of the string key KEY in map obj, or NULL when obj
 * is not a map or has no such key; a repeated key: the last one, as a
 * module reads it (fleetmod_msg_map_get). */
const msgpack_object *fm_map_get(const msgpack_object *obj, const char *key);

/* replymap.c: true and *out when v is an integer that fits int64_t;
 * false (out untouched) when v is NULL or anything else. */
bool fm_int_get(const msgpack_object *v, int64_t *out);

/* search.c: iterate over the module search path (FLEETMOD_MODULE_PATH,
 * then the module directory). Zero-initialise the iterator; each call
 * copies the next directory into dir and returns dir, NULL at the end.
 * Empty entries and entries longer than size are skipped. */
struct fm_dir_iter {
    const char *env;  /* the rest of FLEETMOD_MODULE_PATH */
    int done_builtin; /* the module directory has been returned */
};
const char *fm_dir_next(struct fm_dir_iter *it, char *dir, size_t size);

#endif /* FLEETMOD_INTERNAL_H */
