/*
 * broken.c - modules that break one rule of the contract each, for the
 * loader's tests. Built once per variant with -DBROKEN_<variant>:
 *   nosym      exports no fleetmod_module_v1
 *   nulltable  fleetmod_module_v1() returns NULL
 *   abi        abi_version 2
 *   small      struct_size smaller than the v1 table
 *   badname    a name outside [a-z0-9_]{1,32}
 *   noversion  an empty version
 *   nosend     no send function
 */
#include <fleetmod/module.h>

static fleetmod_rc init(const struct fleetmod_host *host, const char *config,
                        struct fleetmod_instance **out)
{
    (void)host;
    (void)config;
    *out = NULL;
    return FLEETMOD_OK;
}

static fleetmod_rc call(struct fleetmod_instance *inst, const char *req,
                        size_t len, fleetmod_write_fn write, void *sink)
{
    (void)inst;
    (void)req;
    (void)len;
    /* An empty map: the loader's tests never get this far. */
    return write(sink, "\x80", 1) == 0 ? FLEETMOD_OK : FLEETMOD_ENOMEM;
}

static const struct fleetmod_module table = {
#ifdef BROKEN_small
    .struct_size = 8,
#else
    .struct_size = sizeof(struct fleetmod_module),
#endif
#ifdef BROKEN_abi
    .abi_version = 2,
#else
    .abi_version = FLEETMOD_ABI_VERSION,
#endif
#ifdef BROKEN_badname
    .name = "Bad-Name",
#else
    .name = "broken",
#endif
#ifdef BROKEN_noversion
    .version = "",
#else
    .version = "1.0.0",
#endif
    .init = init,
#ifndef BROKEN_nosend
    .send = call,
#endif
    .confirm = call,
    .status = call,
};

#ifdef BROKEN_nosym
/* Exported under another name, so the file loads but lacks the symbol. */
FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v0(void)
#else
FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void)
#endif
{
#ifdef BROKEN_nulltable
    (void)table;
    return NULL;
#else
    return &table;
#endif
}
