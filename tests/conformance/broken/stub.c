/*
 * stub.c - the smallest module that passes fleetmod-conformance, and, with
 * one of these defined, a module that breaks one rule of the contract:
 *
 *   -DBREAK_ABI           abi_version 2
 *   -DBREAK_NO_SEND       send is NULL
 *   -DBREAK_EXTRA_SYMBOL  a second exported symbol
 *   -DBREAK_DELIVERED     error.delivered "yes" where module.h's table says
 *                         "no"
 *
 * `make check-conformance` expects the stub to pass and each broken build
 * to fail on the check named for its rule. The stub refuses every request
 * (EINVAL): a conforming answer to each request the tool sends. It packs
 * its replies with fleetmod/modutil.h, as a module should.
 */
#include <stdlib.h>
#include <unistd.h>

#include <fleetmod/modutil.h>

struct fleetmod_instance {
    struct fleetmod_fork_guard fork; /* calls from a child get EINTERNAL */
};

static fleetmod_rc stub_init(const struct fleetmod_host *host,
                             const char *config_path,
                             struct fleetmod_instance **out)
{
    (void)host;
    *out = NULL;
    if (!config_path || access(config_path, R_OK) != 0)
        return FLEETMOD_ECONFIG;
    *out = malloc(sizeof **out);
    if (!*out)
        return FLEETMOD_ENOMEM;
    fleetmod_fork_guard_init(&(*out)->fork);
    return FLEETMOD_OK;
}

static void stub_shutdown(struct fleetmod_instance *inst)
{
    free(inst);
}

#ifdef BREAK_DELIVERED
/* One of the three words, but not module.h's answer for the rc. */
static int pack_error(msgpack_packer *pk, fleetmod_rc rc, const char *message)
{
    return fleetmod_pack_str(pk, "error") || msgpack_pack_map(pk, 4) ||
           fleetmod_pack_kv_int(pk, "code", rc) ||
           fleetmod_pack_kv_str(pk, "name", fleetmod_error_name(rc)) ||
           fleetmod_pack_kv_str(pk, "message", message) ||
           fleetmod_pack_kv_str(pk, "delivered", "yes");
}
#else
static int pack_error(msgpack_packer *pk, fleetmod_rc rc, const char *message)
{
    return fleetmod_pack_error(pk, rc, message, 0, -1);
}
#endif

/* Every call: the failed reply of rc, written with one call to write. */
static fleetmod_rc stub_call(struct fleetmod_instance *inst, const char *req,
                             size_t len, fleetmod_write_fn write, void *sink)
{
    fleetmod_rc rc = fleetmod_fork_guard_ours(&inst->fork) ? FLEETMOD_EINVAL
                                                           : FLEETMOD_EINTERNAL;
    struct fleetmod_out o;

    (void)req;
    (void)len;
    fleetmod_out_init(&o);
    if (!fleetmod_pack_reply_head(&o.pk, 1, "stub", "failed"))
        pack_error(&o.pk, rc, "the stub refuses everything");
    return fleetmod_out_finish(&o, write, sink, rc);
}

static const struct fleetmod_module table = {
    .struct_size = sizeof(struct fleetmod_module),
#ifdef BREAK_ABI
    .abi_version = 2,
#else
    .abi_version = FLEETMOD_ABI_VERSION,
#endif
    .name = "stub",
    .version = "1.0.0",
    .init = stub_init,
#ifndef BREAK_NO_SEND
    .send = stub_call,
#endif
    .confirm = stub_call,
    .status = stub_call,
    .shutdown = stub_shutdown,
};

FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void)
{
    return &table;
}

#ifdef BREAK_EXTRA_SYMBOL
FLEETMOD_EXPORT int stub_debug_level = 1;
#endif
