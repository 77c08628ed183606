/*
 * fmd.h - fleetmodd, the providers as a local HTTP service (fleetmodd(8),
 * fleetmodd(8)). What its files share; nothing here is public.
 *
 * Data flows one way: a connection's bytes (http.c) -> a route (routes.c)
 * -> a job on a worker (pool.c) -> the guard (commands.c) -> the reply
 * map as JSON -> the connection. The watcher (watcher.c) asks the guard
 * about open commands and queues each new state in the journal's outbox;
 * the webhook thread (webhook.c) delivers the outbox. Each of the two
 * runs on a thread of its own (worker.c), apart from the pool's workers.
 */
#ifndef FMD_H
#define FMD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fleetmod/host.h>
#include <fleetmod/service.h>

/* ---- conf.c: fleetmodd.conf (fleetmodd.conf(5)) ------------------------*/

struct fmd_conf {
    char *stack, *policy, *socket, *listen, *tls_cert, *tls_key, *api_keys_file,
        *log;
    unsigned socket_mode;
    char *socket_group;
    size_t max_body;
    unsigned threads, workers, max_connections, connection_timeout;
    unsigned watch_interval; /* seconds between the watcher's rounds */
    char *webhook_url, *webhook_secret_file;
    unsigned webhook_timeout, webhook_max_backoff;
};

/* Read path into c (defaults first). 0, or -1 with "FILE:LINE: what" in
 * err. Free with fmd_conf_free in every case. */
int fmd_conf_load(const char *path, struct fmd_conf *c, char *err,
                  size_t errlen);
void fmd_conf_free(struct fmd_conf *c);

/* ---- keys.c: the TCP listener's API keys --------------------------------*/

struct fmd_keys;

/* Read the api_keys_file ("NAME SHA256-HEX GLOB,GLOB" per line; '#'
 * comments). Refuses a file others may read or write (mode & 0007), a
 * bad line (FILE:LINE), or no key at all. NULL with err on failure. */
struct fmd_keys *fmd_keys_load(const char *path, char *err, size_t errlen);
void fmd_keys_free(struct fmd_keys *k);
/* The name of the key whose SHA-256 matches bearer, compared in constant
 * time against every key; NULL when none does. *idx: its index. */
const char *fmd_keys_match(const struct fmd_keys *k, const char *bearer,
                           size_t *idx);
/* Whether key idx may use command (its globs; no globs: every command). */
bool fmd_keys_allow(const struct fmd_keys *k, size_t idx, const char *command);

/* ---- metrics.c: counters for GET /metrics -------------------------------*/

void fmd_metrics_call(const char *provider, const char *command,
                      const char *outcome, int64_t ms);
void fmd_metrics_http(int status);
/* A label value the text format can hold: '"', '\\' and newline become
 * '_', cut to FMD_LABEL_MAX - 1 bytes (dst holds FMD_LABEL_MAX). */
#define FMD_LABEL_MAX 64
void fmd_metrics_label(char *dst, const char *src);
/* Whether the last call to provider was refused by its open breaker
 * (guard.h: EUNREACHABLE, error.reason breaker_open); the guard keeps
 * its breakers per process, and every call of this process is counted
 * here. */
void fmd_metrics_breaker(const char *provider, bool open);
bool fmd_metrics_breaker_open(const char *provider);
/* Append the OpenMetrics text of the counters to out. */
int fmd_metrics_render(struct fleetmod_buf *out);
/* Append one printf'd piece of metrics text (under 512 bytes) to out;
 * nonzero, with nothing appended, when it does not fit or out cannot
 * grow. */
int fmd_metrics_put(struct fleetmod_buf *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- log.c: one line per event, to a file or stderr; SIGHUP reopens ----*/

void fmd_log_open(const char *path); /* NULL: stderr */
void fmd_log_reopen(void);
void fmd_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The host's log callback (modules' and the guard's lines). */
void fmd_log_host(void *user, int level, const char *msg);

/* ---- the service --------------------------------------------------------*/

struct fmd {
    struct fmd_conf conf;
    struct fleetmod_host host;
    struct fleetmod_stack *stack;
    struct fleetmod_guard *guard;
    struct fleetmod_journal *journal; /* the guard's */
    struct fmd_keys *keys;
    struct fmd_pool *pool;
    struct fmd_http *http_unix, *http_tcp;
    struct fmd_watcher *watcher;
    struct fmd_webhook *webhook;
    atomic_bool stopping;
};

/* A route's answer: the status, the body (malloc'd JSON text) and an
 * optional Retry-After in seconds (0: none). */
struct fmd_answer {
    int status;
    char *body;
    unsigned retry_after;
    const char *allow; /* 405: the Allow header */
    const char *type;  /* Content-Type; NULL: application/json */
};

/* One HTTP request as the routes see it. */
struct fmd_req {
    struct fmd *s;
    const char *method, *path;
    const char *requester; /* who is asking (SO_PEERCRED or key) */
    bool tcp;              /* came through the TCP listener */
    size_t key_idx;        /* tcp: the API key */
    const char *idem_key;  /* Idempotency-Key, or NULL */
    const char *body;      /* NUL-terminated */
    size_t body_len;
    /* The query string's values (the http layer fills them). */
    const char *(*query)(void *conn, const char *name);
    void *conn;
};

/* reply.c: answers the service writes itself. */
/* A reply map of the service (provider "fleetmodd", status "failed",
 * error {code, name, message, delivered "no"}) with HTTP status. */
void fmd_answer_error(struct fmd_answer *a, int status, fleetmod_rc rc,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* HTTP status of an rc (fleetmodd(8)'s table); created: a command was
 * created (OK becomes 201). */
int fmd_http_status(fleetmod_rc rc, bool created);
/* The reply map (msgpack) as the answer: JSON body, the rc's status,
 * Retry-After from error.retry_after_ms. */
void fmd_answer_reply(struct fmd_answer *a, fleetmod_rc rc, bool created,
                      const struct fleetmod_buf *reply);

/* routes.c: answer one request (may block: runs on a worker). */
void fmd_route(struct fmd_req *r, struct fmd_answer *a);
/* routes.c: whether the route exists and the method is allowed, checked
 * before the body is read. 0: fine; else the status (404, 405) with
 * a filled. */
int fmd_route_check(const char *method, const char *path, struct fmd_answer *a);

/* commands.c: the routes that call the guard. */
void fmd_post_command(struct fmd_req *r, struct fmd_answer *a);
void fmd_post_batch(struct fmd_req *r, struct fmd_answer *a);
void fmd_post_confirm(struct fmd_req *r, const char *journal_id,
                      struct fmd_answer *a);
void fmd_get_command(struct fmd_req *r, const char *journal_id,
                     struct fmd_answer *a);
/* listing.c */
void fmd_get_commands(struct fmd_req *r, struct fmd_answer *a);
/* health.c */
void fmd_get_health(struct fmd_req *r, struct fmd_answer *a);
void fmd_get_metrics(struct fmd_req *r, struct fmd_answer *a);
void fmd_get_openapi(struct fmd_req *r, struct fmd_answer *a);

/* idem.c: Idempotency-Key around a route that sends. run is called only
 * when the key is new (or absent); its answer is recorded. */
void fmd_idem_run(struct fmd_req *r, struct fmd_answer *a,
                  void (*run)(struct fmd_req *, struct fmd_answer *));

/* outbox.c: queue the new state of each journaled command in a reply map
 * (msgpack; a batch: each item) as a webhook event (no [webhook]:
 * nothing). Codes are stripped. status: the reply of a status call,
 * whose items with an error say nothing about the command (skipped). */
void fmd_event(struct fmd *s, const char *reply, size_t len, bool status);
/* outbox.c: JSON text of a reply without its confirmation code. */
char *fmd_json_without_code(const char *json);

/* pool.c: the workers that run routes off the HTTP threads. */
struct fmd_pool *fmd_pool_start(unsigned n);
/* Queue fn(arg) on a worker. */
void fmd_pool_run(struct fmd_pool *p, void (*fn)(void *), void *arg);
/* Run every queued job, then join the workers; a job queued after that
 * runs on the caller's thread. */
void fmd_pool_stop(struct fmd_pool *p);
/* Stop (if not yet) and free; no fmd_pool_run may follow. */
void fmd_pool_free(struct fmd_pool *p);

/* listen.c: the unix socket conf.socket, bound, mode and group set,
 * listening; -1 with err. A stale socket file is replaced; a live one
 * (another server answers) or a file that is not a socket is an error. */
int fmd_listen_unix(const struct fmd_conf *c, char *err, size_t errlen);
/* listen.c: HOST:PORT or [V6]:PORT, bound and listening; *is_loopback
 * says whether the address is a loopback one. -1 with err. */
int fmd_listen_tcp(const char *listen_at, bool *is_loopback, char *err,
                   size_t errlen);
/* listen.c: a file's contents as a string (malloc'd); NULL with err. */
char *fmd_slurp(const char *path, char *err, size_t errlen);

/* http.c: a listener. */
struct fmd_http;
/* The unix socket (conf.socket): bound, mode and group set. */
struct fmd_http *fmd_http_unix(struct fmd *s, char *err, size_t errlen);
/* The TCP listener (conf.listen), with TLS when configured. */
struct fmd_http *fmd_http_tcp(struct fmd *s, char *err, size_t errlen);
/* Stop accepting new connections (SIGTERM): requests in flight go on. */
void fmd_http_quiesce(struct fmd_http *h);
void fmd_http_stop(struct fmd_http *h);

/* worker.c: the background thread of the watcher and the webhook.
 * A round returns how long to sleep before the next one (<= 0: none);
 * `poked` says a poke came since the previous round began. */
typedef int64_t (*fmd_worker_round)(void *user, bool poked);
/* Embedded in its owner, so the round may read its own worker from the
 * first call on. Fields are the worker's own. */
struct fmd_worker {
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_bool stop, poked; /* stop is read by rounds without the mutex */
    fmd_worker_round round;
    void *user;
};
/* Start the thread; false (nothing to stop) when it cannot. */
bool fmd_worker_start(struct fmd_worker *wk, fmd_worker_round round,
                      void *user);
/* Wake the thread now: a round without waiting for the delay. */
void fmd_worker_poke(struct fmd_worker *wk);
/* True once stop was asked: a long round checks it between steps. */
bool fmd_worker_stopping(struct fmd_worker *wk);
/* Ask the thread to stop, wait for its round to end, free its parts. */
void fmd_worker_stop(struct fmd_worker *wk);

/* watcher.c: one thread asking the guard about open commands. */
struct fmd_watcher *fmd_watcher_start(struct fmd *s);
/* Wake the watcher now (a command was just created). */
void fmd_watcher_poke(struct fmd_watcher *w);
void fmd_watcher_stop(struct fmd_watcher *w);

/* webhook.c: one thread delivering the outbox. */
struct fmd_webhook *fmd_webhook_start(struct fmd *s, char *err, size_t errlen);
void fmd_webhook_poke(struct fmd_webhook *w);
void fmd_webhook_stop(struct fmd_webhook *w);
int64_t fmd_webhook_backlog(struct fmd *s);

/* notify.c: sd_notify(3) when run by systemd (NOTIFY_SOCKET). */
void fmd_notify(const char *state);

#endif /* FMD_H */
