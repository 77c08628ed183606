/*
 * probe.c - load a module's file and check its table against the contract,
 * before anything in it is called (other than fleetmod_module_v1 itself).
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define NAME_MAX_LEN 32

static bool valid_name(const char *name)
{
    size_t n = 0;
    for (const char *p = name; *p != '\0'; p++, n++) {
        bool ok =
            (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
        if (!ok || n >= NAME_MAX_LEN)
            return false;
    }
    return n > 0;
}

/* The first rule of the contract the table breaks, or NULL. Members are
 * read in an order that never reads past what struct_size covers. */
static const char *table_problem(const struct fleetmod_module *m, char *why,
                                 size_t size)
{
    if (m->abi_version != FLEETMOD_ABI_VERSION) {
        snprintf(why, size, "abi_version is %u, expected %d", m->abi_version,
                 FLEETMOD_ABI_VERSION);
        return why;
    }
    if (m->struct_size < FM_MODULE_V1_SIZE) {
        snprintf(why, size,
                 "struct_size %u is smaller than the v1 table (%zu bytes)",
                 m->struct_size, (size_t)FM_MODULE_V1_SIZE);
        return why;
    }
    if (!m->name || !valid_name(m->name)) {
        snprintf(why, size, "name \"%.40s\" is not [a-z0-9_]{1,32}",
                 m->name ? m->name : "(null)");
        return why;
    }
    if (!m->version || *m->version == '\0')
        return "version is empty";
    if (!m->init)
        return "init is NULL";
    if (!m->send)
        return "send is NULL";
    if (!m->confirm)
        return "confirm is NULL";
    if (!m->status)
        return "status is NULL";
    return NULL;
}

/* dlerror's text without the "PATH: " it starts with: the error names
 * the file already. */
static const char *dl_words(const char *why, const char *path)
{
    size_t n = strlen(path);

    if (!why)
        return "unknown dlopen error";
    return strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' '
               ? why + n + 2
               : why;
}

/* dlsym returns a data pointer; the contract's symbol is a function. */
static fleetmod_module_fn entry_point(void *dl)
{
    fleetmod_module_fn fn;
    void *sym = dlsym(dl, FLEETMOD_MODULE_SYMBOL);
    memcpy(&fn, &sym, sizeof fn);
    return fn;
}

FLEETMOD_API fleetmod_rc
fleetmod_module_probe(const char *path, const struct fleetmod_module **table,
                      void **dl, char *err, size_t errlen)
{
    *table = NULL;
    *dl = NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fm_err(err, errlen, "cannot load module %s: %s", path,
               dl_words(dlerror(), path));
        return FLEETMOD_ECONFIG;
    }
    dlerror();
    fleetmod_module_fn fn = entry_point(h);
    if (!fn) {
        /* dlerror would only say "PATH: undefined symbol: SYMBOL" again;
         * without one, the symbol is there but NULL */
        const char *why = dlerror();
        fm_err(err, errlen, "module %s does not export %s%s", path,
               FLEETMOD_MODULE_SYMBOL, why ? "" : " (it is NULL)");
        dlclose(h);
        return FLEETMOD_ECONFIG;
    }
    const struct fleetmod_module *m = fn();
    char why[128];
    const char *problem = !m ? FLEETMOD_MODULE_SYMBOL "() returned NULL"
                             : table_problem(m, why, sizeof why);
    if (problem) {
        fm_err(err, errlen, "module %s: bad table: %s", path, problem);
        dlclose(h);
        return FLEETMOD_ECONFIG;
    }
    *table = m;
    *dl = h;
    return FLEETMOD_OK;
}
