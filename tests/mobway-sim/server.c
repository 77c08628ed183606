/* The libmicrohttpd daemon: epoll with a pool of two worker threads (the
 * simulator must out-run the client it benchmarks on a small machine), the
 * route table, request bodies and the per-connection counters. */
#include "delay.h"
#include "faults.h"
#include "reply.h"
#include "sim.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKER_THREADS 2
#define CONNECTION_LIMIT 4096
#define CONNECTION_TIMEOUT_S 120
#define OVERSIZE_BYTES (2 * 1024 * 1024)

static const struct route routes[] = {
    {"POST", "/token", false, ROUTE_TOKEN, route_token},
    {"POST", "/vehicle-command", false, ROUTE_COMMAND_POST, route_command_post},
    {"GET", "/vehicle-command/", true, ROUTE_COMMAND_GET, route_command_get},
    {"GET", "/_sim/stats", false, ROUTE_SIM, route_sim_stats},
    {"GET", "/_sim/faults", false, ROUTE_SIM, route_sim_faults},
    {"POST", "/_sim/faults", false, ROUTE_SIM, route_sim_faults},
    {"POST", "/_sim/reset", false, ROUTE_SIM, route_sim_reset},
};

/* Per connection: whether its TLS handshake has been counted. */
struct conn_state {
    bool handshake_counted;
};

static bool path_matches(const struct route *r, const char *url)
{
    size_t n = strlen(r->path);
    return r->prefix ? strncmp(url, r->path, n) == 0 && url[n]
                     : strcmp(url, r->path) == 0;
}

static struct request *request_new(const char *url, const char *method)
{
    struct request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->miss_status = 404;
    snprintf(rq->line, sizeof rq->line, "%s %s", method, url);
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const struct route *r = &routes[i];
        if (!path_matches(r, url))
            continue;
        if (strcmp(method, r->method) != 0) {
            rq->miss_status = 405;
            continue;
        }
        rq->route = r;
        const char *arg = url + strlen(r->path);
        if (strlen(arg) >= sizeof rq->arg) /* no such id */
            rq->route = NULL;
        else
            strcpy(rq->arg, arg);
        return rq;
    }
    return rq;
}

static void request_append(struct request *rq, const char *data, size_t size)
{
    if (rq->too_big || rq->len + size > REQUEST_BODY_MAX) {
        rq->too_big = true;
        return;
    }
    if (rq->len + size + 1 > rq->cap) {
        size_t cap = rq->cap ? 2 * rq->cap : 1024;
        while (cap < rq->len + size + 1)
            cap *= 2;
        char *body = realloc(rq->body, cap);
        if (!body) {
            rq->too_big = true;
            return;
        }
        rq->body = body;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, size);
    rq->len += size;
    rq->body[rq->len] = '\0';
}

static void count_handshake(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *tls =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn_state *cs = info ? info->socket_context : NULL;
    if (tls && tls->tls_session && cs && !cs->handshake_counted) {
        cs->handshake_counted = true;
        stats_tls_handshake();
    }
}

static enum MHD_Result dispatch(struct sim *s, struct MHD_Connection *c,
                                struct request *rq)
{
    if (!rq->route)
        return reply_detail(c, ROUTE_OTHER, rq->miss_status,
                            rq->miss_status == 405 ? "Method Not Allowed"
                                                   : "Not Found");
    if (rq->too_big)
        return reply_detail(c, rq->route->stat, 413, "Request body too large");
    if (rq->held) { /* the hold fault is over */
        json_t *body = rq->held;
        rq->held = NULL;
        return reply_json(c, rq->route->stat, 200, body);
    }
    if (rq->route->stat == ROUTE_COMMAND_POST && !rq->delayed) {
        long ms = faults_get(FAULT_LATENCY);
        rq->delayed = true;
        if (ms > 0 && delay_add(s->delay, c, ms) == 0)
            return MHD_YES; /* called again once resumed */
    }
    return rq->route->handle(s, c, rq);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version;
    struct request *rq = *req_cls;
    if (!rq) {
        *req_cls = rq = request_new(url, method);
        count_handshake(c);
        return rq ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        request_append(rq, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(cls, c, rq);
}

/* One line per request on stderr, "mobway-sim: POST /token 200" (or
 * "closed": no answer), written by one fprintf so that the lines of the
 * worker threads do not interleave. Paths carry no secret: credentials
 * and tokens travel in bodies and headers, which are never logged. */
static void log_request(const struct sim *s, struct MHD_Connection *c,
                        const struct request *rq)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
    unsigned status = info ? info->http_status : 0;

    if (s->cfg.quiet)
        return;
    if (status)
        fprintf(stderr, "mobway-sim: %s %u\n", rq->line, status);
    else
        fprintf(stderr, "mobway-sim: %s closed\n", rq->line);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)code;
    struct request *rq = *req_cls;
    if (rq) {
        log_request(cls, c, rq);
        json_decref(rq->held); /* a held answer whose client went away */
        free(rq->body);
    }
    free(rq);
    *req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls, (void)c;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        stats_connection();
        *socket_context = calloc(1, sizeof(struct conn_state));
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

/* The oversize fault's body: valid JSON, 2 MiB, so only its size is
 * wrong. */
static int build_oversize(struct sim *s)
{
    static const char head[] = "{\"detail\":\"";
    s->oversize_len = OVERSIZE_BYTES;
    s->oversize = malloc(OVERSIZE_BYTES);
    if (!s->oversize)
        return -1;
    memset(s->oversize, 'x', OVERSIZE_BYTES);
    memcpy(s->oversize, head, sizeof head - 1);
    memcpy(s->oversize + OVERSIZE_BYTES - 2, "\"}", 2);
    return 0;
}

static struct addrinfo *resolve(const struct sim_config *cfg, char *err,
                                size_t err_len)
{
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%u", cfg->port);
    int rc = getaddrinfo(cfg->host, port, &hints, &ai);
    if (rc != 0)
        snprintf(err, err_len, "cannot resolve %s: %s", cfg->host,
                 gai_strerror(rc));
    return rc == 0 ? ai : NULL;
}

static unsigned daemon_flags(const struct sim *s, int family, bool tls)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (!s->cfg.quiet)
        flags |= MHD_USE_ERROR_LOG;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (tls)
        flags |= MHD_USE_TLS;
    return flags;
}

int server_start(struct sim *s, const char *cert_pem, const char *key_pem,
                 char *err, size_t err_len)
{
    struct addrinfo *ai = resolve(&s->cfg, err, err_len);
    if (!ai)
        return -1;
    if (build_oversize(s) < 0 || !(s->delay = delay_start())) {
        snprintf(err, err_len, "out of memory");
        freeaddrinfo(ai);
        return -1;
    }
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        daemon_flags(s, ai->ai_family, cert_pem), 0, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)WORKER_THREADS, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_ARRAY, cert_pem ? tls_opts : tls_opts + 2, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!s->daemon) {
        snprintf(err, err_len, "cannot listen on %s port %u", s->cfg.host,
                 s->cfg.port);
        return -1;
    }
    return 0;
}

unsigned server_port(const struct sim *s)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void server_stop(struct sim *s)
{
    if (s->delay)
        delay_stop(s->delay);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->delay)
        delay_free(s->delay);
    free(s->oversize);
    s->delay = NULL;
    s->daemon = NULL;
    s->oversize = NULL;
}
