/*
 * handle.c - a loaded module with one instance of it: open, forward the
 * three calls, close.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h" /* fm_stack_fail */

struct fleetmod_handle {
    void *dl;
    const struct fleetmod_module *module;
    struct fleetmod_instance *inst;
    char path[];
};

static fleetmod_rc start(const char *path, const char *config_path,
                         const struct fleetmod_host *host,
                         struct fleetmod_handle *h, char *err, size_t errlen)
{
    fleetmod_rc rc =
        fleetmod_module_probe(path, &h->module, &h->dl, err, errlen);
    if (rc != FLEETMOD_OK)
        return rc;
    h->inst = NULL;
    rc = fm_rc_known(h->module->init(host, config_path, &h->inst));
    if (rc != FLEETMOD_OK) {
        fm_err(err, errlen, "module %s (%s): init with %s failed: %s (%s)",
               path, h->module->name,
               config_path != NULL ? config_path : "its default config",
               fleetmod_rc_name(rc), fleetmod_strerror(rc));
        /* A failed init owns nothing we could free (module.h: *out is left
         * NULL), so the module can go. */
        dlclose(h->dl);
    }
    return rc;
}

FLEETMOD_API fleetmod_rc fleetmod_open(const char *module,
                                       const char *config_path,
                                       const struct fleetmod_host *host,
                                       struct fleetmod_handle **out, char *err,
                                       size_t errlen)
{
    *out = NULL;
    char path[PATH_MAX];
    fleetmod_rc rc =
        fleetmod_module_find(module, path, sizeof(path), err, errlen);
    if (rc != FLEETMOD_OK)
        return rc;
    struct fleetmod_handle *h = malloc(sizeof(*h) + strlen(path) + 1);
    if (h == NULL) {
        fm_err(err, errlen, "module %s: out of memory", path);
        return FLEETMOD_ENOMEM;
    }
    strcpy(h->path, path);
    rc = start(path, config_path, host, h, err, errlen);
    if (rc != FLEETMOD_OK) {
        free(h);
        return rc;
    }
    *out = h;
    return FLEETMOD_OK;
}

FLEETMOD_API const struct fleetmod_module *
fleetmod_handle_module(const struct fleetmod_handle *h)
{
    return h->module;
}

FLEETMOD_API const char *fleetmod_handle_path(const struct fleetmod_handle *h)
{
    return h->path;
}

/* A call on no handle, or with nowhere to write, must not reach a module
 * (it would crash on either): EINVAL, with the reply every call promises
 * when there is somewhere to write it. */
static fleetmod_rc no_call(const char *what, fleetmod_write_fn write,
                           void *sink)
{
    if (write)
        fm_stack_fail(FM_LIB_PROVIDER, NULL, FLEETMOD_EINVAL, what, write,
                      sink);
    return FLEETMOD_EINVAL;
}

#define NO_CALL_WHAT(h) ((h) ? "no write function" : "no module handle (NULL)")

FLEETMOD_API fleetmod_rc fleetmod_send(struct fleetmod_handle *h,
                                       const char *req, size_t req_len,
                                       fleetmod_write_fn write, void *sink)
{
    if (!h || !write)
        return no_call(NO_CALL_WHAT(h), write, sink);
    return fm_rc_known(h->module->send(h->inst, req, req_len, write, sink));
}

FLEETMOD_API fleetmod_rc fleetmod_confirm(struct fleetmod_handle *h,
                                          const char *req, size_t req_len,
                                          fleetmod_write_fn write, void *sink)
{
    if (!h || !write)
        return no_call(NO_CALL_WHAT(h), write, sink);
    return fm_rc_known(h->module->confirm(h->inst, req, req_len, write, sink));
}

FLEETMOD_API fleetmod_rc fleetmod_status(struct fleetmod_handle *h,
                                         const char *req, size_t req_len,
                                         fleetmod_write_fn write, void *sink)
{
    if (!h || !write)
        return no_call(NO_CALL_WHAT(h), write, sink);
    return fm_rc_known(h->module->status(h->inst, req, req_len, write, sink));
}

FLEETMOD_API void fleetmod_close(struct fleetmod_handle *h)
{
    if (h == NULL)
        return;
    if (h->module->shutdown != NULL)
        h->module->shutdown(h->inst);
    dlclose(h->dl);
    free(h);
}
