/*
 * main.c - fleetmodd [--config FILE] [--foreground]: read the config,
 * open the stack, the guard and its journal, start the workers, the
 * webhook and watcher threads and the listeners, tell systemd it is
 * ready, then wait for signals: SIGHUP reopens the log; SIGTERM (or
 * SIGINT) stops accepting, lets the calls in flight finish within their
 * own bounds, answers them, and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fmd.h"

#ifndef FLEETMOD_SYSCONFDIR
#define FLEETMOD_SYSCONFDIR "/etc"
#endif
#ifndef FLEETMOD_VERSION
#define FLEETMOD_VERSION "unknown"
#endif

#define DEFAULT_CONFIG FLEETMOD_SYSCONFDIR "/fleetmod/fleetmodd.conf"

static const char usage[] =
    "usage: fleetmodd [--config FILE] [--foreground]\n"
    "       fleetmodd --help | --version\n"
    "\n"
    "Serve the providers of a fleetmod stack as JSON over HTTP: on a unix\n"
    "socket (the requester is the peer's login name) and optionally on TCP\n"
    "with API keys and TLS. Every call goes through the guard and its\n"
    "journal; each new state of a command can be POSTed to a webhook.\n"
    "\n"
    "  -c, --config FILE  the service's config (default " DEFAULT_CONFIG ")\n"
    "  -f, --foreground   stay in the foreground and log to stderr unless\n"
    "                     the config names a log file (systemd runs it so);\n"
    "                     without it fleetmodd detaches once the config\n"
    "                     has been read\n"
    "  -h, --help         this text\n"
    "  -V, --version      the version\n"
    "\n"
    "Signals: SIGHUP reopens the log file; SIGTERM finishes the calls in\n"
    "flight and exits 0. Exit 1 when it cannot start (the reason on\n"
    "stderr or in the log), 64 on a usage error.\n"
    "See fleetmodd(8) and fleetmodd.conf(5).\n";

static int args(int argc, char **argv, const char **config, bool *fg)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"foreground", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:fhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            *config = optarg;
            break;
        case 'f':
            *fg = true;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        case 'V':
            printf("fleetmodd %s\n", FLEETMOD_VERSION);
            exit(0);
        default:
            fputs(usage, stderr);
            return 64;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "fleetmodd: unexpected argument %s\n%s", argv[optind],
                usage);
        return 64;
    }
    return 0;
}

/* Each connection is a descriptor: take what the hard limit allows. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int open_core(struct fmd *s, char *err, size_t errlen)
{
    fleetmod_rc rc =
        fleetmod_stack_open(s->conf.stack, &s->host, &s->stack, err, errlen);
    if (rc == FLEETMOD_OK)
        rc = fleetmod_guard_open(s->conf.policy, s->stack, &s->host, &s->guard,
                                 err, errlen);
    if (rc != FLEETMOD_OK)
        return -1;
    s->journal = fleetmod_guard_journal(s->guard);
    /* Idempotency keys and the outbox need a journal that stores them:
     * find out now rather than at the first request. */
    char e2[FLEETMOD_ERR_MAX];
    if (fleetmod_journal_outbox_stat(s->journal, NULL, NULL, e2, sizeof e2) !=
        FLEETMOD_OK) {
        snprintf(err, errlen, "%s", e2);
        return -1;
    }
    if (s->conf.listen &&
        !(s->keys =
              fmd_keys_load(s->conf.api_keys_file ? s->conf.api_keys_file
                                                  : "(api_keys_file not set)",
                            err, errlen)))
        return -1;
    return 0;
}

static int start(struct fmd *s, char *err, size_t errlen)
{
    if (open_core(s, err, errlen))
        return -1;
    if (!(s->pool = fmd_pool_start(s->conf.workers))) {
        snprintf(err, errlen, "cannot start %u workers", s->conf.workers);
        return -1;
    }
    if (s->conf.webhook_url &&
        !(s->webhook = fmd_webhook_start(s, err, errlen)))
        return -1;
    if (!(s->watcher = fmd_watcher_start(s))) {
        snprintf(err, errlen, "cannot start the watcher");
        return -1;
    }
    if (!(s->http_unix = fmd_http_unix(s, err, errlen)))
        return -1;
    if (s->conf.listen && !(s->http_tcp = fmd_http_tcp(s, err, errlen)))
        return -1;
    return 0;
}

/* In this order: nothing new is accepted, the calls in flight end and
 * are answered, then the threads that might start new calls stop. */
static void stop(struct fmd *s)
{
    atomic_store(&s->stopping, true);
    fmd_http_quiesce(s->http_unix);
    fmd_http_quiesce(s->http_tcp);
    fmd_pool_stop(s->pool);
    fmd_http_stop(s->http_unix);
    fmd_http_stop(s->http_tcp);
    fmd_pool_free(s->pool);
    fmd_watcher_stop(s->watcher);
    fmd_webhook_stop(s->webhook);
    fleetmod_guard_close(s->guard);
    fleetmod_stack_close(s->stack);
    fmd_keys_free(s->keys);
    fmd_conf_free(&s->conf);
}

static void wait_signals(const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig))
            continue;
        if (sig == SIGHUP) {
            fmd_log_reopen();
            fmd_log(LOG_NOTICE, "log reopened (SIGHUP)");
            continue;
        }
        fmd_log(LOG_NOTICE, "stopping (%s)", strsignal(sig));
        return;
    }
}

int main(int argc, char **argv)
{
    const char *config = DEFAULT_CONFIG;
    bool fg = false;
    int bad = args(argc, argv, &config, &fg);
    if (bad)
        return bad;
    static struct fmd s;
    char err[FLEETMOD_ERR_MAX] = "";
    if (fmd_conf_load(config, &s.conf, err, sizeof err)) {
        fprintf(stderr, "fleetmodd: %s\n", err);
        fmd_conf_free(&s.conf);
        return 1;
    }
    /* Detached, it stays in its directory: relative paths of the config
     * keep meaning what they meant where it was started. */
    if (!fg && daemon(1, 0)) {
        fprintf(stderr, "fleetmodd: daemon: %s\n", strerror(errno));
        return 1;
    }
    fmd_log_open(s.conf.log);
    s.host = (struct fleetmod_host){sizeof s.host, NULL, fmd_log_host};
    /* Signals are taken by sigwait on this thread only: block them before
     * any thread exists, so that every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (start(&s, err, sizeof err)) {
        fmd_log(LOG_ERR, "cannot start: %s", err);
        if (s.conf.log)
            fprintf(stderr, "fleetmodd: cannot start: %s\n", err);
        stop(&s);
        curl_global_cleanup();
        return 1;
    }
    fmd_log(LOG_NOTICE, "fleetmodd %s ready on %s%s%s", FLEETMOD_VERSION,
            s.conf.socket, s.conf.listen ? " and " : "",
            s.conf.listen ? s.conf.listen : "");
    fmd_notify("READY=1");
    wait_signals(&set);
    fmd_notify("STOPPING=1");
    stop(&s);
    curl_global_cleanup();
    fmd_log(LOG_NOTICE, "stopped");
    return 0;
}
