/* pool.c - the handle pool, its fair queue, and the share handle. */
#include "pool.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A caller waiting in line; lives on its own stack. The releasing thread
 * fills got (or place) and wakes it on its own condition. */
struct waiter {
    struct waiter *next;
    pthread_cond_t cv;
    struct mw_conn *got; /* a handle handed over */
    bool place;          /* or the right to make one */
};

struct mw_http {
    const struct mw_config *cfg;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t mu;       /* guards the fields below */
    pthread_condattr_t cattr; /* CLOCK_MONOTONIC, as every deadline */
    struct mw_conn **idle;
    size_t n_idle, n_made;
    struct waiter *head, *tail; /* in arrival order */
    char *capath; /* libcurl's default CA directory, to add ca_file to */
};

const struct mw_config *mw_pool_config(const struct mw_http *h)
{
    return h->cfg;
}

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
    pthread_condattr_init(&h->cattr);
    pthread_condattr_setclock(&h->cattr, CLOCK_MONOTONIC);
    h->idle = calloc((size_t)cfg->max_connections, sizeof *h->idle);
    h->share = make_share(h);
    h->capath = cfg->ca_file ? default_capath() : NULL;
    if (!h->idle || !h->share) {
        mw_http_free(h);
        return NULL;
    }
    return h;
}

static void free_conn(struct mw_conn *c)
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
    pthread_condattr_destroy(&h->cattr);
    free(h->idle);
    free(h->capath);
    free(h);
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
static struct mw_conn *new_conn(struct mw_http *h)
{
    struct mw_conn *c = calloc(1, sizeof *c);
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
    set_tls(h, e);
    return c;
}

/* ------------------------------------------------------------ the queue */

/* Locked: the oldest waiter, taken out of the line, or NULL. */
static struct waiter *pop(struct mw_http *h)
{
    struct waiter *w = h->head;

    if (w && !(h->head = w->next))
        h->tail = NULL;
    return w;
}

/* Locked: puts w at the end of the line; it leaves the line (pop or
 * unlink_waiter) before its wait returns. */
static void enqueue(struct mw_http *h, struct waiter *w)
{
    if (h->tail)
        h->tail->next = w;
    else
        h->head = w;
    h->tail = w;
}

/* Locked: takes w out of the line (it gave up waiting). */
static void unlink_waiter(struct mw_http *h, struct waiter *w)
{
    struct waiter **p = &h->head, *prev = NULL;

    while (*p && *p != w) {
        prev = *p;
        p = &(*p)->next;
    }
    if (!*p)
        return;
    *p = w->next;
    if (h->tail == w)
        h->tail = prev;
}

static struct timespec at(uint64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    return ts;
}

/* Locked: waits in line until handed a handle or a place, or until
 * deadline_ms. */
static void wait_in_line(struct mw_http *h, uint64_t deadline_ms,
                         struct mw_conn **c, bool *make)
{
    struct waiter w = {0};
    struct timespec ts = at(deadline_ms);

    pthread_cond_init(&w.cv, &h->cattr);
    enqueue(h, &w);
    while (!w.got && !w.place)
        if (pthread_cond_timedwait(&w.cv, &h->mu, &ts) == ETIMEDOUT && !w.got &&
            !w.place) {
            unlink_waiter(h, &w);
            break;
        }
    pthread_cond_destroy(&w.cv);
    *c = w.got;
    *make = w.place;
}

/* Locked: a place to make a handle is free again: the oldest waiter gets
 * it, else it is counted free. */
static void give_place(struct mw_http *h)
{
    struct waiter *w = pop(h);

    if (!w) {
        h->n_made--;
        return;
    }
    w->place = true;
    pthread_cond_signal(&w->cv);
}

enum mw_pool_got mw_pool_acquire(struct mw_http *h, uint64_t deadline_ms,
                                 struct mw_conn **out)
{
    struct mw_conn *c = NULL;
    bool make = false;

    pthread_mutex_lock(&h->mu);
    /* nobody in line: a free handle, or a place to make one, is ours */
    if (!h->head && h->n_idle > 0)
        c = h->idle[--h->n_idle];
    else if (!h->head && h->n_made < (size_t)h->cfg->max_connections) {
        h->n_made++; /* its place; the handle is made outside the lock */
        make = true;
    } else if (deadline_ms > 0 && deadline_ms > mw_http_now_ms())
        wait_in_line(h, deadline_ms, &c, &make);
    pthread_mutex_unlock(&h->mu);
    if (make && !(c = new_conn(h))) {
        pthread_mutex_lock(&h->mu);
        give_place(h);
        pthread_mutex_unlock(&h->mu);
        return MW_POOL_NOMEM;
    }
    *out = c;
    return c ? MW_POOL_OK : MW_POOL_BUSY;
}

void mw_pool_release(struct mw_http *h, struct mw_conn *c)
{
    struct waiter *w;

    c->ex = NULL;
    pthread_mutex_lock(&h->mu);
    if ((w = pop(h))) {
        w->got = c;
        pthread_cond_signal(&w->cv);
    } else {
        h->idle[h->n_idle++] = c;
    }
    pthread_mutex_unlock(&h->mu);
}
