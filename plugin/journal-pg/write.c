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
 * window: 1 (copied into it), 0 (none) or -1. */
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
        copy(it->dup_id, sizeof it->dup_id, jpg_col(r, 0, 0));
        copy(it->dup_state, sizeof it->dup_state, jpg_col(r, 0, 1));
        copy(it->dup_provider_id, sizeof it->dup_provider_id, jpg_col(r, 0, 2));
    }
    PQclear(r);
    return found;
}

static int insert_command(struct fm_jdb *db, const struct fm_jevent *ev,
                          char *err, size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, ev->journal_id);
    jpg_str(&p, ev->host_id);
    jpg_str(&p, ev->provider);
    jpg_str(&p, ev->vin);
    jpg_str(&p, ev->command);
    jpg_str(&p, ev->requester);
    jpg_str(&p, ev->reason);
    jpg_str(&p, ev->request_id);
    jpg_int_or_null(&p, ev->deadline, 0);
    jpg_int(&p, ev->at);
    jpg_str(&p, fm_jstate_name(ev->state));
    jpg_str(&p, ev->error_name);
    return jpg_run(db,
                   "INSERT INTO fm_commands (journal_id, host_id, provider, "
                   "vin, command, requester, reason, request_id, deadline, "
                   "created_at, state, error_name, updated_at) VALUES "
                   "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$10)",
                   &p, "journal: writing a command", err, errlen);
}

static int intent_one(struct fm_jdb *db, struct fm_jintent *it, char *err,
                      size_t errlen)
{
    it->dup_found = false;
    if (!it->ev.host_id)
        it->ev.host_id = db->host_id;
    if (!it->ev.journal_id || it->ev.state < 0) {
        snprintf(err, errlen, "journal: an intent without id or state");
        return -1;
    }
    if (it->dup != FM_JDUP_ALLOW && !strcmp(it->ev.kind, "intent")) {
        int found = find_dup(db, it, err, errlen);
        if (found < 0)
            return -1;
        if (found) {
            it->dup_found = true;
            return 0;
        }
    }
    if (insert_command(db, &it->ev, err, errlen))
        return -1;
    return jpg_event_insert(db, &it->ev, err, errlen);
}

static int lock_items(struct fm_jdb *db, const struct fm_jintent *items,
                      size_t n, char *err, size_t errlen)
{
    const char **vins = malloc((n ? n : 1) * sizeof *vins);
    if (!vins) {
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].ev.vin)
            vins[k++] = items[i].ev.vin;
    int rc = jpg_lock_vins(db, vins, k, err, errlen);
    free(vins);
    return rc ? rc : jpg_lock_chain(db, err, errlen);
}

int jpg_intents(struct fm_jdb *db, struct fm_jintent *items, size_t n,
                char *err, size_t errlen)
{
    if (jpg_begin(db, err, errlen))
        return -1;
    int rc = lock_items(db, items, n, err, errlen);
    for (size_t i = 0; i < n && !rc; i++)
        rc = intent_one(db, &items[i], err, errlen);
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
    jpg_int_or_null(&p, ev->rc, -1);
    jpg_str(&p, ev->error_name && *ev->error_name ? ev->error_name : NULL);
    jpg_str(&p, ev->delivered && *ev->delivered ? ev->delivered : NULL);
    jpg_int_or_null(&p, ev->http_status, 0);
    jpg_str(&p, ev->provider_id && *ev->provider_id ? ev->provider_id : NULL);
    jpg_int_or_null(&p, ev->executed_at, 0);
    jpg_int(&p, ev->late ? 1 : 0);
    jpg_int_or_null(&p, ev->latency_ms, -1);
    jpg_int(&p, ev->at);
    PGresult *r = jpg_exec(
        db,
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

int jpg_append(struct fm_jdb *db, struct fm_jevent *evs, size_t n, char *err,
               size_t errlen)
{
    if (jpg_begin(db, err, errlen))
        return -1;
    int rc = jpg_lock_chain(db, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!evs[i].host_id)
            evs[i].host_id = db->host_id;
        rc = apply(db, &evs[i], err, errlen);
        if (!rc)
            rc = jpg_event_insert(db, &evs[i], err, errlen);
    }
    if (rc) {
        jpg_rollback(db);
        return -1;
    }
    return jpg_commit(db, err, errlen);
}
