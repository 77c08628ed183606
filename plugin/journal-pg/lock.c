/*
 * lock.c - the journal's transaction-scoped advisory locks.
 *
 * PostgreSQL's advisory locks serialise what its row locks cannot: a
 * duplicate check reads rows that do not exist yet. Every writer takes, in
 * this order, the locks of its VINs (sorted by key, so two batches sharing
 * VINs never wait on each other in a cycle), then its chain's lock. The
 * keys are FNV-1a hashes of a tagged name: computed here, not by the
 * server, so that the sort order is the lock order. A collision only
 * makes two VINs share a lock.
 */
#include <stdlib.h>
#include <string.h>

#include "jpg.h"

static int64_t key_of(const char *tag, const char *name)
{
    uint64_t h = 14695981039346656037u;
    for (const char *s = tag; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    for (const char *s = name ? name : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (int64_t)h;
}

static int lock_key(struct fm_jdb *db, int64_t key, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_int(&p, key);
    return jpg_run(db, "SELECT pg_advisory_xact_lock($1::bigint)", &p,
                   "journal: waiting for the lock", err, errlen);
}

static int cmp_key(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int jpg_lock_vins(struct fm_jdb *db, const char *const *vins, size_t n,
                  char *err, size_t errlen)
{
    int64_t *keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) {
        strncpy(err, "journal: out of memory", errlen - 1);
        err[errlen - 1] = '\0';
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = key_of("fleetmod vin ", vins[i]);
    qsort(keys, n, sizeof *keys, cmp_key);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        if (!i || keys[i] != keys[i - 1])
            rc = lock_key(db, keys[i], err, errlen);
    free(keys);
    return rc;
}

int jpg_lock_chain(struct fm_jdb *db, char *err, size_t errlen)
{
    return lock_key(db, key_of("fleetmod chain ", db->host_id), err, errlen);
}

int jpg_lock_schema(struct fm_jdb *db, char *err, size_t errlen)
{
    return lock_key(db, key_of("fleetmod schema", ""), err, errlen);
}
