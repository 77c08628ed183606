/*
 * log.c - fleetmodd's log: one line per event, to the file named by
 * [service] log (reopened on SIGHUP, for logrotate) or to stderr (the
 * journal, under systemd). Lines never carry request bodies, keys or
 * codes: only what was asked, by whom, and how it ended.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "fmd.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;
static char path[4096];

static const char *level_name(int level)
{
    switch (level) {
    case LOG_ERR:
        return "error";
    case LOG_WARNING:
        return "warning";
    case LOG_NOTICE:
        return "notice";
    case LOG_INFO:
        return "info";
    default:
        return level < LOG_ERR ? "error" : "debug";
    }
}

static void open_locked(void)
{
    if (out && out != stderr)
        fclose(out);
    out = path[0] ? fopen(path, "a") : NULL;
    if (!out) {
        if (path[0])
            fprintf(stderr, "fleetmodd: cannot open log %s; using stderr\n",
                    path);
        out = stderr;
    }
    setvbuf(out, NULL, _IOLBF, 0);
}

void fmd_log_open(const char *p)
{
    pthread_mutex_lock(&mu);
    snprintf(path, sizeof path, "%s", p ? p : "");
    open_locked();
    pthread_mutex_unlock(&mu);
}

void fmd_log_reopen(void)
{
    pthread_mutex_lock(&mu);
    open_locked();
    pthread_mutex_unlock(&mu);
}

void fmd_log(int level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One line whatever the text holds. */
    for (char *c = line; *c; c++) {
        if ((unsigned char)*c < 0x20)
            *c = '?';
    }
    char when[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    pthread_mutex_lock(&mu);
    if (!out)
        out = stderr;
    fprintf(out, "%s fleetmodd %s: %s\n", when, level_name(level), line);
    pthread_mutex_unlock(&mu);
}

void fmd_log_host(void *user, int level, const char *msg)
{
    (void)user;
    fmd_log(level, "%s", msg);
}
