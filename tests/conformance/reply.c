/*
 * reply.c - is a reply what the contract says a reply is?
 *
 * The reply comes from the module under test, so it is read as carefully
 * as a module reads a request: fleetmod/msgcheck.h checks its claimed
 * sizes before msgpack-c allocates for them, the one check every reader of
 * untrusted msgpack uses. The error names and "delivered" answers are
 * module.h's table, the one the modules pack from.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <fleetmod/msgcheck.h>

#include "conformance.h"

static bool is_str(const msgpack_object *o, const char *want)
{
    return o && o->type == MSGPACK_OBJECT_STR &&
           (!want || (o->via.str.size == strlen(want) &&
                      memcmp(o->via.str.ptr, want, o->via.str.size) == 0));
}

static bool is_str_in(const msgpack_object *o, const char *const *set)
{
    for (; *set; set++)
        if (is_str(o, *set))
            return true;
    return false;
}

__attribute__((format(printf, 3, 4))) static bool bad(char *why, size_t whylen,
                                                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return false;
}

/* An rc this header does not know (a newer module's) has no name or
 * delivered answer to compare with: only their types are checked. */
static bool error_valid(const msgpack_object *e, fleetmod_rc rc, char *why,
                        size_t whylen)
{
    static const char *const delivered[] = {"no", "yes", "unknown", NULL};
    const msgpack_object *code = e ? fleetmod_msg_map_get(e, "code") : NULL;
    bool known = (unsigned)rc < FLEETMOD_RC_COUNT;

    if (!e || e->type != MSGPACK_OBJECT_MAP)
        return bad(why, whylen, "rc %d but no \"error\" map", rc);
    if (!code || code->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        code->via.u64 != (uint64_t)rc)
        return bad(why, whylen, "error.code is not the rc %d", rc);
    if (!is_str(fleetmod_msg_map_get(e, "name"),
                known ? fleetmod_error_name(rc) : NULL))
        return bad(why, whylen, "error.name is not \"%s\"",
                   fleetmod_error_name(rc));
    if (!is_str(fleetmod_msg_map_get(e, "message"), NULL))
        return bad(why, whylen, "error.message is not a string");
    if (!is_str_in(fleetmod_msg_map_get(e, "delivered"), delivered))
        return bad(why, whylen, "error.delivered is not no/yes/unknown");
    if (known && !is_str(fleetmod_msg_map_get(e, "delivered"),
                         fleetmod_rc_delivered(rc)))
        return bad(why, whylen, "error.delivered is not \"%s\" for %s",
                   fleetmod_rc_delivered(rc), fleetmod_error_name(rc));
    return true;
}

/* The rules of one reply map (a batch item too, with rc taken from its
 * error map). */
static bool map_valid(const char *provider, fleetmod_rc rc,
                      const msgpack_object *o, char *why, size_t whylen)
{
    static const char *const statuses[] = {
        "confirmation", "pending", "success", "error", "failed", "batch", NULL};
    static const char *const final[] = {"success", "error", "failed", "batch",
                                        NULL};
    const msgpack_object *status = fleetmod_msg_map_get(o, "status");
    const msgpack_object *terminal = fleetmod_msg_map_get(o, "terminal");

    if (!is_str(fleetmod_msg_map_get(o, "provider"), provider))
        return bad(why, whylen, "\"provider\" is not \"%s\"", provider);
    if (!is_str_in(status, statuses))
        return bad(why, whylen, "\"status\" is missing or not a known value");
    if (!terminal || terminal->type != MSGPACK_OBJECT_BOOLEAN ||
        terminal->via.boolean != is_str_in(status, final))
        return bad(why, whylen, "\"terminal\" is not a bool matching status");
    if ((rc != FLEETMOD_OK) != is_str(status, "failed"))
        return bad(why, whylen, "rc %d with status %.*s", rc,
                   (int)status->via.str.size, status->via.str.ptr);
    if (rc != FLEETMOD_OK)
        return error_valid(fleetmod_msg_map_get(o, "error"), rc, why, whylen);
    return true;
}

/* Every item of a batch is a reply map of its own. */
static bool results_valid(const char *provider, const msgpack_object *o,
                          char *why, size_t whylen)
{
    const msgpack_object *results = fleetmod_msg_map_get(o, "results");

    if (!results || results->type != MSGPACK_OBJECT_ARRAY)
        return bad(why, whylen, "status batch without a \"results\" array");
    for (uint32_t i = 0; i < results->via.array.size; i++) {
        const msgpack_object *item = &results->via.array.ptr[i];
        const msgpack_object *e, *code;
        fleetmod_rc rc = FLEETMOD_OK;

        if (item->type != MSGPACK_OBJECT_MAP)
            return bad(why, whylen, "results[%u] is not a map", i);
        if ((e = fleetmod_msg_map_get(item, "error")) &&
            e->type == MSGPACK_OBJECT_MAP &&
            (code = fleetmod_msg_map_get(e, "code")) &&
            code->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            rc = (fleetmod_rc)code->via.u64;
        if (!map_valid(provider, rc, item, why, whylen))
            return false;
    }
    return true;
}

bool reply_valid(const char *provider, fleetmod_rc rc, const char *buf,
                 size_t len, char *why, size_t whylen)
{
    msgpack_unpacked u;
    size_t off = 0;
    bool ok = false;

    if (len == 0)
        return bad(why, whylen, "no reply written");
    if (!fleetmod_msg_check(buf, len))
        return bad(why, whylen,
                   "reply is not msgpack or claims more bytes "
                   "than it has");
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS)
        bad(why, whylen, "reply is not valid msgpack");
    else if (off != len)
        bad(why, whylen, "%zu bytes after the reply map", len - off);
    else if (u.data.type != MSGPACK_OBJECT_MAP)
        bad(why, whylen, "reply is not a map");
    else if (map_valid(provider, rc, &u.data, why, whylen))
        ok = !is_str(fleetmod_msg_map_get(&u.data, "status"), "batch") ||
             results_valid(provider, &u.data, why, whylen);
    msgpack_unpacked_destroy(&u);
    return ok;
}

bool reply_str(const char *buf, size_t len, const char *key, char *out,
               size_t outlen)
{
    msgpack_unpacked u;
    size_t off = 0;
    const msgpack_object *v = NULL;

    msgpack_unpacked_init(&u);
    if (fleetmod_msg_check(buf, len) &&
        msgpack_unpack_next(&u, buf, len, &off) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP)
        v = fleetmod_msg_map_get(&u.data, key);
    bool ok = is_str(v, NULL);
    if (ok)
        snprintf(out, outlen, "%.*s", (int)v->via.str.size, v->via.str.ptr);
    msgpack_unpacked_destroy(&u);
    return ok;
}
