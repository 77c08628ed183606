/*
 * journal/journal.h - what the journal and guard files of libfleetmod
 * share; hosts never see it (their interface is fleetmod/guard.h).
 */
#ifndef FM_JOURNAL_H
#define FM_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../internal.h"
#include "backend.h"

#include <fleetmod/guard.h>

/* hash.c: ev's hash from its prev_hash and canonical bytes, into out
 * (fm_jhash: into ev->hash; the services' hash function). */
void fm_jhash_compute(const struct fm_jevent *ev, uint8_t out[FM_JHASH_LEN]);
void fm_jhash(struct fm_jevent *ev);
/* hash.c: lowercase hex and back; fm_junhex returns -1 for anything that
 * is not exactly 64 lowercase hex digits. */
void fm_jhex(const uint8_t h[FM_JHASH_LEN], char out[2 * FM_JHASH_LEN + 1]);
int fm_junhex(const char *s, uint8_t h[FM_JHASH_LEN]);

/* sqlite.c: the SQLite backend's table. */
const struct fm_journal_backend *fm_journal_sqlite(void);

/* One [command NAME] section (NAME "*": the defaults). Unset: -1/NULL. */
struct fm_cmd_policy {
    char *name;
    int line;
    int reason_required; /* -1 unset, 0 optional, 1 required */
    char **requesters;   /* fnmatch globs */
    size_t n_requesters;
    bool has_requesters;
    int64_t deadline;   /* seconds; -1 unset */
    int dup;            /* enum fm_jdup; -1 unset */
    int64_t dup_window; /* seconds; -1 unset */
};

/* One [provider NAME] section. */
struct fm_prov_policy {
    char *name;
    int line;
    double rate;   /* tokens per second; 0: none */
    double burst;  /* the bucket's size: N of "N/unit" */
    int64_t quota; /* per rolling day; -1: none */
    int breaker_n; /* 0: none */
    int64_t breaker_s;
};

/* A policy file (fleetmod-policy(5)). */
struct fm_policy {
    char *path;
    char *url;
    char *host_id;
    int64_t retention_days; /* 0: keep forever */
    bool store_detail;
    struct fm_cmd_policy *cmds;
    size_t n_cmds;
    struct fm_prov_policy *provs;
    size_t n_provs;
};

/* A command's rules after [command NAME] over [command *] over the
 * built-in defaults (reason optional, anyone, no deadline, duplicate
 * allow, window 120 s). */
struct fm_rules {
    bool reason_required;
    const struct fm_cmd_policy *who; /* the section with requesters, or NULL */
    int64_t deadline;                /* 0: none */
    enum fm_jdup dup;
    int64_t dup_window;
};

/* policy.c: parse path (NULL: fleetmod_default_policy_path()) into p.
 * FLEETMOD_ECONFIG with "FILE:LINE: what" in err, FLEETMOD_ENOMEM. Free p
 * with fm_policy_free in every case. */
fleetmod_rc fm_policy_parse(const char *path, struct fm_policy *p, char *err,
                            size_t errlen);
void fm_policy_free(struct fm_policy *p);
/* policy.c: the rules for command, the section of provider (NULL when the
 * file has none). */
void fm_policy_rules(const struct fm_policy *p, const char *command,
                     struct fm_rules *out);
const struct fm_prov_policy *fm_policy_provider(const struct fm_policy *p,
                                                const char *name);

/* An open journal: a backend connection behind a mutex. */
struct fleetmod_journal {
    const struct fm_journal_backend *be;
    void *dl; /* journal_pg.so, or NULL */
    struct fm_jdb *db;
    pthread_mutex_t mu;
    pid_t pid; /* the process that opened it */
    struct fm_policy pol;
    struct fm_journal_services svc;
    const struct fleetmod_host *host;
    struct fleetmod_host host_copy;
};

/* jopen.c: open the journal the policy p names (p is moved into j).
 * FLEETMOD_ECONFIG with err for a url, file or schema that cannot be
 * used. */
fleetmod_rc fm_journal_open(struct fm_policy *p,
                            const struct fleetmod_host *host,
                            struct fleetmod_journal **out, char *err,
                            size_t errlen);

/* jopen.c: lock j for one backend call; false (with err) when j belongs to
 * another process (after fork). */
bool fm_journal_lock(struct fleetmod_journal *j, char *err, size_t errlen);
void fm_journal_unlock(struct fleetmod_journal *j);

/* jopen.c: a LOG_* line through the host's log callback, when it has one. */
void fm_jlog(const struct fleetmod_journal *j, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* guard_item.c: a reply's "detail" as JSON text (malloc'd), for
 * store_detail; NULL when it has none. */
char *fm_detail_json(const msgpack_object *reply);

/* clock */
int64_t fm_now(void);
int64_t fm_now_ms(void); /* monotonic */

#endif /* FM_JOURNAL_H */
