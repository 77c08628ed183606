/*
 * prune.c - retention: the only deletion the journal ever makes, and it
 * records itself (backend.h, prune).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jpg.h"

/* The hash of the last event of this host's chain that prune will
 * delete, as hex; 64 zeros when it deletes none. */
static int anchor(struct fm_jdb *db, int64_t before, char hex[65], char *err,
                  size_t errlen)
{
    struct jpg_params p = {0};
    jpg_int(&p, before);
    jpg_str(&p, db->host_id);
    PGresult *r = jpg_exec(
        db,
        "SELECT e.hash FROM fm_events e JOIN fm_commands c "
        "ON c.journal_id = e.journal_id WHERE c.created_at < $1::bigint "
        "AND e.host_id = $2 ORDER BY e.seq DESC LIMIT 1",
        &p, "journal: finding the prune anchor", err, errlen);
    if (!r)
        return -1;
    const char *h = PQntuples(r) ? jpg_col(r, 0, 0) : NULL;
    snprintf(hex, 65, "%s",
             h ? h : "0000000000000000000000000000000000000000000000000000000000000000");
    PQclear(r);
    return 0;
}

static int delete_before(struct fm_jdb *db, int64_t before, int64_t *n,
                         char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_int(&p, before);
    if (jpg_run(db,
                "DELETE FROM fm_events WHERE journal_id IN (SELECT journal_id "
                "FROM fm_commands WHERE created_at < $1::bigint)",
                &p, "journal: pruning events", err, errlen))
        return -1;
    PGresult *r = jpg_exec(db, "DELETE FROM fm_commands WHERE created_at < $1::bigint",
                           &p, "journal: pruning commands", err, errlen);
    if (!r)
        return -1;
    *n = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return 0;
}

static int record(struct fm_jdb *db, int64_t before, int64_t n,
                  const char *hex, char *err, size_t errlen)
{
    char note[160];
    snprintf(note, sizeof note, "%" PRId64 " commands before %" PRId64 "; anchor %s",
             n, before, hex);
    struct fm_jevent ev = {.host_id = db->host_id,
                           .at = (int64_t)time(NULL),
                           .kind = "pruned",
                           .state = -1,
                           .rc = -1,
                           .latency_ms = -1,
                           .note = note};
    return jpg_event_insert(db, &ev, err, errlen);
}

int jpg_prune(struct fm_jdb *db, int64_t before, int64_t *n, char *err,
              size_t errlen)
{
    char hex[65];
    *n = 0;
    if (jpg_begin(db, err, errlen))
        return -1;
    int rc = jpg_lock_chain(db, err, errlen);
    if (!rc)
        rc = anchor(db, before, hex, err, errlen);
    if (!rc)
        rc = delete_before(db, before, n, err, errlen);
    if (!rc)
        rc = record(db, before, *n, hex, err, errlen);
    if (rc) {
        jpg_rollback(db);
        *n = 0;
        return -1;
    }
    return jpg_commit(db, err, errlen);
}
