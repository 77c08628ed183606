/*
 * journal/jopen.c - opening a journal: the backend the url names (SQLite
 * built in, PostgreSQL loaded on demand), the mutex that serialises its
 * connection, the fork check, retention pruning, logging.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

#ifndef FLEETMOD_MODULEDIR
#define FLEETMOD_MODULEDIR "/usr/local/lib/fleetmod"
#endif

int64_t fm_now(void)
{
    return (int64_t)time(NULL);
}

int64_t fm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fm_jlog(const struct fleetmod_journal *j, int level, const char *fmt, ...)
{
    if (!j->host || !j->host->log)
        return;
    char line[FLEETMOD_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    j->host->log(j->host->user, level, line);
}

/* journal_pg.so from the module search path (like a module), so the
 * package that ships it only drops a file next to the modules. */
static const struct fm_journal_backend *load_pg(void **dl, char *err,
                                                size_t errlen)
{
    char path[4096];
    if (fleetmod_module_find(FM_JOURNAL_PG_FILE, path, sizeof path, err,
                             errlen) != FLEETMOD_OK)
        return NULL;
    *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    fm_journal_backend_fn fn =
        *dl ? (fm_journal_backend_fn)dlsym(*dl, FM_JOURNAL_PG_SYMBOL) : NULL;
    const struct fm_journal_backend *be = fn ? fn() : NULL;
    if (!be || be->struct_size < sizeof *be ||
        be->version != FM_JOURNAL_BACKEND_VERSION) {
        fm_err(err, errlen,
               "%s: not a fleetmod %d journal backend (install the "
               "PostgreSQL journal package of this fleetmod release): %s",
               path, FM_JOURNAL_BACKEND_VERSION, *dl ? "bad table" : dlerror());
        if (*dl)
            dlclose(*dl);
        *dl = NULL;
        return NULL;
    }
    return be;
}

fleetmod_rc fm_journal_open(struct fm_policy *p,
                            const struct fleetmod_host *host,
                            struct fleetmod_journal **out, char *err,
                            size_t errlen)
{
    *out = NULL;
    struct fleetmod_journal *j = calloc(1, sizeof *j);
    if (!j) {
        fm_policy_free(p);
        return FLEETMOD_ENOMEM;
    }
    j->pol = *p;
    *p = (struct fm_policy){0};
    j->pid = getpid();
    j->svc = (struct fm_journal_services){.struct_size = sizeof j->svc,
                                          .hash = fm_jhash};
    if (host) {
        /* host need not outlive the call, its user and log must. */
        j->host_copy = *host;
        j->host = &j->host_copy;
    }
    pthread_mutex_init(&j->mu, NULL);
    j->be = strncmp(j->pol.url, "sqlite:", 7) == 0
                ? fm_journal_sqlite()
                : load_pg(&j->dl, err, errlen);
    if (!j->be ||
        j->be->open(j->pol.url, j->pol.host_id, &j->svc, &j->db, err, errlen)) {
        fleetmod_journal_close(j);
        return FLEETMOD_ECONFIG;
    }
    *out = j;
    return FLEETMOD_OK;
}

bool fm_journal_lock(struct fleetmod_journal *j, char *err, size_t errlen)
{
    if (getpid() != j->pid) {
        fm_err(err, errlen,
               "journal used in a child process after fork: "
               "the child must open its own");
        return false;
    }
    pthread_mutex_lock(&j->mu);
    return true;
}

void fm_journal_unlock(struct fleetmod_journal *j)
{
    pthread_mutex_unlock(&j->mu);
}

FLEETMOD_API fleetmod_rc fleetmod_journal_open(const char *policy_path,
                                               const struct fleetmod_host *host,
                                               struct fleetmod_journal **out,
                                               char *err, size_t errlen)
{
    struct fm_policy p;
    if (!out)
        return FLEETMOD_EINVAL;
    *out = NULL;
    fleetmod_rc rc = fm_policy_parse(policy_path, &p, err, errlen);
    if (rc != FLEETMOD_OK) {
        fm_policy_free(&p);
        return rc;
    }
    return fm_journal_open(&p, host, out, err, errlen);
}

FLEETMOD_API void fleetmod_journal_close(struct fleetmod_journal *j)
{
    if (!j)
        return;
    /* A child closes nothing of its parent's: the connection (and its
     * SQLite locks or PostgreSQL socket) stays the parent's. */
    if (j->db && getpid() == j->pid)
        j->be->close(j->db);
    if (j->dl && getpid() == j->pid)
        dlclose(j->dl);
    pthread_mutex_destroy(&j->mu);
    fm_policy_free(&j->pol);
    free(j);
}

FLEETMOD_API fleetmod_rc fleetmod_journal_prune(struct fleetmod_journal *j,
                                                int64_t *pruned, char *err,
                                                size_t errlen)
{
    int64_t n = 0;
    if (pruned)
        *pruned = 0;
    if (!j)
        return FLEETMOD_EINVAL;
    if (!j->pol.retention_days)
        return FLEETMOD_OK;
    if (!fm_journal_lock(j, err, errlen))
        return FLEETMOD_EINTERNAL;
    int bad = j->be->prune(j->db, fm_now() - j->pol.retention_days * 86400, &n,
                           err, errlen);
    fm_journal_unlock(j);
    if (bad)
        return FLEETMOD_EINTERNAL;
    if (n)
        fm_jlog(j, LOG_NOTICE,
                "journal: pruned %lld commands older than "
                "%lld days",
                (long long)n, (long long)j->pol.retention_days);
    if (pruned)
        *pruned = n;
    return FLEETMOD_OK;
}
