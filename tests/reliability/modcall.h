/*
 * modcall.h - what the reliability harnesses share: a module loaded with
 * dlopen as any host does, requests built from key/value strings, replies
 * read back from msgpack, and a monotonic clock.
 */
#ifndef REL_MODCALL_H
#define REL_MODCALL_H

#include <fleetmod/module.h>
#include <msgpack.h>
#include <stdint.h>
#include "../lib/msgmap.h"

/* A module file opened with dlopen (RTLD_NOW | RTLD_LOCAL). */
struct rel_module {
    void *dl;
    const struct fleetmod_module *table;
};

/* 0, or -1 with the reason on stderr. */
int rel_module_open(struct rel_module *m, const char *path);
void rel_module_close(struct rel_module *m);

/* One reply, kept as an unpacked msgpack object. */
struct rel_reply {
    fleetmod_rc rc;
    double ms; /* wall time of the call (CLOCK_MONOTONIC) */
    msgpack_sbuffer buf;
    msgpack_unpacked msg;
    const msgpack_object *map; /* NULL when the reply is not one map */
};

/*
 * Calls fn with a map built from NULL-terminated "key", "value" pairs. A
 * key starting with '#' takes an unsigned number ("#wait_ms", "1000"); a
 * key starting with '@' takes an array of strings given as one
 * comma-separated value ("@vins", "A,B"). Free the reply with
 * rel_reply_free.
 */
void rel_call(fleetmod_call_fn fn, struct fleetmod_instance *inst,
              struct rel_reply *r, ...) __attribute__((sentinel));
void rel_reply_free(struct rel_reply *r);

/* A string member copied into buf (size bytes; "" when absent). */
const char *rel_str(const msgpack_object *m, const char *key, char *buf,
                    size_t size);

/* An integer member, or -1 when absent. */
int64_t rel_int(const msgpack_object *m, const char *key);

/* The rc an item of a batch (or a single reply) stands for: its
 * error.code, or 0 when it carries no error. */
fleetmod_rc rel_item_rc(const msgpack_object *item);

/* A host whose log callback appends every line, at every level, to the
 * file named by the environment variable REL_LOG as "LEVEL<TAB>text"
 * (no log when it is unset). */
const struct fleetmod_host *rel_host(void);

/* Milliseconds on CLOCK_MONOTONIC. */
double rel_now_ms(void);

#endif
