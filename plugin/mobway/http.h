/*
 * http.h - one exchange with Mobway over libcurl, on the instance's pool.
 *
 * An instance owns a share handle (DNS cache and TLS sessions, locked with
 * pthread mutexes) and a pool of at most max_connections easy handles
 * (pool.c); each easy handle keeps its own keep-alive connection, so a
 * busy host reuses warm connections. A call that finds every handle busy
 * waits in line, first come first served, and never past its deadline:
 * then its request is not sent (MW_UNREACHABLE). Connections are deliberately
 * not shared through the share handle: libcurl's shared connection cache is not
 * thread-safe (curl known bug "A shared connection cache is not thread-safe").
 *
 * Never a resend of a request that may have reached Mobway: request bodies
 * go through a read callback with a known size and no seek callback, so
 * libcurl's silent retry of a request on a reused connection that died
 * ("Connection died, retrying a fresh connect") fails to rewind instead
 * of sending the command twice. Only a connection that never opened is
 * retried, retry_unreachable times.
 */
#ifndef MW_HTTP_H
#define MW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Room for the path of a request (appended to base_url). */
#define MW_HTTP_PATH_MAX 160

/* Largest answer body accepted; a larger one is EUNKNOWN. */
#define MW_HTTP_MAX_BODY ((size_t)1024 * 1024)

/* The largest Retry-After we pass on, in seconds (a day): a larger one,
 * or a date further away, is clamped to it. */
#define MW_HTTP_MAX_RETRY_AFTER_S 86400L

/* Which request an exchange is: the status code means different things
 * on each. */
enum mw_route {
    MW_ROUTE_TOKEN,   /* POST /token */
    MW_ROUTE_COMMAND, /* POST /vehicle-command (send and confirm) */
    MW_ROUTE_STATUS   /* GET /vehicle-command/{id} */
};

struct mw_http;

/* What happened on the wire. */
enum mw_transport {
    MW_ANSWERED,    /* an HTTP answer came (any status) */
    MW_UNREACHABLE, /* the request certainly never left */
    MW_UNKNOWN      /* it may have left; no usable answer */
};

struct mw_exchange {
    /* request */
    enum mw_route route;
    char path[MW_HTTP_PATH_MAX]; /* appended to base_url */
    const char *body;            /* POST when not NULL */
    size_t body_len;
    const char *content_type;
    const char *bearer;    /* token, or NULL */
    const char *signature; /* X-Signature, or NULL */
    /* CLOCK_MONOTONIC ms by which the exchange must end, retries
     * included; 0: timeout_ms from each attempt's start. An attempt that
     * would start with no time left is not sent (MW_UNREACHABLE). */
    uint64_t deadline_ms;
    /* called once the exchange is over for good (retries done), before
     * the next one of a batch starts: a batch reads and frees each answer
     * there, so that its memory follows the pool, not the batch. May be
     * NULL. */
    void (*on_done)(struct mw_exchange *ex);
    /* answer */
    enum mw_transport outcome;
    long status;
    char *resp; /* NUL-terminated body, NULL when none */
    size_t resp_len;
    bool too_big;
    long retry_after_ms; /* < 0: no Retry-After */
    long ms;             /* wall time of the exchange */
    const char *what;    /* when not answered: what happened, our words */
    char error[256];     /* libcurl's own reason when not answered */
    /* private */
    size_t sent;
    size_t cap;
};

/* A pool for cfg (which must outlive it). No network traffic. Returns NULL
 * when memory or libcurl setup failed. */
struct mw_http *mw_http_new(const struct mw_config *cfg);

void mw_http_free(struct mw_http *h);

/* Now on CLOCK_MONOTONIC, in ms: the clock of deadline_ms. */
uint64_t mw_http_now_ms(void);

/* Runs ex (retrying only while MW_UNREACHABLE, retry_unreachable times,
 * and while time is left before its deadline); waits in line for a free
 * handle when all are busy, until its deadline (0: timeout_ms from now);
 * when none came, ex is MW_UNREACHABLE. Calls ex->on_done. Returns 0, or
 * -1 when memory ran out before anything was sent (on_done not called). */
int mw_http_exchange(struct mw_http *h, struct mw_exchange *ex);

/* Runs n exchanges concurrently on the calling thread (curl multi),
 * at most max_connections at once: waits for the first handle as
 * mw_http_exchange does, takes more only while free. Same rules as
 * mw_http_exchange; on_done of each runs as it ends. */
int mw_http_exchange_many(struct mw_http *h, struct mw_exchange **ex, size_t n);

/* Frees the answer of ex, leaving the request part. */
void mw_exchange_reset(struct mw_exchange *ex);

/* Frees the answer's body only: outcome, status and the rest stay. */
void mw_exchange_drop_body(struct mw_exchange *ex);

#endif
