/*
 * lock.c - the journal's transaction-scoped advisory locks.
 *
 * PostgreSQL's advisory locks serialise what its row locks cannot: the
 * duplicate and quota checks read rows that do not exist yet. An intents
 * transaction locks every VIN it checks and every provider whose quota it
 * counts, then its chain; append and prune lock only their chain. The
 * keys are FNV-1a hashes of a tagged name, computed here rather than by
 * the server so that one sorted array is also the lock order: two
 * transactions that share keys take them in the same order and never wait
 * on each other in a cycle. A collision only makes two names share a lock.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpg.h"

int64_t jpg_key(const char *tag, const char *name)
{
    uint64_t h = 14695981039346656037u;
    for (const char *s = tag; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    for (const char *s = name ? name : ""; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (int64_t)h;
}

static int cmp_key(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One statement for the whole set (a batch of 1,000 VINs is one round
 * trip): unnest yields the array in order and the function runs per row
 * as it is produced, so the locks are taken in the array's order. */
int jpg_lock_keys(struct fm_jdb *db, int64_t *keys, size_t n, char *err,
                  size_t errlen)
{
    if (!n)
        return 0;
    qsort(keys, n, sizeof *keys, cmp_key);
    char *arr = malloc(n * 22 + 3), *p = arr;
    if (!arr) {
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        if (!i || keys[i] != keys[i - 1])
            p += sprintf(p, "%s%" PRId64, p == arr + 1 ? "" : ",", keys[i]);
    strcpy(p, "}");
    struct jpg_params prm = {0};
    jpg_str(&prm, arr);
    int rc = jpg_run(db,
                     "SELECT count(pg_advisory_xact_lock(k)) "
                     "FROM unnest($1::bigint[]) AS k",
                     &prm, "journal: waiting for the lock", err, errlen);
    free(arr);
    return rc;
}

int jpg_lock_chain(struct fm_jdb *db, char *err, size_t errlen)
{
    int64_t k = jpg_key("fleetmod chain ", db->host_id);
    return jpg_lock_keys(db, &k, 1, err, errlen);
}

int jpg_lock_schema(struct fm_jdb *db, char *err, size_t errlen)
{
    int64_t k = jpg_key("fleetmod schema", "");
    return jpg_lock_keys(db, &k, 1, err, errlen);
}
