/*
 * prune.c - retention: the only deletion the journal ever makes, and it
 * records itself (backend.h, prune), exactly as the SQLite backend does.
 *
 * The chain is cut as a prefix: this host's events up to the last one
 * before its first event at or after `before`, so what stays is one
 * unbroken chain whose first prev_hash is the anchor the "pruned" event
 * records. This host's commands created before `before` go with them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jpg.h"

/* The last event of the prefix to cut: its seq (-1: none) and hash. */
static int cut_point(struct fm_jdb *db, int64_t before, int64_t *seq,
                     char hex[2 * FM_JHASH_LEN + 1], char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    jpg_int(&p, before);
    PGresult *r =
        jpg_exec(db,
                 "SELECT seq, hash FROM fm_events WHERE host_id = $1 AND seq < "
                 "coalesce((SELECT min(seq) FROM fm_events WHERE host_id = $1 "
                 "AND at >= $2::bigint), 9223372036854775807) "
                 "ORDER BY seq DESC LIMIT 1",
                 &p, "journal: finding where to prune", err, errlen);
    if (!r)
        return -1;
    *seq = PQntuples(r) ? jpg_col_int(r, 0, 0, -1) : -1;
    snprintf(hex, 2 * FM_JHASH_LEN + 1, "%s",
             PQntuples(r) && jpg_col(r, 0, 1) ? jpg_col(r, 0, 1) : "");
    PQclear(r);
    return 0;
}

static int delete_prefix(struct fm_jdb *db, int64_t before, int64_t seq,
                         int64_t *n, char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    jpg_int(&p, before);
    PGresult *r = jpg_exec(db,
                           "DELETE FROM fm_commands WHERE host_id = $1 "
                           "AND created_at < $2::bigint",
                           &p, "journal: pruning commands", err, errlen);
    if (!r)
        return -1;
    *n = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    struct jpg_params q = {0};
    jpg_str(&q, db->host_id);
    jpg_int(&q, seq);
    return jpg_run(
        db, "DELETE FROM fm_events WHERE host_id = $1 AND seq <= $2::bigint",
        &q, "journal: pruning events", err, errlen);
}

static int record(struct fm_jdb *db, int64_t before, int64_t n, const char *hex,
                  uint8_t h[FM_JHASH_LEN], char *err, size_t errlen)
{
    char note[160];
    snprintf(note, sizeof note,
             "%" PRId64 " commands before %" PRId64 "; anchor %s", n, before,
             hex);
    struct fm_jevent ev = {.kind = "pruned",
                           .at = (int64_t)time(NULL),
                           .state = -1,
                           .rc = -1,
                           .latency_ms = -1,
                           .note = note};
    return jpg_event_insert(db, &ev, h, err, errlen);
}

int jpg_prune(struct fm_jdb *db, int64_t before, int64_t *n, char *err,
              size_t errlen)
{
    char hex[2 * FM_JHASH_LEN + 1];
    int64_t seq = -1;
    *n = 0;
    if (jpg_begin(db, err, errlen))
        return -1;
    int rc = jpg_lock_chain(db, err, errlen);
    if (!rc)
        rc = cut_point(db, before, &seq, hex, err, errlen);
    if (!rc && seq < 0) { /* nothing to prune: nothing recorded either */
        jpg_rollback(db);
        return 0;
    }
    /* The pruned event chains onto the chain's real last event (read
     * before the delete: it may itself be pruned). */
    uint8_t last[FM_JHASH_LEN];
    if (!rc)
        rc = jpg_last_hash(db, last, err, errlen);
    if (!rc)
        rc = delete_prefix(db, before, seq, n, err, errlen);
    if (!rc)
        rc = record(db, before, *n, hex, last, err, errlen);
    if (rc) {
        jpg_rollback(db);
        *n = 0;
        return -1;
    }
    return jpg_commit(db, err, errlen);
}
