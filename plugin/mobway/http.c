/* http.c - libcurl exchanges, the handle pool and the share handle. */
#include "http.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A pooled easy handle and the memory its requests point at. libcurl
 * reads the header list during a transfer only and copies the URL, so
 * each request rewrites these in place: a request allocates nothing
 * here, and the options that never change are set once, when the handle
 * is made. */
struct conn {
    CURL *e;
    struct mw_exchange *ex; /* in flight on e, or NULL */
    long attempt;
    struct curl_slist hdr[5]; /* our own nodes: libcurl never frees them */
    char *auth;               /* "Authorization: Bearer <token>", wiped */
    size_t auth_cap;
    char ctype[64];
    char sig[sizeof "X-Signature: " + 64];            /* 64 hex digits */
    char path[sizeof((struct mw_exchange *)0)->path]; /* the URL's, on e */
    char errbuf[CURL_ERROR_SIZE];
};

struct mw_http {
    const struct mw_config *cfg;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t mu; /* guards idle, n_idle, n_made */
    pthread_cond_t cv;  /* a handle went back to idle */
    struct conn **idle;
    size_t n_idle, n_made;
    char *capath; /* libcurl's default CA directory, to add ca_file to */
};

/* ------------------------------------------------------------ share locks */

static void share_lock(CURL *e, curl_lock_data data, curl_lock_access access,
                       void *user)
{
    struct mw_http *h = user;
    (void)e;
    (void)access;
    pthread_mutex_lock(&h->locks[data]);
}

static void share_unlock(CURL *e, curl_lock_data data, void *user)
{
    struct mw_http *h = user;
    (void)e;
    pthread_mutex_unlock(&h->locks[data]);
}

static CURLSH *make_share(struct mw_http *h)
{
    CURLSH *s = curl_share_init();

    if (s &&
        (curl_share_setopt(s, CURLSHOPT_LOCKFUNC, share_lock) ||
         curl_share_setopt(s, CURLSHOPT_UNLOCKFUNC, share_unlock) ||
         curl_share_setopt(s, CURLSHOPT_USERDATA, h) ||
         curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
         curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION))) {
        curl_share_cleanup(s);
        return NULL;
    }
    return s;
}

/* libcurl's built-in CA directory: ca_file is added to it, not put in
 * place of the system's trust store (CURLOPT_CAINFO alone replaces it). */
static char *default_capath(void)
{
    CURL *e = curl_easy_init();
    char *path = NULL;

    if (e && curl_easy_getinfo(e, CURLINFO_CAPATH, &path) == CURLE_OK && path)
        path = strdup(path);
    else
        path = NULL;
    curl_easy_cleanup(e);
    return path;
}

struct mw_http *mw_http_new(const struct mw_config *cfg)
{
    struct mw_http *h = calloc(1, sizeof *h);

    if (!h)
        return NULL;
    h->cfg = cfg;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&h->locks[i], NULL);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->idle = calloc((size_t)cfg->max_connections, sizeof *h->idle);
    h->share = make_share(h);
    h->capath = cfg->ca_file ? default_capath() : NULL;
    if (!h->idle || !h->share) {
        mw_http_free(h);
        return NULL;
    }
    return h;
}

static void free_conn(struct conn *c)
{
    curl_easy_cleanup(c->e);
    if (c->auth)
        OPENSSL_cleanse(c->auth, c->auth_cap);
    free(c->auth);
    free(c);
}

void mw_http_free(struct mw_http *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_idle; i++)
        free_conn(h->idle[i]);
    if (h->share)
        curl_share_cleanup(h->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&h->locks[i]);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h->idle);
    free(h->capath);
    free(h);
}

/* ------------------------------------------------------------- callbacks */

static size_t read_body(char *buf, size_t size, size_t n, void *user)
{
    struct mw_exchange *ex = user;
    size_t left = ex->body_len - ex->sent;
    size_t k = left < size * n ? left : size * n;

    memcpy(buf, ex->body + ex->sent, k);
    ex->sent += k;
    return k;
}

static size_t write_body(char *data, size_t size, size_t n, void *user)
{
    struct mw_exchange *ex = user;
    size_t k = size * n;
    char *grown;

    if (ex->resp_len + k > MW_HTTP_MAX_BODY) {
        ex->too_big = true;
        return 0; /* libcurl stops with CURLE_WRITE_ERROR */
    }
    if (ex->resp_len + k + 1 > ex->cap) {
        size_t cap = (ex->resp_len + k + 1) * 2;
        if (!(grown = realloc(ex->resp, cap)))
            return 0;
        ex->resp = grown;
        ex->cap = cap;
    }
    memcpy(ex->resp + ex->resp_len, data, k);
    ex->resp_len += k;
    ex->resp[ex->resp_len] = '\0';
    return k;
}

/* ---------------------------------------------------------- the handles */

static void set_tls(struct mw_http *h, CURL *e)
{
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (h->cfg->ca_file) {
        curl_easy_setopt(e, CURLOPT_CAINFO, h->cfg->ca_file);
        if (h->capath)
            curl_easy_setopt(e, CURLOPT_CAPATH, h->capath);
    }
}

/* A handle with every option that is the same for all requests. */
static struct conn *new_conn(struct mw_http *h)
{
    struct conn *c = calloc(1, sizeof *c);
    CURL *e = c ? curl_easy_init() : NULL;

    if (!e) {
        free(c);
        return NULL;
    }
    c->e = e;
    /* HTTP/1.1 only: one request per connection at a time keeps "was it
     * sent?" answerable. Only the configured schemes, no redirects. */
    if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
                         h->cfg->allow_http ? "http,https" : "https") ||
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) ||
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                         (long)CURL_HTTP_VERSION_1_1) ||
        curl_easy_setopt(e, CURLOPT_SHARE, h->share)) {
        free_conn(c);
        return NULL;
    }
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_body);
    /* Bodies go through a read callback with a known size and NO seek
     * callback: libcurl cannot rewind, so it cannot silently send a body
     * a second time. */
    curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
    set_tls(h, e);
    return c;
}

/* ------------------------------------------------------------------ pool */

/* A handle from the pool; waits while max_connections are busy unless
 * !wait (then NULL). */
static struct conn *acquire(struct mw_http *h, bool wait)
{
    struct conn *c = NULL;
    bool make = false;

    pthread_mutex_lock(&h->mu);
    while (wait && h->n_idle == 0 &&
           h->n_made >= (size_t)h->cfg->max_connections)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->n_idle > 0)
        c = h->idle[--h->n_idle];
    else if (h->n_made < (size_t)h->cfg->max_connections) {
        h->n_made++; /* its place; the handle is made outside the lock */
        make = true;
    }
    pthread_mutex_unlock(&h->mu);
    if (!make || (c = new_conn(h)))
        return c;
    pthread_mutex_lock(&h->mu); /* could not make it: give the place back */
    h->n_made--;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

static void release(struct mw_http *h, struct conn *c)
{
    c->ex = NULL;
    pthread_mutex_lock(&h->mu);
    h->idle[h->n_idle++] = c;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

/* ----------------------------------------------------------- one request */

/* dst = name value, when it fits in cap. */
static bool put_line(char *dst, size_t cap, const char *name, const char *value)
{
    size_t a = strlen(name), b = strlen(value);

    if (a + b + 1 > cap)
        return false;
    memcpy(dst, name, a);
    memcpy(dst + a, value, b + 1);
    return true;
}

/* The Authorization line for token, rewritten only when the token
 * changed (the old line is wiped first). */
static bool put_auth(struct conn *c, const char *token)
{
    static const char name[] = "Authorization: Bearer ";
    size_t need = sizeof name + strlen(token);

    if (c->auth && strcmp(c->auth + sizeof name - 1, token) == 0)
        return true;
    if (c->auth)
        OPENSSL_cleanse(c->auth, c->auth_cap);
    if (need > c->auth_cap) {
        free(c->auth);
        c->auth_cap = 0;
        if (!(c->auth = malloc(need)))
            return false;
        c->auth_cap = need;
    }
    return put_line(c->auth, c->auth_cap, name, token);
}

/* The header list of ex in c's own nodes, or NULL when out of memory. */
static struct curl_slist *headers(struct conn *c, const struct mw_exchange *ex)
{
    static char accept[] = "Accept: application/json";
    static char expect[] = "Expect:"; /* no 100-continue round trip */
    char *line[5] = {accept, expect};
    size_t n = 2;

    if (ex->content_type &&
        put_line(c->ctype, sizeof c->ctype, "Content-Type: ", ex->content_type))
        line[n++] = c->ctype;
    if (ex->bearer) {
        if (!put_auth(c, ex->bearer))
            return NULL;
        line[n++] = c->auth;
    }
    if (ex->signature &&
        put_line(c->sig, sizeof c->sig, "X-Signature: ", ex->signature))
        line[n++] = c->sig;
    for (size_t i = 0; i < n; i++) {
        c->hdr[i].data = line[i];
        c->hdr[i].next = i + 1 < n ? &c->hdr[i + 1] : NULL;
    }
    return c->hdr;
}

/* Points c's handle at base_url + path, unless it already is. */
static int set_url(struct mw_http *h, struct conn *c, const char *path)
{
    char url[1024];

    if (strcmp(c->path, path) == 0)
        return 0;
    c->path[0] = '\0';
    if ((size_t)snprintf(url, sizeof url, "%s%s", h->cfg->base_url, path) >=
            sizeof url ||
        curl_easy_setopt(c->e, CURLOPT_URL, url) != CURLE_OK)
        return -1;
    snprintf(c->path, sizeof c->path, "%s", path);
    return 0;
}

uint64_t mw_http_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The ms an attempt of ex may take: timeout_ms, or less when the call's
 * deadline comes first; 0 when no time is left. */
static long time_left(const struct mw_http *h, const struct mw_exchange *ex)
{
    uint64_t now = mw_http_now_ms();
    long limit = h->cfg->timeout_ms;

    if (ex->deadline_ms == 0)
        return limit;
    if (ex->deadline_ms <= now)
        return 0;
    return ex->deadline_ms - now < (uint64_t)limit
               ? (long)(ex->deadline_ms - now)
               : limit;
}

/* Sets up c for ex: 0; -1 when memory ran out, 1 when ex's deadline has
 * passed (in both cases nothing was sent). */
static int prepare(struct mw_http *h, struct conn *c, struct mw_exchange *ex)
{
    struct curl_slist *hdrs = headers(c, ex);
    long left = time_left(h, ex);
    CURL *e = c->e;

    c->ex = ex;
    ex->sent = 0;
    c->errbuf[0] = '\0';
    if (!hdrs || set_url(h, c, ex->path) != 0)
        return -1;
    if (left == 0) {
        ex->outcome = MW_UNREACHABLE;
        snprintf(ex->error, sizeof ex->error,
                 "the call's time (timeout_ms) ran out before this request "
                 "was sent");
        return 1;
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left);
    curl_easy_setopt(
        e, CURLOPT_CONNECTTIMEOUT_MS,
        left < h->cfg->connect_timeout_ms ? left : h->cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, ex);
    if (ex->body) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_READDATA, ex);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)ex->body_len);
    } else {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    return 0;
}

/* Retry-After in seconds or as an HTTP date, in ms. */
static long retry_after(CURL *e)
{
    struct curl_header *hd;
    long secs;
    char *end;

    if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &hd) !=
        CURLHE_OK)
        return -1;
    secs = strtol(hd->value, &end, 10);
    if (end == hd->value || *end != '\0') {
        time_t t = curl_getdate(hd->value, NULL);
        if (t < 0)
            return -1;
        secs = t > time(NULL) ? (long)(t - time(NULL)) : 0;
    }
    return secs < 0 ? -1 : secs * 1000;
}

/* Errors that happen before a request can have left. */
static bool never_connected(CURLcode cc)
{
    switch (cc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return true;
    default:
        return false;
    }
}

/* Sorts a failed transfer: a request whose body libcurl ever read, or
 * whose header bytes went out, may have reached Mobway. In doubt, unknown. */
static enum mw_transport classify(CURL *e, CURLcode cc,
                                  const struct mw_exchange *ex)
{
    long request_size = 0;

    if (ex->too_big || ex->sent > 0)
        return MW_UNKNOWN;
    if (never_connected(cc))
        return MW_UNREACHABLE;
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_size);
    if (cc == CURLE_OPERATION_TIMEDOUT && request_size == 0)
        return MW_UNREACHABLE;
    return MW_UNKNOWN;
}

static void finish(struct conn *c, CURLcode cc)
{
    struct mw_exchange *ex = c->ex;
    curl_off_t us = 0;

    curl_easy_getinfo(c->e, CURLINFO_TOTAL_TIME_T, &us);
    ex->ms += (long)(us / 1000);
    curl_easy_getinfo(c->e, CURLINFO_RESPONSE_CODE, &ex->status);
    if (cc == CURLE_OK) {
        ex->outcome = MW_ANSWERED;
        ex->retry_after_ms = retry_after(c->e);
        return;
    }
    ex->outcome = classify(c->e, cc, ex);
    snprintf(ex->error, sizeof ex->error, "%s%s%.200s", curl_easy_strerror(cc),
             c->errbuf[0] ? ": " : "", c->errbuf);
}

/* After a transfer of c: true when its exchange is to be tried again (it
 * never left, retries remain, and so does time before its deadline). */
static bool again(struct mw_http *h, struct conn *c)
{
    return c->ex->outcome == MW_UNREACHABLE &&
           c->attempt++ < h->cfg->retry_unreachable && time_left(h, c->ex) > 0;
}

void mw_exchange_reset(struct mw_exchange *ex)
{
    free(ex->resp);
    ex->resp = NULL;
    ex->resp_len = ex->cap = 0;
    ex->too_big = false;
    ex->status = 0;
    ex->retry_after_ms = -1;
    ex->error[0] = '\0';
}

int mw_http_exchange(struct mw_http *h, struct mw_exchange *ex)
{
    struct conn *c = acquire(h, true);
    int rc = 0;

    ex->ms = 0;
    if (!c)
        return -1;
    c->attempt = 0;
    do {
        int ready;

        mw_exchange_reset(ex);
        if ((ready = prepare(h, c, ex)) != 0) {
            rc = ready < 0 ? -1 : 0;
            break;
        }
        finish(c, curl_easy_perform(c->e));
    } while (again(h, c));
    release(h, c);
    return rc;
}

/* -------------------------------------------------------------- batches */

/* Starts the next exchange on c: the one it holds (a retry), else the
 * next not yet started (*next indexes ex). An exchange that cannot be
 * set up (no memory) stays unreachable: nothing of it was sent. */
static void feed(struct mw_http *h, CURLM *m, struct conn *c,
                 struct mw_exchange **ex, size_t n, size_t *next)
{
    while (c->ex || *next < n) {
        if (!c->ex) {
            c->ex = ex[(*next)++];
            c->attempt = 0;
        }
        mw_exchange_reset(c->ex);
        if (prepare(h, c, c->ex) == 0 &&
            curl_multi_add_handle(m, c->e) == CURLM_OK)
            return;
        c->ex->outcome = MW_UNREACHABLE; /* nothing of it was sent */
        c->ex = NULL;
    }
}

/* Handles the finished transfers and starts the next exchanges on the
 * handles they freed. */
static void reap(struct mw_http *h, CURLM *m, struct mw_exchange **ex, size_t n,
                 size_t *next)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(m, &left))) {
        CURL *e = msg->easy_handle;
        CURLcode cc = msg->data.result; /* msg dies with the removal */
        char *priv = NULL;
        struct conn *c;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
        c = (struct conn *)priv;
        curl_multi_remove_handle(m, e);
        finish(c, cc);
        if (!again(h, c))
            c->ex = NULL;
        feed(h, m, c, ex, n, next);
    }
}

static bool busy(struct conn **conns, size_t nc)
{
    for (size_t i = 0; i < nc; i++)
        if (conns[i]->ex)
            return true;
    return false;
}

static void run_multi(struct mw_http *h, CURLM *m, struct conn **conns,
                      size_t nc, struct mw_exchange **ex, size_t n)
{
    size_t next = 0;
    int running = 0;

    for (size_t i = 0; i < nc; i++)
        feed(h, m, conns[i], ex, n, &next);
    while (busy(conns, nc)) {
        curl_multi_perform(m, &running);
        reap(h, m, ex, n, &next);
        if (running)
            curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
}

int mw_http_exchange_many(struct mw_http *h, struct mw_exchange **ex, size_t n)
{
    size_t cap = (size_t)h->cfg->max_connections, nc = 0;
    struct conn **conns = calloc(n < cap ? n : cap, sizeof *conns);
    CURLM *m = conns ? curl_multi_init() : NULL;

    /* the first handle may wait; more only while free, so two batches
     * never deadlock holding half the pool each */
    while (m && nc < n && nc < cap && (conns[nc] = acquire(h, nc == 0)))
        nc++;
    if (!m || nc == 0) {
        curl_multi_cleanup(m);
        free(conns);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        ex[i]->ms = 0;
        ex[i]->outcome = MW_UNREACHABLE; /* until it runs */
    }
    run_multi(h, m, conns, nc, ex, n);
    curl_multi_cleanup(m);
    for (size_t i = 0; i < nc; i++)
        release(h, conns[i]);
    free(conns);
    return 0;
}
