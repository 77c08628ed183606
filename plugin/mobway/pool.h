/*
 * pool.h - the instance's easy handles and the share handle behind them;
 * private to the exchange (http.c).
 *
 * At most max_connections handles exist. A caller that finds none free
 * queues, and a handle that comes back goes straight to the oldest
 * caller still waiting: first come, first served, so no caller starves
 * while later ones overtake it. Every wait ends by the caller's deadline
 * (CLOCK_MONOTONIC), whatever the other callers do.
 */
#ifndef MW_POOL_H
#define MW_POOL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "http.h"

/* A pooled easy handle and the memory its requests point at. libcurl
 * reads the header list during a transfer only and copies the URL, so
 * each request rewrites these in place: a request allocates nothing
 * here, and the options that never change are set once, when the handle
 * is made. */
struct mw_conn {
    CURL *e;
    struct mw_exchange *ex; /* in flight on e, or NULL */
    long attempt;
    struct curl_slist hdr[5]; /* our own nodes: libcurl never frees them */
    char *auth;               /* "Authorization: Bearer <token>", wiped */
    size_t auth_cap;
    char ctype[64];
    char sig[sizeof "X-Signature: " + 64]; /* 64 hex digits */
    char path[MW_HTTP_PATH_MAX];           /* the URL's, on e */
    char errbuf[CURL_ERROR_SIZE];
};

/* What acquire got: a handle, or why not. */
enum mw_pool_got {
    MW_POOL_OK,
    MW_POOL_BUSY, /* all handles in use until the deadline (or !wait) */
    MW_POOL_NOMEM /* a handle could not be made */
};

/* Into *out a handle for h's exchanges. When all max_connections are in
 * use, waits in line until one comes back or until deadline_ms passes
 * (0: does not wait). Never blocks past deadline_ms by more than the
 * time to take a mutex. */
enum mw_pool_got mw_pool_acquire(struct mw_http *h, uint64_t deadline_ms,
                                 struct mw_conn **out);

/* Gives c back: to the oldest waiter, else to the idle list. */
void mw_pool_release(struct mw_http *h, struct mw_conn *c);

/* The configuration the pool was made for. */
const struct mw_config *mw_pool_config(const struct mw_http *h);

#endif
