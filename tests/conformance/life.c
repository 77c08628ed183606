/*
 * life.c - checks of a module's life: what it exports, its table, init,
 * shutdown, and being loaded and unloaded again and again.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "conformance.h"

#define MISSING_CONFIG "/nonexistent/fleetmod-conformance/missing.conf"

/* ---- the log callback: every line the module logs is checked ------------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_why[WHY_SIZE];
static unsigned long log_lines;
bool log_verbose;

static void on_log(void *user, int level, const char *msg)
{
    (void)user;
    pthread_mutex_lock(&log_lock);
    log_lines++;
    if (log_why[0] == '\0') {
        if (!msg)
            snprintf(log_why, sizeof log_why, "a NULL message");
        else if (level < 0 || level > 7)
            snprintf(log_why, sizeof log_why, "level %d is not syslog's",
                     level);
        else if (strchr(msg, '\n'))
            snprintf(log_why, sizeof log_why, "a line with a newline: %.60s",
                     msg);
    }
    if (log_verbose && msg)
        fprintf(stderr, "log %d: %s\n", level, msg);
    pthread_mutex_unlock(&log_lock);
}

void check_log(void)
{
    char desc[128];

    snprintf(desc, sizeof desc,
             "log lines (%lu) are single lines at syslog levels", log_lines);
    tap(desc, log_why);
}

/* ---- loading and the table ------------------------------------------------
 */

static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    return n >= 1 && n <= 32 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* N.N.N, optionally followed by -pre or +build. */
static bool semver_ok(const char *s)
{
    for (int part = 0; s && part < 3; part++) {
        size_t digits = strspn(s, "0123456789");
        if (digits == 0)
            return false;
        s += digits;
        if (part < 2 && *s++ != '.')
            return false;
    }
    return s && (*s == '\0' || *s == '-' || *s == '+');
}

/* The checks after which nothing else can be trusted bail out. */
static bool table_ok(const struct fleetmod_module *m)
{
    const size_t v1 =
        offsetof(struct fleetmod_module, shutdown) + sizeof m->shutdown;

    if (m->abi_version != FLEETMOD_ABI_VERSION) {
        tap_fail("table: abi_version is 1", "got %u", m->abi_version);
        return false;
    }
    tap("table: abi_version is 1", NULL);
    if (m->struct_size < v1) {
        tap_fail("table: struct_size covers the v1 members", "%u < %zu",
                 m->struct_size, v1);
        return false;
    }
    tap("table: struct_size covers the v1 members", NULL);
    tap("table: name is [a-z0-9_]{1,32}",
        name_ok(m->name) ? NULL : "bad or missing name");
    tap("table: version is semver (N.N.N)",
        semver_ok(m->version) ? NULL : "bad or missing version");
    if (!m->init || !m->send || !m->confirm || !m->status) {
        char unset[64];
        snprintf(unset, sizeof unset, "%s%s%s%s", m->init ? "" : " init",
                 m->send ? "" : " send", m->confirm ? "" : " confirm",
                 m->status ? "" : " status");
        tap_fail("table: init, send, confirm and status are set", "%s is NULL",
                 unset + 1);
        return false;
    }
    tap("table: init, send, confirm and status are set", NULL);
    return true;
}

/* dlopen + dlsym + the entry point; NULL with why on failure. */
static const struct fleetmod_module *open_module(const char *path, void **dl,
                                                 char *why, size_t whylen)
{
    fleetmod_module_fn entry;

    *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*dl) {
        snprintf(why, whylen, "%s", dlerror());
        return NULL;
    }
    *(void **)&entry = dlsym(*dl, FLEETMOD_MODULE_SYMBOL);
    if (!entry) {
        snprintf(why, whylen, "dlsym: %s", dlerror());
        return NULL;
    }
    const struct fleetmod_module *m = entry();
    if (!m)
        snprintf(why, whylen, "%s() returned NULL", FLEETMOD_MODULE_SYMBOL);
    return m;
}

bool check_load(struct target *t)
{
    char why[WHY_SIZE] = "";

    elf_exports_only_entry(t->path, why, sizeof why);
    tap("exports only " FLEETMOD_MODULE_SYMBOL, why);
    why[0] = '\0';
    t->m = open_module(t->path, &t->dl, why, sizeof why);
    tap("dlopen RTLD_NOW, dlsym and the entry point give a table", why);
    if (!t->m)
        return false;
    t->host = (struct fleetmod_host){sizeof t->host, NULL, on_log};
    return table_ok(t->m);
}

/* ---- init ------------------------------------------------------------------
 */

/* A second instance beside the first: both answer, each on its own. */
static void two_instances(struct target *t)
{
    const char *desc = "a second instance lives beside the first";
    struct target second = *t;
    const char *kv[] = {"id", UNKNOWN_ID};
    msgpack_sbuffer req, out;
    char why[WHY_SIZE] = "";

    if (t->m->init(&t->host, t->config, &second.inst) != FLEETMOD_OK) {
        tap_fail(desc, "the second init failed");
        return;
    }
    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&out);
    req_pack(&req, 1, kv);
    const struct target *both[] = {t, &second};
    for (int i = 0; i < 2 && !why[0]; i++) {
        fleetmod_rc rc =
            call_capture(both[i], CALL_STATUS, req.data, req.size, &out);
        reply_valid(t->m->name, rc, out.data, out.size, why, sizeof why);
    }
    if (t->m->shutdown)
        t->m->shutdown(second.inst);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&out);
    tap(desc, why);
}

bool check_init(struct target *t)
{
    struct fleetmod_instance *inst = NULL;
    fleetmod_rc rc = t->m->init(&t->host, MISSING_CONFIG, &inst);

    if (rc != FLEETMOD_ECONFIG || inst)
        tap_fail("init with a missing config file gets ECONFIG, *out NULL",
                 "rc %d, *out %s", rc, inst ? "set" : "NULL");
    else
        tap("init with a missing config file gets ECONFIG, *out NULL", NULL);
    if (inst && t->m->shutdown)
        t->m->shutdown(inst);

    inst = NULL;
    rc = t->m->init(NULL, t->config, &inst);
    if (rc != FLEETMOD_OK || !inst)
        tap_fail("init with host NULL (no logging) succeeds", "rc %d", rc);
    else
        tap("init with host NULL (no logging) succeeds", NULL);
    if (inst && t->m->shutdown)
        t->m->shutdown(inst);

    rc = t->m->init(&t->host, t->config, &t->inst);
    if (rc != FLEETMOD_OK || !t->inst) {
        tap_fail("init with the given config succeeds", "rc %d (%s)", rc,
                 t->config);
        return false;
    }
    tap("init with the given config succeeds", NULL);
    two_instances(t);
    return true;
}

/* ---- shutdown and reload ----------------------------------------------------
 */

void check_shutdown(struct target *t)
{
    if (t->m->shutdown) {
        t->m->shutdown(NULL);
        t->m->shutdown(t->inst);
    }
    tap("shutdown(NULL) is ignored, shutdown of the instance returns", NULL);
    t->inst = NULL;
    t->m = NULL;
    if (dlclose(t->dl) != 0)
        tap_fail("dlclose after shutdown", "%s", dlerror());
    else
        tap("dlclose after shutdown", NULL);
    t->dl = NULL;
}

/* One life: dlopen, init, one call, shutdown, dlclose. */
static bool one_life(const struct target *t, char *why, size_t whylen)
{
    struct target me = *t;
    const char *kv[] = {"id", UNKNOWN_ID};
    msgpack_sbuffer req, out;
    bool ok = false;

    me.m = open_module(t->path, &me.dl, why, whylen);
    if (me.m && me.m->init(&me.host, me.config, &me.inst) == FLEETMOD_OK) {
        msgpack_sbuffer_init(&req);
        msgpack_sbuffer_init(&out);
        req_pack(&req, 1, kv);
        fleetmod_rc rc =
            call_capture(&me, CALL_STATUS, req.data, req.size, &out);
        ok = reply_valid(me.m->name, rc, out.data, out.size, why, whylen);
        msgpack_sbuffer_destroy(&req);
        msgpack_sbuffer_destroy(&out);
        if (me.m->shutdown)
            me.m->shutdown(me.inst);
    } else if (me.m) {
        snprintf(why, whylen, "init failed");
    }
    if (me.dl && dlclose(me.dl) != 0) {
        snprintf(why, whylen, "dlclose: %s", dlerror());
        ok = false;
    }
    return ok;
}

void check_reload(const struct target *t, int times)
{
    char desc[128], why[WHY_SIZE] = "";
    int i;

    for (i = 0; i < times && one_life(t, why, sizeof why); i++)
        ;
    snprintf(desc, sizeof desc,
             "dlopen, init, call, shutdown, dlclose %d times", times);
    if (i < times)
        tap_fail(desc, "round %d: %s", i + 1, why);
    else
        tap(desc, NULL);
}
