/*
 * handle.c - a loaded module with one instance of it: open, forward the
 * three calls, close.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <fleetmod/modutil.h> /* fleetmod_log_of */

#include "stack.h" /* fm_stack_fail */

/* The first error line a module logs during its init: why it refused,
 * in its own words, for the open error (the log has them all). */
struct init_why {
    char line[FLEETMOD_ERR_MAX];
    unsigned more; /* error lines after the first */
};

struct fleetmod_handle {
    void *dl;
    const struct fleetmod_module *module;
    struct fleetmod_instance *inst;
    /* The module logs through relay (init keeps it until shutdown), which
     * hands every line on to the host's own sink. */
    struct fleetmod_host relay;
    struct fleetmod_log host_log;
    struct init_why *why; /* set only while init runs */
    char path[];
};

static void relay_log(void *user, int level, const char *msg)
{
    struct fleetmod_handle *h = user;

    if (h->why && level <= LOG_ERR && msg) {
        if (h->why->line[0] == '\0')
            snprintf(h->why->line, sizeof h->why->line, "%s", msg);
        else
            h->why->more++;
    }
    if (h->host_log.fn)
        h->host_log.fn(h->host_log.user, level, msg);
}

/* A module's line without its own "NAME: " in front: the error names the
 * module already. */
static const char *own_words(const char *line, const char *name)
{
    size_t n = strlen(name);

    return strncmp(line, name, n) == 0 && line[n] == ':' && line[n + 1] == ' '
               ? line + n + 2
               : line;
}

/* Why init refused, said once: the module (name, file), the config when
 * the module's line does not name it, and the module's own line, or the
 * rc's sentence when it logged none. The rc's name is the caller's to
 * print: it has it. */
static void init_error(const struct fleetmod_handle *h, const char *path,
                       const char *config_path, fleetmod_rc rc,
                       const struct init_why *why, char *err, size_t errlen)
{
    const char *line = own_words(why->line, h->module->name);
    const char *config = config_path ? config_path : "its default config";
    char more[48] = "";

    if (why->more)
        snprintf(more, sizeof more, " (and %u more in the log)", why->more);
    if (line[0] && config_path && strstr(line, config_path))
        fm_err(err, errlen, "module %s (%s) did not start: %s%s",
               h->module->name, path, line, more);
    else
        fm_err(err, errlen, "module %s (%s) did not start with %s: %s%s",
               h->module->name, path, config,
               line[0] ? line : fleetmod_strerror(rc), more);
}

static fleetmod_rc start(const char *path, const char *config_path,
                         const struct fleetmod_host *host,
                         struct fleetmod_handle *h, char *err, size_t errlen)
{
    struct init_why why = {.line = "", .more = 0};
    fleetmod_rc rc =
        fleetmod_module_probe(path, &h->module, &h->dl, err, errlen);
    if (rc != FLEETMOD_OK)
        return rc;
    h->inst = NULL;
    h->host_log = fleetmod_log_of(host);
    h->relay = (struct fleetmod_host){
        .struct_size = sizeof h->relay, .user = h, .log = relay_log};
    h->why = &why;
    rc = fm_rc_known(h->module->init(&h->relay, config_path, &h->inst));
    h->why = NULL;
    if (rc != FLEETMOD_OK) {
        init_error(h, path, config_path, rc, &why, err, errlen);
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
        fleetmod_module_find(module, path, sizeof path, err, errlen);
    if (rc != FLEETMOD_OK)
        return rc;
    struct fleetmod_handle *h = malloc(sizeof *h + strlen(path) + 1);
    if (!h) {
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

enum call_op { CALL_SEND, CALL_CONFIRM, CALL_STATUS };

static fleetmod_call_fn call_fn(const struct fleetmod_module *m,
                                enum call_op op)
{
    return op == CALL_SEND      ? m->send
           : op == CALL_CONFIRM ? m->confirm
                                : m->status;
}

/* The one path of the three calls. A call on no handle, or with nowhere
 * to write, must not reach a module (it would crash on either): EINVAL,
 * with the reply every call promises when there is somewhere to write
 * it. A module's rc outside the known set becomes one inside it. */
static fleetmod_rc call(struct fleetmod_handle *h, enum call_op op,
                        const char *req, size_t req_len,
                        fleetmod_write_fn write, void *sink)
{
    if (!h || !write) {
        if (write)
            fm_stack_fail(FM_LIB_PROVIDER, NULL, FLEETMOD_EINVAL,
                          "no module handle (NULL)", write, sink);
        return FLEETMOD_EINVAL;
    }
    return fm_rc_known(
        call_fn(h->module, op)(h->inst, req, req_len, write, sink));
}

FLEETMOD_API fleetmod_rc fleetmod_send(struct fleetmod_handle *h,
                                       const char *req, size_t req_len,
                                       fleetmod_write_fn write, void *sink)
{
    return call(h, CALL_SEND, req, req_len, write, sink);
}

FLEETMOD_API fleetmod_rc fleetmod_confirm(struct fleetmod_handle *h,
                                          const char *req, size_t req_len,
                                          fleetmod_write_fn write, void *sink)
{
    return call(h, CALL_CONFIRM, req, req_len, write, sink);
}

FLEETMOD_API fleetmod_rc fleetmod_status(struct fleetmod_handle *h,
                                         const char *req, size_t req_len,
                                         fleetmod_write_fn write, void *sink)
{
    return call(h, CALL_STATUS, req, req_len, write, sink);
}

FLEETMOD_API void fleetmod_close(struct fleetmod_handle *h)
{
    if (!h)
        return;
    if (h->module->shutdown)
        h->module->shutdown(h->inst);
    dlclose(h->dl);
    free(h);
}
