/*
 * fleetmod/modutil.h - what every provider module does the same way, done
 * once: a reply packed in one piece and handed to the host's write
 * callback, the reply's head and error map, a batch's head, the fork rule,
 * and one log line to the host. Linux-PAM ships pam_modutil for its modules in
 * the same spirit.
 *
 * Header only, like fleetmod_error_name in module.h: a module includes it
 * and links nothing but msgpack-c (which packs the replies) and libc's
 * pthreads. The error map's "name" and "delivered" come from module.h's one
 * table, so no module keeps a copy of it.
 *
 * The packing functions return 0, or -1 once a write into the packer
 * failed; they chain with || and the first failure stops the rest. None of
 * them blocks, allocates beyond what the packer's writer does, or keeps
 * state: all are thread-safe.
 */
#ifndef FLEETMOD_MODUTIL_H
#define FLEETMOD_MODUTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include <fleetmod/module.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the reply buffer ---------------------------------------------------
 *
 * A call's reply is packed into a buffer and handed to the host's write
 * callback in one call, so the host never holds half a map unless its own
 * write fails. A usual reply fits in the struct itself (on the caller's
 * stack); a larger one (a batch) moves to the heap.
 */
struct fleetmod_out {
    msgpack_packer pk; /* pack the reply into this */
    char *data;        /* room, or a heap block once room is outgrown */
    size_t size, cap;
    bool failed; /* a write into the buffer failed: out of memory */
    char room[1024];
};

/* The packer's writer: append, growing to the heap when room is full. */
static inline int fleetmod_out_append(void *data, const char *buf, size_t len)
{
    struct fleetmod_out *o = (struct fleetmod_out *)data;
    char *grown;
    size_t cap;

    if (o->failed)
        return -1;
    if (len > o->cap - o->size) {
        cap = (o->size + len) * 2;
        grown = o->data == o->room ? (char *)malloc(cap)
                                   : (char *)realloc(o->data, cap);
        if (!grown) {
            o->failed = true;
            return -1;
        }
        if (o->data == o->room)
            memcpy(grown, o->room, o->size);
        o->data = grown;
        o->cap = cap;
    }
    memcpy(o->data + o->size, buf, len);
    o->size += len;
    return 0;
}

/* Makes o empty, its packer ready. Allocates nothing; o must not be copied
 * (the packer points at it). Every fleetmod_out_init is followed by one
 * fleetmod_out_finish. */
static inline void fleetmod_out_init(struct fleetmod_out *o)
{
    o->data = o->room;
    o->size = 0;
    o->cap = sizeof o->room;
    o->failed = false;
    msgpack_packer_init(&o->pk, o, fleetmod_out_append);
}

/* Hands what was packed to write(sink, ...) in one call and frees o's heap
 * block. Returns rc; FLEETMOD_ENOMEM instead when packing ran out of
 * memory (then nothing is written: half a map is no reply) or when write
 * failed, as module.h says a call must. */
static inline fleetmod_rc fleetmod_out_finish(struct fleetmod_out *o,
                                              fleetmod_write_fn write,
                                              void *sink, fleetmod_rc rc)
{
    if (o->failed || write(sink, o->data, o->size) != 0)
        rc = FLEETMOD_ENOMEM;
    if (o->data != o->room)
        free(o->data);
    o->data = o->room;
    o->size = 0;
    o->cap = sizeof o->room;
    return rc;
}

/* ---- packing the reply map ---------------------------------------------- */

/* A str of len bytes (s need not be NUL-terminated). */
static inline int fleetmod_pack_strn(msgpack_packer *pk, const char *s,
                                     size_t len)
{
    return msgpack_pack_str(pk, len) || msgpack_pack_str_body(pk, s, len);
}

static inline int fleetmod_pack_str(msgpack_packer *pk, const char *s)
{
    return fleetmod_pack_strn(pk, s, strlen(s));
}

/* One map entry: key, then a str value (len bytes of s). */
static inline int fleetmod_pack_kv_strn(msgpack_packer *pk, const char *key,
                                        const char *s, size_t len)
{
    return fleetmod_pack_str(pk, key) || fleetmod_pack_strn(pk, s, len);
}

static inline int fleetmod_pack_kv_str(msgpack_packer *pk, const char *key,
                                       const char *s)
{
    return fleetmod_pack_kv_strn(pk, key, s, strlen(s));
}

static inline int fleetmod_pack_kv_int(msgpack_packer *pk, const char *key,
                                       int64_t v)
{
    return fleetmod_pack_str(pk, key) || msgpack_pack_int64(pk, v);
}

/* Whether a reply with this status is final (module.h: "terminal" is true
 * for success, error, failed and batch; false for pending and
 * confirmation). */
static inline bool fleetmod_status_terminal(const char *status)
{
    return strcmp(status, "pending") != 0 &&
           strcmp(status, "confirmation") != 0;
}

/*
 * The head of a reply map: a map header for 3 + more entries, then
 * "provider", "status" and "terminal" (from status). The caller packs the
 * more entries after it. status is "failed" for any rc != 0.
 */
static inline int fleetmod_pack_reply_head(msgpack_packer *pk, size_t more,
                                           const char *provider,
                                           const char *status)
{
    return msgpack_pack_map(pk, 3 + more) ||
           fleetmod_pack_kv_str(pk, "provider", provider) ||
           fleetmod_pack_kv_str(pk, "status", status) ||
           fleetmod_pack_str(pk, "terminal") ||
           (fleetmod_status_terminal(status) ? msgpack_pack_true(pk)
                                             : msgpack_pack_false(pk));
}

/*
 * The "error" entry of a failed reply (one of the entries counted in
 * fleetmod_pack_reply_head's more): code rc, name and delivered from
 * module.h's table, message (an English sentence, or the provider's own
 * text), http_status when > 0, retry_after_ms when >= 0.
 */
static inline int fleetmod_pack_error(msgpack_packer *pk, fleetmod_rc rc,
                                      const char *message, long http_status,
                                      long retry_after_ms)
{
    size_t n = 4 + (http_status > 0) + (retry_after_ms >= 0);

    return fleetmod_pack_str(pk, "error") || msgpack_pack_map(pk, n) ||
           fleetmod_pack_kv_int(pk, "code", rc) ||
           fleetmod_pack_kv_str(pk, "name", fleetmod_error_name(rc)) ||
           fleetmod_pack_kv_str(pk, "message", message) ||
           fleetmod_pack_kv_str(pk, "delivered", fleetmod_rc_delivered(rc)) ||
           (http_status > 0 &&
            fleetmod_pack_kv_int(pk, "http_status", http_status)) ||
           (retry_after_ms >= 0 &&
            fleetmod_pack_kv_int(pk, "retry_after_ms", retry_after_ms));
}

/*
 * The head of a batch reply: "provider", status "batch", terminal true,
 * "request_id" when request_id is not NULL (request_id_len bytes, need not
 * be NUL-terminated), and "results" with an array header of n. The caller
 * then packs n reply maps, one per item in request order.
 */
static inline int fleetmod_pack_batch_head(msgpack_packer *pk,
                                           const char *provider,
                                           const char *request_id,
                                           size_t request_id_len, size_t n)
{
    return fleetmod_pack_reply_head(pk, 1 + !!request_id, provider, "batch") ||
           (request_id && fleetmod_pack_kv_strn(pk, "request_id", request_id,
                                                request_id_len)) ||
           fleetmod_pack_str(pk, "results") || msgpack_pack_array(pk, n);
}

/* ---- the fork rule --------------------------------------------------------
 *
 * module.h: an instance belongs to the process that made it; a child using
 * it gets FLEETMOD_EINTERNAL and leaves the parent's connections alone.
 * Each process counts the forks it has been through (pthread_atfork, in
 * the child); an instance keeps the count of the process that made it. A
 * call then compares two integers instead of making a getpid() system
 * call. The counter is one per module: a weak, hidden symbol, so every
 * file of the module that includes this header shares it and nothing
 * leaves the .so.
 */
#if defined(__GNUC__) || defined(__clang__)
#define FLEETMOD_MODUTIL_ONE __attribute__((weak, visibility("hidden")))
#else
#error "fleetmod/modutil.h needs weak, hidden symbols (GCC or clang)"
#endif

FLEETMOD_MODUTIL_ONE atomic_uint fleetmod_modutil_forks;
FLEETMOD_MODUTIL_ONE pthread_once_t fleetmod_modutil_forks_once =
    PTHREAD_ONCE_INIT;

/* What an instance keeps: the fork count of the process that made it. */
struct fleetmod_fork_guard {
    unsigned forks;
};

static inline void fleetmod_fork_guard_count(void)
{
    atomic_fetch_add_explicit(&fleetmod_modutil_forks, 1, memory_order_relaxed);
}

static inline void fleetmod_fork_guard_watch(void)
{
    pthread_atfork(NULL, NULL, fleetmod_fork_guard_count);
}

/* Marks g as made by this process. Call it in init; the first call in a
 * module registers the fork counter, once, thread-safely. */
static inline void fleetmod_fork_guard_init(struct fleetmod_fork_guard *g)
{
    pthread_once(&fleetmod_modutil_forks_once, fleetmod_fork_guard_watch);
    g->forks =
        atomic_load_explicit(&fleetmod_modutil_forks, memory_order_relaxed);
}

/* Whether g was made by this process, not by one it was forked from. No
 * system call: safe on every call's fast path. */
static inline bool fleetmod_fork_guard_ours(const struct fleetmod_fork_guard *g)
{
    return g->forks ==
           atomic_load_explicit(&fleetmod_modutil_forks, memory_order_relaxed);
}

/* ---- logging -------------------------------------------------------------
 *
 * module.h: a module logs only through the host's callback, one line at a
 * time, never a secret, never to stdout or stderr.
 */

/* Longest line handed to the host, its NUL included; longer ones are cut. */
#define FLEETMOD_LOG_LINE 1024

/* The host's log callback and its user pointer, as init keeps them. */
struct fleetmod_log {
    void (*fn)(void *user, int level, const char *msg);
    void *user;
};

/* What host offers to log to: its callback when host is not NULL and its
 * struct_size covers log, else nothing (fn NULL). Call it in init. */
static inline struct fleetmod_log
fleetmod_log_of(const struct fleetmod_host *host)
{
    struct fleetmod_log l = {NULL, NULL};

    if (host && FLEETMOD_HAS_MEMBER(host, struct fleetmod_host, log)) {
        l.fn = host->log;
        l.user = host->user;
    }
    return l;
}

/* Formats one line and hands it to the host; nothing when log or its fn
 * is NULL. Control bytes (a request's strings may carry any) become '?',
 * so that the line stays one line. Does not allocate. */
static inline void fleetmod_logv(const struct fleetmod_log *log, int level,
                                 const char *fmt, va_list ap)
{
    char line[FLEETMOD_LOG_LINE];

    if (!log || !log->fn)
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    log->fn(log->user, level, line);
}

static inline void fleetmod_logf(const struct fleetmod_log *log, int level,
                                 const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void fleetmod_logf(const struct fleetmod_log *log, int level,
                                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fleetmod_logv(log, level, fmt, ap);
    va_end(ap);
}

#ifdef __cplusplus
}
#endif

#endif /* FLEETMOD_MODUTIL_H */
