/* http.c - one exchange, or a batch of them, on the pool's handles. */
#include "http.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool.h"

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
        /* doubling, but never past the largest body we accept */
        size_t cap = (ex->resp_len + k + 1) * 2 < MW_HTTP_MAX_BODY + 1
                         ? (ex->resp_len + k + 1) * 2
                         : MW_HTTP_MAX_BODY + 1;
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
static bool put_auth(struct mw_conn *c, const char *token)
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
static struct curl_slist *headers(struct mw_conn *c,
                                  const struct mw_exchange *ex)
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
static int set_url(struct mw_http *h, struct mw_conn *c, const char *path)
{
    char url[1024];

    if (strcmp(c->path, path) == 0)
        return 0;
    c->path[0] = '\0';
    if ((size_t)snprintf(url, sizeof url, "%s%s", mw_pool_config(h)->base_url,
                         path) >= sizeof url ||
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
    long limit = mw_pool_config(h)->timeout_ms;

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
static int prepare(struct mw_http *h, struct mw_conn *c, struct mw_exchange *ex)
{
    const struct mw_config *cfg = mw_pool_config(h);
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
        ex->what = "the call's time (timeout_ms) ran out before this request "
                   "could start";
        return 1;
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, left);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     left < cfg->connect_timeout_ms ? left
                                                    : cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, ex);
    /* Bodies go through a read callback with a known size and NO seek
     * callback: libcurl cannot rewind, so it cannot silently send a body
     * a second time. */
    curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
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

/* Retry-After in ms: delay-seconds, or an HTTP date; at most
 * MW_HTTP_MAX_RETRY_AFTER_S, whatever the peer sent (its digits are read
 * one by one, so that no size of number can overflow). -1: none, or not
 * one of the two forms. */
static long retry_after(CURL *e)
{
    struct curl_header *hd;
    const char *p;
    long secs = 0;

    if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &hd) !=
        CURLHE_OK)
        return -1;
    for (p = hd->value; *p >= '0' && *p <= '9'; p++)
        if ((secs = secs * 10 + (*p - '0')) > MW_HTTP_MAX_RETRY_AFTER_S)
            secs = MW_HTTP_MAX_RETRY_AFTER_S + 1; /* stays above, no wrap */
    if (p == hd->value || *p != '\0') {
        time_t t = curl_getdate(hd->value, NULL), now = time(NULL);
        if (t < 0)
            return -1;
        secs = t <= now                              ? 0
               : t - now > MW_HTTP_MAX_RETRY_AFTER_S ? MW_HTTP_MAX_RETRY_AFTER_S
                                                     : (long)(t - now);
    }
    if (secs > MW_HTTP_MAX_RETRY_AFTER_S)
        secs = MW_HTTP_MAX_RETRY_AFTER_S;
    return secs * 1000;
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

/* What a failed transfer means to the person reading the reply, in our
 * words and whole (a reply's message starts with it); libcurl's own text
 * goes to ex->error. */
static const char *what(CURLcode cc, const struct mw_exchange *ex)
{
    if (ex->too_big)
        return "Mobway's answer is larger than 1 MiB";
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return ex->outcome == MW_UNREACHABLE
                   ? "no connection to Mobway opened within the call's time"
                   : "no answer came within the call's time (timeout_ms)";
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "the host name in base_url did not resolve";
    case CURLE_COULDNT_CONNECT:
        return "the connection to Mobway (base_url) was refused";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return "the server's TLS certificate was refused";
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
        return "the TLS handshake with the server failed";
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_PARTIAL_FILE:
        return "the connection broke before an answer came";
    default:
        return ex->outcome == MW_UNREACHABLE
                   ? "no connection to Mobway could be opened"
                   : "the exchange failed before a usable answer came";
    }
}

/* libcurl's reason into dst, each part once: its error buffer often ends
 * with curl_easy_strerror's text already ("Failed to connect to ... :
 * Couldn't connect to server"), and then it is not said again. */
static void curl_text(char *dst, size_t size, CURLcode cc, const char *buf)
{
    const char *code = curl_easy_strerror(cc);

    if (!buf[0])
        snprintf(dst, size, "%.250s", code);
    else if (strstr(buf, code))
        snprintf(dst, size, "%.250s", buf);
    else
        snprintf(dst, size, "%.50s: %.200s", code, buf);
}

static void finish(struct mw_conn *c, CURLcode cc)
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
    ex->what = what(cc, ex);
    /* An answer we stopped for its size has no text of libcurl's: its
     * "Failure writing output to destination" is our own refusal. */
    if (!ex->too_big)
        curl_text(ex->error, sizeof ex->error, cc, c->errbuf);
}

/* After a transfer of c: true when its exchange is to be tried again (it
 * never left, retries remain, and so does time before its deadline). */
static bool again(struct mw_http *h, struct mw_conn *c)
{
    return c->ex->outcome == MW_UNREACHABLE &&
           c->attempt++ < mw_pool_config(h)->retry_unreachable &&
           time_left(h, c->ex) > 0;
}

void mw_exchange_drop_body(struct mw_exchange *ex)
{
    free(ex->resp);
    ex->resp = NULL;
    ex->resp_len = ex->cap = 0;
}

void mw_exchange_reset(struct mw_exchange *ex)
{
    mw_exchange_drop_body(ex);
    ex->too_big = false;
    ex->status = 0;
    ex->retry_after_ms = -1;
    ex->what = NULL;
    ex->error[0] = '\0';
}

static void done(struct mw_exchange *ex)
{
    if (ex->on_done)
        ex->on_done(ex);
}

/* The line to wait in for a handle ends with the call's deadline; a
 * batch's (no deadline) with timeout_ms from now. */
static uint64_t wait_until(const struct mw_http *h,
                           const struct mw_exchange *ex)
{
    return ex->deadline_ms
               ? ex->deadline_ms
               : mw_http_now_ms() + (uint64_t)mw_pool_config(h)->timeout_ms;
}

/* ex got no handle before its deadline: it was never sent. */
static void no_handle(struct mw_exchange *ex)
{
    mw_exchange_reset(ex);
    ex->outcome = MW_UNREACHABLE;
    ex->what = "every connection (max_connections) stayed busy until the "
               "call's time ran out";
}

int mw_http_exchange(struct mw_http *h, struct mw_exchange *ex)
{
    struct mw_conn *c = NULL;
    enum mw_pool_got got = mw_pool_acquire(h, wait_until(h, ex), &c);
    int rc = 0;

    ex->ms = 0;
    if (got == MW_POOL_NOMEM)
        return -1;
    if (got == MW_POOL_BUSY) {
        no_handle(ex);
        done(ex);
        return 0;
    }
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
    mw_pool_release(h, c);
    if (rc == 0)
        done(ex);
    return rc;
}

/* -------------------------------------------------------------- batches */

/* Starts the next exchange on c: the one it holds (a retry), else the
 * next not yet started (*next indexes ex). An exchange that cannot be
 * set up (no memory, no time left) stays unreachable: nothing of it was
 * sent. */
static void feed(struct mw_http *h, CURLM *m, struct mw_conn *c,
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
        if (!c->ex->what)
            c->ex->what = "out of memory before the request could start";
        done(c->ex);
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
        struct mw_conn *c;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
        c = (struct mw_conn *)priv;
        curl_multi_remove_handle(m, e);
        finish(c, cc);
        if (!again(h, c)) {
            done(c->ex);
            c->ex = NULL;
        }
        feed(h, m, c, ex, n, next);
    }
}

static bool busy(struct mw_conn **conns, size_t nc)
{
    for (size_t i = 0; i < nc; i++)
        if (conns[i]->ex)
            return true;
    return false;
}

static void run_multi(struct mw_http *h, CURLM *m, struct mw_conn **conns,
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

/* Takes up to cap handles into conns: the first may wait in line; more
 * only while free, so two batches never deadlock holding half the pool
 * each. Returns how many, 0 with *got saying why. */
static size_t take_handles(struct mw_http *h, struct mw_conn **conns,
                           size_t cap, uint64_t until, enum mw_pool_got *got)
{
    size_t nc = 0;

    while (nc < cap && (*got = mw_pool_acquire(h, nc == 0 ? until : 0,
                                               &conns[nc])) == MW_POOL_OK)
        nc++;
    return nc;
}

int mw_http_exchange_many(struct mw_http *h, struct mw_exchange **ex, size_t n)
{
    size_t cap = (size_t)mw_pool_config(h)->max_connections, nc = 0;
    struct mw_conn **conns = calloc(n < cap ? n : cap, sizeof *conns);
    CURLM *m = conns ? curl_multi_init() : NULL;
    enum mw_pool_got got = MW_POOL_NOMEM;

    if (m && n > 0)
        nc = take_handles(h, conns, n < cap ? n : cap, wait_until(h, ex[0]),
                          &got);
    if (nc == 0) {
        curl_multi_cleanup(m);
        free(conns);
        if (!m || got == MW_POOL_NOMEM)
            return -1;
        for (size_t i = 0; i < n; i++) {
            no_handle(ex[i]);
            done(ex[i]);
        }
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        ex[i]->ms = 0;
        ex[i]->outcome = MW_UNREACHABLE; /* until it runs */
    }
    run_multi(h, m, conns, nc, ex, n);
    curl_multi_cleanup(m);
    for (size_t i = 0; i < nc; i++)
        mw_pool_release(h, conns[i]);
    free(conns);
    return 0;
}
