/*
 * journal/guard_send.c - the guard's entry points for send and confirm:
 * what reaches the checks and what goes straight to the stack. A request
 * the stack would refuse anyway (not a map, no usable vin or command)
 * goes to it unjournaled: it answers EINVAL and nothing is sent.
 */
#include <unistd.h>

#include "../stack.h"
#include "guard_int.h"

/* The guard's own request keys: a mistyped one would otherwise reach the
 * module, which ignores keys it does not know, and the command would go
 * without the deadline, requester or reason the caller meant. NULL: fine. */
static const char *bad_guard_keys(const msgpack_object *req)
{
    const msgpack_object *dl = fm_map_get(req, "deadline");
    if (dl && dl->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
        dl->type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return "deadline must be an integer (seconds since the epoch)";
    static const char *const strs[] = {"requester", "reason"};
    for (int i = 0; i < 2; i++) {
        const msgpack_object *v = fm_map_get(req, strs[i]);
        if (v && v->type != MSGPACK_OBJECT_STR)
            return i ? "reason must be a string" : "requester must be a string";
    }
    return NULL;
}

/* The guard (and its journal) of another process: answer, send nothing. */
bool fm_guard_forked(struct fleetmod_guard *g, fleetmod_write_fn write,
                     void *sink, fleetmod_rc *rc)
{
    if (getpid() == g->j->pid)
        return false;
    *rc = fm_stack_fail(NULL, NULL, FLEETMOD_EINTERNAL,
                        "guard used in a child process after fork: the "
                        "child must open its own",
                        write, sink);
    if (*rc == FLEETMOD_OK)
        *rc = FLEETMOD_EINTERNAL;
    return true;
}

static fleetmod_rc entry(struct fleetmod_guard *g, const char *req, size_t len,
                         bool confirm, fleetmod_write_fn write, void *sink)
{
    fleetmod_rc (*pass)(struct fleetmod_stack *, const char *, size_t,
                        fleetmod_write_fn, void *) =
        confirm ? fleetmod_stack_confirm : fleetmod_stack_send;
    fleetmod_rc rc;
    if (!g || !write)
        return g ? FLEETMOD_EINVAL : pass(NULL, req, len, write, sink);
    if (fm_guard_forked(g, write, sink, &rc))
        return rc;
    msgpack_zone zone;
    if (!msgpack_zone_init(&zone, MSGPACK_ZONE_CHUNK_SIZE))
        return fm_stack_fail(NULL, NULL, FLEETMOD_ENOMEM, "out of memory",
                             write, sink);
    msgpack_object obj = {0};
    const msgpack_object *vins = NULL;
    const char *vin = NULL, *command = NULL;
    if (req && len <= FLEETMOD_MAX_REQUEST_BYTES &&
        fm_msg_unpack(req, len, &zone, &obj) == FLEETMOD_OK &&
        obj.type == MSGPACK_OBJECT_MAP) {
        vins = fm_map_get(&obj, "vins");
        vin = fm_zstr(&zone, fm_map_get(&obj, "vin"));
        command = fm_zstr(&zone, fm_map_get(&obj, "command"));
    }
    char why[FLEETMOD_ERR_MAX];
    const char *bad = obj.type == MSGPACK_OBJECT_MAP && (vin || vins)
                          ? bad_guard_keys(&obj)
                          : NULL;
    /* A batch the stack would refuse goes to it, to be refused there. */
    if (bad)
        rc = fm_stack_fail(NULL, &obj, FLEETMOD_EINVAL, bad, write, sink);
    else if (!confirm && vins && !vin && command &&
             fm_batch_list(g->stack, &obj, false, &vins, why, sizeof why) ==
                 FLEETMOD_OK &&
             vins)
        rc = fm_guard_batch(g, &obj, vins, command, &zone, write, sink);
    else if (vin && command && !vins)
        rc = fm_guard_one(g, &obj, req, len, vin, command, confirm, &zone,
                          write, sink);
    else
        rc = pass(g->stack, req, len, write, sink);
    msgpack_zone_destroy(&zone);
    return rc;
}

FLEETMOD_API fleetmod_rc fleetmod_guard_send(struct fleetmod_guard *g,
                                             const char *req, size_t len,
                                             fleetmod_write_fn write,
                                             void *sink)
{
    return entry(g, req, len, false, write, sink);
}

FLEETMOD_API fleetmod_rc fleetmod_guard_confirm(struct fleetmod_guard *g,
                                                const char *req, size_t len,
                                                fleetmod_write_fn write,
                                                void *sink)
{
    return entry(g, req, len, true, write, sink);
}
