/*
 * stub.c - the smallest module that passes fleetmod-conformance, and, with
 * one of these defined, a module that breaks one rule of the contract:
 *
 *   -DBREAK_ABI           abi_version 2
 *   -DBREAK_NO_SEND       send is NULL
 *   -DBREAK_EXTRA_SYMBOL  a second exported symbol
 *
 * `make check-conformance` expects the stub to pass and each broken build
 * to fail on the check named for its rule. The stub refuses every request
 * (EINVAL): a conforming answer to each request the tool sends.
 */
#include <stdlib.h>
#include <unistd.h>

#include <msgpack.h>

#include <fleetmod/module.h>

struct fleetmod_instance {
    pid_t pid; /* fork rule: calls from another process get EINTERNAL */
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
    (*out)->pid = getpid();
    return FLEETMOD_OK;
}

static void stub_shutdown(struct fleetmod_instance *inst)
{
    free(inst);
}

static void pack_str(msgpack_packer *pk, const char *s, size_t len)
{
    msgpack_pack_str(pk, len);
    msgpack_pack_str_body(pk, s, len);
}

/* Every call: the failed reply of rc, written with one call to write. */
static fleetmod_rc stub_call(struct fleetmod_instance *inst, const char *req,
                             size_t len, fleetmod_write_fn write, void *sink)
{
    fleetmod_rc rc =
        inst->pid == getpid() ? FLEETMOD_EINVAL : FLEETMOD_EINTERNAL;
    msgpack_sbuffer sb;
    msgpack_packer pk;

    (void)req;
    (void)len;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 4);
    pack_str(&pk, "provider", 8);
    pack_str(&pk, "stub", 4);
    pack_str(&pk, "status", 6);
    pack_str(&pk, "failed", 6);
    pack_str(&pk, "terminal", 8);
    msgpack_pack_true(&pk);
    pack_str(&pk, "error", 5);
    msgpack_pack_map(&pk, 4);
    pack_str(&pk, "code", 4);
    msgpack_pack_int(&pk, rc);
    pack_str(&pk, "name", 4);
    if (rc == FLEETMOD_EINVAL)
        pack_str(&pk, "EINVAL", 6);
    else
        pack_str(&pk, "EINTERNAL", 9);
    pack_str(&pk, "message", 7);
    pack_str(&pk, "the stub refuses everything", 27);
    pack_str(&pk, "delivered", 9);
    pack_str(&pk, "no", 2);
    if (write(sink, sb.data, sb.size) != 0)
        rc = FLEETMOD_ENOMEM;
    msgpack_sbuffer_destroy(&sb);
    return rc;
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
