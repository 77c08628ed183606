/*
 * http.c - the listeners (libmicrohttpd, its own thread pool, epoll): the
 * unix socket, whose requester is the login name of the peer's uid
 * (SO_PEERCRED), and the optional TCP one, whose requester is the name
 * of the API key (Authorization: Bearer KEY).
 *
 * What is refused before anything is read past the headers: an unknown
 * path (404) or method (405), a missing or bad key (401), a body whose
 * Content-Length is over max_body (413). A body that grows past max_body
 * without one is dropped as it comes and answered 413. A request that
 * passes suspends its connection and runs on a worker (pool.c); the
 * worker resumes it with the answer. Nothing of a rejected request
 * reaches a module or the journal.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "fmd.h"

struct fmd_http {
    struct fmd *s;
    struct MHD_Daemon *d;
    bool tcp;
    int fd;
    char *unix_path;
    char *tls_cert, *tls_key; /* the files' contents */
    atomic_int in_flight;     /* requests begun and not completed */
};

/* Each connection's buffer for its request and answer headers (bodies
 * are copied out as they come, answers sent from their own buffer).
 * libmicrohttpd's default, 32 KiB, would keep 10,000 idle keep-alive
 * connections over 300 MiB. */
#define CONN_MEMORY (12 * 1024)

enum phase { READING, RUNNING, ANSWERED };

/* One request on a connection. */
struct conn {
    struct fmd_http *h;
    struct MHD_Connection *c;
    enum phase phase;
    struct fleetmod_buf body;
    bool too_big;
    char requester[64];
    size_t key_idx;
    char *method, *path;
    struct fmd_answer a;
    struct timespec t0;
};

static const char *query(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

/* The login name of the peer's uid, or its number when it has none. */
static int peer_name(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (!ci || getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
        return -1;
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(cr.uid, &pw, buf, sizeof buf, &res) == 0 && res)
        snprintf(out, n, "%s", res->pw_name);
    else
        snprintf(out, n, "uid-%u", (unsigned)cr.uid);
    return 0;
}

static enum MHD_Result send_answer(struct conn *st)
{
    struct fmd_answer *a = &st->a;
    if (!a->body)
        fmd_answer_error(a, 500, FLEETMOD_ENOMEM, "out of memory");
    size_t len = a->body ? strlen(a->body) : 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, a->body ? a->body : (char *)"",
        a->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    a->body = NULL; /* the response owns it now */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            a->type ? a->type : "application/json");
    if (a->allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, a->allow);
    if (a->retry_after) {
        char v[16];
        snprintf(v, sizeof v, "%u", a->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (a->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    enum MHD_Result ok = MHD_queue_response(st->c, (unsigned)a->status, r);
    MHD_destroy_response(r);
    st->phase = ANSWERED;
    return ok;
}

/* Who is asking; 0, or the answer (401) already in st->a. */
static int who(struct conn *st)
{
    struct fmd *s = st->h->s;
    if (!st->h->tcp) {
        if (peer_name(st->c, st->requester, sizeof st->requester) == 0)
            return 0;
        fmd_answer_error(&st->a, 500, FLEETMOD_EINTERNAL,
                         "cannot tell who is asking (SO_PEERCRED)");
        return -1;
    }
    const char *auth = MHD_lookup_connection_value(
        st->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *name = NULL;
    if (auth && strncmp(auth, "Bearer ", 7) == 0)
        name = fmd_keys_match(s->keys, auth + 7, &st->key_idx);
    if (!name) {
        fmd_answer_error(&st->a, 401, FLEETMOD_EDENIED, "%s",
                         auth ? "this API key is not valid"
                              : "an API key is needed: Authorization: Bearer "
                                "KEY");
        return -1;
    }
    snprintf(st->requester, sizeof st->requester, "%s", name);
    return 0;
}

static int oversized(struct conn *st)
{
    const char *cl = MHD_lookup_connection_value(
        st->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    size_t max = st->h->s->conf.max_body;
    if (!cl || strtoull(cl, NULL, 10) <= max)
        return 0;
    fmd_answer_error(&st->a, 413, FLEETMOD_EINVAL,
                     "the body is over max_body (%zu bytes)", max);
    return -1;
}

/* The first call: headers only. */
static enum MHD_Result begin(struct fmd_http *h, struct MHD_Connection *c,
                             const char *url, const char *method,
                             void **con_cls)
{
    struct conn *st = calloc(1, sizeof *st);
    if (!st)
        return MHD_NO;
    *con_cls = st;
    atomic_fetch_add(&h->in_flight, 1);
    clock_gettime(CLOCK_MONOTONIC, &st->t0);
    st->h = h;
    st->c = c;
    st->method = strdup(method);
    st->path = strdup(url);
    if (!st->method || !st->path)
        return MHD_NO;
    if (who(st) || fmd_route_check(method, url, &st->a) || oversized(st))
        return send_answer(st);
    return MHD_YES;
}

static void run(void *arg)
{
    struct conn *st = arg;
    struct fmd_req r = {.s = st->h->s,
                        .method = st->method,
                        .path = st->path,
                        .requester = st->requester,
                        .tcp = st->h->tcp,
                        .key_idx = st->key_idx,
                        .idem_key = MHD_lookup_connection_value(
                            st->c, MHD_HEADER_KIND, "Idempotency-Key"),
                        .body = st->body.data ? st->body.data : "",
                        .body_len = st->body.len,
                        .query = query,
                        .conn = st->c};
    fmd_route(&r, &st->a);
    st->phase = ANSWERED;
    MHD_resume_connection(st->c);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
                              const char *url, const char *method,
                              const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    struct fmd_http *h = cls;
    struct conn *st = *con_cls;
    if (!st)
        return begin(h, c, url, method, con_cls);
    if (*upload_size) {
        if (!st->too_big && st->body.len + *upload_size > h->s->conf.max_body)
            st->too_big = true;
        if (!st->too_big && fleetmod_buf_write(&st->body, upload, *upload_size))
            st->too_big = true; /* no memory for it: treated alike */
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->phase == ANSWERED)
        return send_answer(st);
    if (st->phase == RUNNING)
        return MHD_YES;
    if (st->too_big) {
        fmd_answer_error(&st->a, 413, FLEETMOD_EINVAL,
                         "the body is over max_body (%zu bytes)",
                         h->s->conf.max_body);
        return send_answer(st);
    }
    if (atomic_load(&h->s->stopping)) {
        fmd_answer_error(&st->a, 503, FLEETMOD_EUNREACHABLE,
                         "fleetmodd is stopping; nothing was sent");
        return send_answer(st);
    }
    /* NUL-terminate the body for the JSON parser. */
    if (fleetmod_buf_write(&st->body, "", 1))
        return MHD_NO;
    st->body.len--;
    st->phase = RUNNING;
    MHD_suspend_connection(c);
    fmd_pool_run(h->s->pool, run, st);
    return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why)
{
    (void)c;
    struct fmd_http *h = cls;
    struct conn *st = *con_cls;
    if (!st)
        return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - st->t0.tv_sec) * 1000 +
              (t1.tv_nsec - st->t0.tv_nsec) / 1000000;
    int status = st->phase == ANSWERED ? st->a.status : 0;
    fmd_metrics_http(status);
    fmd_log(LOG_INFO, "%s %s %d %s %ldms%s", st->method ? st->method : "?",
            st->path ? st->path : "?", status,
            st->requester[0] ? st->requester : "-", ms,
            why == MHD_REQUEST_TERMINATED_COMPLETED_OK
                ? ""
                : " (the client went away)");
    free(st->a.body);
    fleetmod_buf_free(&st->body);
    free(st->method);
    free(st->path);
    free(st);
    *con_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    fmd_log(LOG_WARNING, "http: %s", line);
}

static int start(struct fmd_http *h, char *err, size_t errlen)
{
    const struct fmd_conf *c = &h->s->conf;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (h->tls_cert)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert},
                                   {MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key},
                                   {MHD_OPTION_END, 0, NULL}};
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, answer, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
        MHD_OPTION_LISTEN_SOCKET, h->fd, MHD_OPTION_THREAD_POOL_SIZE,
        c->threads, MHD_OPTION_CONNECTION_LIMIT, c->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, c->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, completed, h, MHD_OPTION_ARRAY,
        h->tls_cert ? tls : tls + 2, MHD_OPTION_END);
    if (!h->d) {
        snprintf(err, errlen, "cannot start the HTTP listener on %s",
                 h->tcp ? c->listen : c->socket);
        return -1;
    }
    return 0;
}

static void free_http(struct fmd_http *h)
{
    if (!h)
        return;
    if (h->fd >= 0)
        close(h->fd);
    if (h->unix_path)
        unlink(h->unix_path);
    free(h->unix_path);
    free(h->tls_cert);
    free(h->tls_key);
    free(h);
}

struct fmd_http *fmd_http_unix(struct fmd *s, char *err, size_t errlen)
{
    struct fmd_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->s = s;
    h->fd = fmd_listen_unix(&s->conf, err, errlen);
    if (h->fd >= 0 && !(h->unix_path = strdup(s->conf.socket)))
        snprintf(err, errlen, "out of memory");
    if (h->fd < 0 || !h->unix_path || start(h, err, errlen)) {
        if (h->fd >= 0 && !h->unix_path)
            unlink(s->conf.socket);
        free_http(h);
        return NULL;
    }
    return h;
}

struct fmd_http *fmd_http_tcp(struct fmd *s, char *err, size_t errlen)
{
    const struct fmd_conf *c = &s->conf;
    if (!c->api_keys_file) {
        snprintf(err, errlen,
                 "listen %s: a TCP listener needs api_keys_file; not "
                 "starting",
                 c->listen);
        return NULL;
    }
    struct fmd_http *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->s = s;
    h->tcp = true;
    bool lo = false;
    h->fd = fmd_listen_tcp(c->listen, &lo, err, errlen);
    if (h->fd >= 0 && !lo && !c->tls_cert) {
        snprintf(err, errlen,
                 "listen %s: not a loopback address, and no tls_cert: "
                 "keys would cross the network in clear; not starting",
                 c->listen);
        free_http(h);
        return NULL;
    }
    if (h->fd >= 0 && c->tls_cert &&
        (!(h->tls_cert = fmd_slurp(c->tls_cert, err, errlen)) ||
         !(h->tls_key = fmd_slurp(c->tls_key, err, errlen)))) {
        free_http(h);
        return NULL;
    }
    if (h->fd < 0 || start(h, err, errlen)) {
        free_http(h);
        return NULL;
    }
    return h;
}

void fmd_http_quiesce(struct fmd_http *h)
{
    if (h && h->d)
        MHD_quiesce_daemon(h->d);
}

void fmd_http_stop(struct fmd_http *h)
{
    if (!h)
        return;
    /* The answers of the last calls are on their way: give them a
     * bounded moment to be written. */
    for (int i = 0; i < 500 && atomic_load(&h->in_flight) > 0; i++)
        usleep(10000);
    /* Quiesced, the daemon leaves the listening socket to us (closed in
     * free_http), whoever stopped first. */
    if (h->d) {
        MHD_quiesce_daemon(h->d);
        MHD_stop_daemon(h->d);
    }
    free_http(h);
}
