/* http.c - libcurl exchanges, the handle pool and the share handle. */
#include "http.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mw_http {
    const struct mw_config *cfg;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t mu; /* guards idle, n_idle, n_made */
    pthread_cond_t cv;  /* a handle went back to idle */
    CURL **idle;
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

void mw_http_free(struct mw_http *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_idle; i++)
        curl_easy_cleanup(h->idle[i]);
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

/* ------------------------------------------------------------------ pool */

/* A handle from the pool; waits while max_connections are busy unless
 * !wait (then NULL). */
static CURL *acquire(struct mw_http *h, bool wait)
{
    CURL *e = NULL;

    pthread_mutex_lock(&h->mu);
    while (wait && h->n_idle == 0 &&
           h->n_made >= (size_t)h->cfg->max_connections)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->n_idle > 0)
        e = h->idle[--h->n_idle];
    else if (h->n_made < (size_t)h->cfg->max_connections &&
             (e = curl_easy_init()))
        h->n_made++;
    pthread_mutex_unlock(&h->mu);
    return e;
}

static void release(struct mw_http *h, CURL *e)
{
    pthread_mutex_lock(&h->mu);
    h->idle[h->n_idle++] = e;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
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

/* ----------------------------------------------------------- one request */

static struct curl_slist *add_header(struct curl_slist *l, const char *name,
                                     const char *value, bool *ok)
{
    char line[4096];
    struct curl_slist *n;

    if (!*ok || !value)
        return l;
    snprintf(line, sizeof line, "%s: %s", name, value);
    n = curl_slist_append(l, line);
    OPENSSL_cleanse(line, sizeof line);
    *ok = n != NULL;
    return n ? n : l;
}

/* Wipes the header lines (they hold the bearer token) and frees them. */
static void free_headers(struct curl_slist *l)
{
    for (struct curl_slist *p = l; p; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

static struct curl_slist *make_headers(const struct mw_exchange *ex)
{
    bool ok = true;
    struct curl_slist *l = curl_slist_append(NULL, "Accept: application/json");
    char bearer[4096];

    snprintf(bearer, sizeof bearer, "Bearer %s", ex->bearer ? ex->bearer : "");
    ok = l != NULL;
    /* an empty Expect: no 100-continue round trip */
    l = add_header(l, "Expect", "", &ok);
    l = add_header(l, "Content-Type", ex->content_type, &ok);
    l = add_header(l, "Authorization", ex->bearer ? bearer : NULL, &ok);
    l = add_header(l, "X-Signature", ex->signature, &ok);
    OPENSSL_cleanse(bearer, sizeof bearer);
    if (!ok) {
        free_headers(l);
        return NULL;
    }
    return l;
}

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

static void prepare(struct mw_http *h, CURL *e, struct mw_exchange *ex,
                    struct curl_slist *hdrs, char *errbuf)
{
    char url[1024];

    snprintf(url, sizeof url, "%s%s", h->cfg->base_url, ex->path);
    curl_easy_reset(e);
    ex->sent = 0;
    errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_SHARE, h->share);
    curl_easy_setopt(e, CURLOPT_PRIVATE, ex);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR,
                     h->cfg->allow_http ? "http,https" : "https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    /* HTTP/1.1 only: one request per connection at a time keeps "was it
     * sent?" answerable. */
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->cfg->timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, ex);
    set_tls(h, e);
    if (ex->body) {
        /* Read callback, known size, NO seek callback: libcurl cannot
         * rewind, so it cannot silently send the body a second time. */
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(e, CURLOPT_READDATA, ex);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)ex->body_len);
    }
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

static void finish(CURL *e, CURLcode cc, struct mw_exchange *ex,
                   const char *errbuf)
{
    curl_off_t us = 0;

    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
    ex->ms += (long)(us / 1000);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &ex->status);
    if (cc == CURLE_OK) {
        ex->outcome = MW_ANSWERED;
        ex->retry_after_ms = retry_after(e);
        return;
    }
    ex->outcome = classify(e, cc, ex);
    snprintf(ex->error, sizeof ex->error, "%s%s%s", curl_easy_strerror(cc),
             *errbuf ? ": " : "", errbuf);
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
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdrs = make_headers(ex);
    CURL *e = hdrs ? acquire(h, true) : NULL;

    ex->ms = 0;
    if (!e) {
        free_headers(hdrs);
        return -1;
    }
    for (long attempt = 0;; attempt++) {
        mw_exchange_reset(ex);
        prepare(h, e, ex, hdrs, errbuf);
        finish(e, curl_easy_perform(e), ex, errbuf);
        if (ex->outcome != MW_UNREACHABLE ||
            attempt >= h->cfg->retry_unreachable)
            break;
    }
    /* nothing of this call may stay pointed at by the idle handle */
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);
    release(h, e);
    free_headers(hdrs);
    return 0;
}

/* -------------------------------------------------------------- batches */

/* One exchange of a batch on its pooled handle. */
struct slot {
    CURL *e;
    struct mw_exchange *ex;
    struct curl_slist *hdrs;
    long attempt;
    bool added; /* in the multi handle, its transfer not yet reaped */
    char errbuf[CURL_ERROR_SIZE];
};

static void start(struct mw_http *h, CURLM *m, struct slot *s)
{
    mw_exchange_reset(s->ex);
    prepare(h, s->e, s->ex, s->hdrs, s->errbuf);
    s->added = curl_multi_add_handle(m, s->e) == CURLM_OK;
}

/* Handles the finished transfers; starts the next exchanges (next is the
 * index of the first one not yet started) on the freed handles. */
static void reap(struct mw_http *h, CURLM *m, struct slot *slots, size_t nh,
                 struct mw_exchange **ex, size_t n, size_t *next)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(m, &left))) {
        struct slot *s = NULL;
        for (size_t i = 0; i < nh && !s; i++)
            if (slots[i].e == msg->easy_handle)
                s = &slots[i];
        if (!s || msg->msg != CURLMSG_DONE)
            continue;
        curl_multi_remove_handle(m, s->e);
        s->added = false;
        finish(s->e, msg->data.result, s->ex, s->errbuf);
        free_headers(s->hdrs);
        s->hdrs = NULL;
        if (s->ex->outcome == MW_UNREACHABLE &&
            s->attempt++ < h->cfg->retry_unreachable) {
            s->hdrs = make_headers(s->ex);
        } else if (*next < n) {
            s->ex = ex[(*next)++];
            s->attempt = 0;
            s->hdrs = make_headers(s->ex);
        } else {
            s->ex = NULL;
        }
        if (s->ex && s->hdrs)
            start(h, m, s);
        else if (s->ex) /* no memory for headers: nothing was sent */
            s->ex->outcome = MW_UNREACHABLE;
    }
}

static bool any_added(const struct slot *slots, size_t nh)
{
    for (size_t i = 0; i < nh; i++)
        if (slots[i].added)
            return true;
    return false;
}

/* Runs until every transfer started, also those reap starts after the
 * last one finished, has been reaped: a handle goes back to the pool
 * only once it has left the multi handle. */
static void run_multi(struct mw_http *h, CURLM *m, struct slot *slots,
                      size_t nh, struct mw_exchange **ex, size_t n)
{
    size_t next = 0;
    int running = 0;

    for (size_t i = 0; i < nh; i++) {
        slots[i].ex = ex[next++];
        slots[i].hdrs = make_headers(slots[i].ex);
        if (slots[i].hdrs)
            start(h, m, &slots[i]);
        else
            slots[i].ex->outcome = MW_UNREACHABLE;
    }
    while (any_added(slots, nh)) {
        curl_multi_perform(m, &running);
        reap(h, m, slots, nh, ex, n, &next);
        if (running && any_added(slots, nh))
            curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
}

int mw_http_exchange_many(struct mw_http *h, struct mw_exchange **ex, size_t n)
{
    size_t cap = (size_t)h->cfg->max_connections, nh = 0;
    struct slot *slots = calloc(n < cap ? n : cap, sizeof *slots);
    CURLM *m = slots ? curl_multi_init() : NULL;

    /* the first handle may wait; more only while free, so two batches
     * never deadlock holding half the pool each */
    while (m && nh < n && nh < cap && (slots[nh].e = acquire(h, nh == 0)))
        nh++;
    if (!m || nh == 0) {
        curl_multi_cleanup(m);
        free(slots);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        ex[i]->ms = 0;
        ex[i]->outcome = MW_UNREACHABLE; /* until it runs */
    }
    run_multi(h, m, slots, nh, ex, n);
    for (size_t i = 0; i < nh; i++) {
        curl_easy_setopt(slots[i].e, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(slots[i].e, CURLOPT_ERRORBUFFER, NULL);
        release(h, slots[i].e);
    }
    curl_multi_cleanup(m);
    free(slots);
    return 0;
}
