/*
 * write.c - the journal's write transactions: intents, append, prune.
 *
 * Each call is one transaction; on any failure it is rolled back and the
 * call returns -1, so nothing of it is in the journal (backend.h). Locks
 * are taken in one order everywhere (lock.c): VINs, then the chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpg.h"
#include "schema.h"

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

/* The youngest live command of the item's VIN and command inside its
 * window: 1 (dup_found and the copies set), 0 (none) or -1. The VIN's
 * lock is held. */
static int find_dup(struct fm_jdb *db, struct fm_jintent *it, char *err,
                    size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, it->ev.vin);
    jpg_str(&p, it->ev.command);
    jpg_int(&p, it->ev.at - it->dup_window);
    PGresult *r = jpg_exec(
        db,
        "SELECT journal_id, state, provider_id FROM fm_commands "
        "WHERE vin = $1 AND command = $2 AND created_at >= $3::bigint "
        "AND state IN " FM_SQL_LIVE_STATES " "
        "ORDER BY created_at DESC, journal_id COLLATE \"C\" DESC LIMIT 1",
        &p, "journal: the duplicate check", err, errlen);
    if (!r)
        return -1;
    int found = PQntuples(r) > 0;
    if (found) {
        it->dup_found = true;
        copy(it->dup_id, sizeof it->dup_id, jpg_col(r, 0, 0));
        copy(it->dup_state, sizeof it->dup_state, jpg_col(r, 0, 1));
        copy(it->dup_provider_id, sizeof it->dup_provider_id, jpg_col(r, 0, 2));
    }
    PQclear(r);
    return found;
}

static int insert_command(struct fm_jdb *db, const struct fm_jintent *it,
                          char *err, size_t errlen)
{
    const struct fm_jevent *ev = &it->ev;
    const struct fm_jwriter *w = &it->writer;
    struct jpg_params p = {0};
    jpg_str(&p, ev->journal_id);
    jpg_str(&p, db->host_id);
    jpg_str(&p, ev->provider);
    jpg_str(&p, ev->vin);
    jpg_str(&p, ev->command);
    jpg_str(&p, ev->requester);
    jpg_str(&p, ev->reason);
    jpg_str(&p, ev->request_id);
    jpg_opt(&p, ev->deadline, ev->deadline != 0);
    jpg_int(&p, ev->at);
    jpg_str(&p, fm_jstate_name(ev->state));
    jpg_str(&p, ev->error_name);
    jpg_opt(&p, w->pid, w->pid > 0);
    jpg_opt(&p, w->start, w->pid > 0);
    jpg_str(&p, w->boot[0] ? w->boot : NULL);
    return jpg_run(db,
                   "INSERT INTO fm_commands (journal_id, host_id, provider, "
                   "vin, command, requester, reason, request_id, deadline, "
                   "created_at, state, error_name, updated_at, writer_pid, "
                   "writer_start, writer_boot) VALUES "
                   "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$10,$13,$14,$15)",
                   &p, "journal: writing a command", err, errlen);
}

static void refuse(struct fm_jintent *it, const char *why, const char *name)
{
    it->refused = why;
    it->ev.kind = "refused";
    it->ev.state = FM_J_REFUSED;
    it->ev.note = why;
    it->ev.error_name = name;
}

/* Whether the provider's commands inside the quota's window have used
 * it up: 1, 0 or -1. The provider's quota lock is held. */
static int over_quota(struct fm_jdb *db, const struct fm_jintent *it, char *err,
                      size_t errlen)
{
    int64_t used;
    if (jpg_quota_used(db, it->ev.provider, it->quota_since, &used, err,
                       errlen))
        return -1;
    return used >= it->quota;
}

/* Decides one item as backend.h orders it (duplicate, then the caller's
 * refusal, then quota) and writes it, unless it is coalesced. */
static int intent_one(struct fm_jdb *db, struct fm_jintent *it,
                      uint8_t h[FM_JHASH_LEN], char *err, size_t errlen)
{
    it->dup_found = false;
    it->refused = NULL;
    if (!it->ev.journal_id) {
        snprintf(err, errlen, "journal: an intent without a journal id");
        return -1;
    }
    if (it->dup != FM_JDUP_ALLOW && !it->refuse &&
        find_dup(db, it, err, errlen) < 0)
        return -1;
    if (it->dup_found && it->dup == FM_JDUP_COALESCE)
        return 0;
    int over = 0;
    if (it->dup_found)
        refuse(it, "duplicate", "EREFUSED");
    else if (it->refuse)
        refuse(it, it->refuse, it->refuse_error);
    else if (it->quota >= 0 && (over = over_quota(db, it, err, errlen)) < 0)
        return -1;
    if (over)
        refuse(it, "quota", "ERATELIMIT");
    if (insert_command(db, it, err, errlen))
        return -1;
    return jpg_event_insert(db, &it->ev, h, err, errlen);
}

/* The VINs whose duplicates and the providers whose quotas this call
 * checks, locked as one set, then the chain. */
static int lock_items(struct fm_jdb *db, const struct fm_jintent *items,
                      size_t n, char *err, size_t errlen)
{
    int64_t *keys = malloc((2 * n + 1) * sizeof *keys);
    if (!keys) {
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (items[i].dup != FM_JDUP_ALLOW && !items[i].refuse)
            keys[k++] = jpg_key("fleetmod vin ", items[i].ev.vin);
        if (items[i].quota >= 0)
            keys[k++] = jpg_key("fleetmod quota ", items[i].ev.provider);
    }
    int rc = jpg_lock_keys(db, keys, k, err, errlen);
    free(keys);
    return rc ? rc : jpg_lock_chain(db, err, errlen);
}

int jpg_intents(struct fm_jdb *db, struct fm_jintent *items, size_t n,
                char *err, size_t errlen)
{
    if (jpg_begin(db, err, errlen))
        return -1;
    uint8_t h[FM_JHASH_LEN];
    int rc = lock_items(db, items, n, err, errlen);
    if (!rc)
        rc = jpg_last_hash(db, h, err, errlen);
    for (size_t i = 0; i < n && !rc; i++)
        rc = intent_one(db, &items[i], h, err, errlen);
    if (rc) {
        jpg_rollback(db);
        return -1;
    }
    return jpg_commit(db, err, errlen);
}

/* Applies an event to its command's summary row (backend.h, append). */
static int apply(struct fm_jdb *db, const struct fm_jevent *ev, char *err,
                 size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, ev->journal_id);
    jpg_str(&p, fm_jstate_name(ev->state));
    jpg_outcome(&p, ev);
    jpg_int(&p, ev->at);
    PGresult *r =
        jpg_exec(db,
                 "UPDATE fm_commands SET state = COALESCE($2::text, state), "
                 "rc = COALESCE($3::integer, rc), "
                 "error_name = COALESCE($4::text, error_name), "
                 "delivered = COALESCE($5::text, delivered), "
                 "http_status = COALESCE($6::integer, http_status), "
                 "provider_id = COALESCE($7::text, provider_id), "
                 "executed_at = COALESCE(executed_at, $8::bigint), "
                 "late = CASE WHEN $9::integer = 1 THEN 1 ELSE late END, "
                 "latency_ms = COALESCE($10::bigint, latency_ms), "
                 "sent_at = CASE WHEN sent_at IS NULL AND $2::text IN "
                 "('sent','confirmation','pending','success','error') "
                 "THEN $11::bigint ELSE sent_at END, "
                 "updated_at = $11::bigint WHERE journal_id = $1",
                 &p, "journal: updating a command", err, errlen);
    if (!r)
        return -1;
    int found = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    if (!found) {
        snprintf(err, errlen, "journal: no command %.64s in the journal",
                 ev->journal_id ? ev->journal_id : "(none)");
        return -1;
    }
    return 0;
}

/* Whether every event records what already happened (an outcome, a
 * status, a reconcile), none of them a write-ahead record: a confirm
 * comes through here too, and it must be on disk before the module runs. */
static int after_the_fact(const struct fm_jevent *evs, size_t n)
{
    static const char *const kinds[] = {"outcome", "status", "reconcile"};
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < 3 && (!evs[i].kind || strcmp(evs[i].kind, kinds[k])))
            k++;
        if (k == 3)
            return 0;
    }
    return 1;
}

/* Outcomes and statuses commit without waiting for the server's disk: the
 * write-ahead promise is the intent's and the confirm's, which always wait.
 * An outcome lost in a server crash leaves its command unresolved, which
 * reconcile settles by asking the provider; and PostgreSQL's log is
 * flushed in order, so a later durable commit makes every earlier outcome
 * durable too and the chain never has a hole. This halves the disk
 * flushes of a guarded send. */
int jpg_append(struct fm_jdb *db, struct fm_jevent *evs, size_t n, char *err,
               size_t errlen)
{
    if (jpg_begin(db, err, errlen))
        return -1;
    uint8_t h[FM_JHASH_LEN];
    int rc = 0;
    if (after_the_fact(evs, n))
        rc = jpg_run(db, "SET LOCAL synchronous_commit TO off", NULL,
                     "journal: SET", err, errlen);
    if (!rc)
        rc = jpg_lock_chain(db, err, errlen);
    if (!rc)
        rc = jpg_last_hash(db, h, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = apply(db, &evs[i], err, errlen);
        if (!rc)
            rc = jpg_event_insert(db, &evs[i], h, err, errlen);
    }
    if (rc) {
        jpg_rollback(db);
        return -1;
    }
    return jpg_commit(db, err, errlen);
}
