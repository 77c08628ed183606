/*
 * event.c - appending one event to this connection's chain (see jpg.h).
 *
 * How a struct fm_jevent maps to a row of fm_events: strings as they are
 * (NULL stays NULL), state as its word (NULL for -1, "no change"), the
 * "none" integers (rc and latency_ms negative; deadline, http_status and
 * executed_at 0) as NULL, as the SQLite backend stores them, late as 0/1,
 * hashes as lowercase hex. Reading a row back (read.c) maps every NULL to the
 * same "none", so an event read from the journal hashes to the bytes it was
 * written with.
 */
#include <stdio.h>
#include <string.h>

#include "jpg.h"
#include "schema.h"

void jpg_outcome(struct jpg_params *p, const struct fm_jevent *ev)
{
    jpg_opt(p, ev->rc, ev->rc >= 0);
    jpg_str(p, ev->error_name);
    jpg_str(p, ev->delivered);
    jpg_opt(p, ev->http_status, ev->http_status != 0);
    jpg_str(p, ev->provider_id);
    jpg_opt(p, ev->executed_at, ev->executed_at != 0);
    jpg_int(p, ev->late ? 1 : 0);
    jpg_opt(p, ev->latency_ms, ev->latency_ms >= 0);
}

int jpg_last_hash(struct fm_jdb *db, uint8_t h[FM_JHASH_LEN], char *err,
                  size_t errlen)
{
    struct jpg_params p = {0};
    jpg_str(&p, db->host_id);
    PGresult *r = jpg_exec(db,
                           "SELECT hash FROM fm_events WHERE host_id = $1 "
                           "ORDER BY seq DESC LIMIT 1",
                           &p, "journal: reading the chain", err, errlen);
    if (!r)
        return -1;
    int damaged = 0;
    memset(h, 0, FM_JHASH_LEN);
    if (PQntuples(r))
        damaged = jpg_col_hash(r, 0, 0, h);
    PQclear(r);
    if (damaged)
        snprintf(err, errlen, "journal: the last event's hash is damaged");
    return damaged ? -1 : 0;
}

int jpg_event_insert(struct fm_jdb *db, struct fm_jevent *ev,
                     uint8_t h[FM_JHASH_LEN], char *err, size_t errlen)
{
    ev->host_id = db->host_id;
    memcpy(ev->prev_hash, h, FM_JHASH_LEN);
    db->svc->hash(ev);
    memcpy(h, ev->hash, FM_JHASH_LEN);
    struct jpg_params p = {0};
    jpg_str(&p, ev->host_id);
    jpg_str(&p, ev->journal_id);
    jpg_int(&p, ev->at);
    jpg_str(&p, ev->kind);
    jpg_str(&p, fm_jstate_name(ev->state));
    jpg_str(&p, ev->provider);
    jpg_str(&p, ev->vin);
    jpg_str(&p, ev->command);
    jpg_str(&p, ev->requester);
    jpg_str(&p, ev->reason);
    jpg_str(&p, ev->request_id);
    jpg_opt(&p, ev->deadline, ev->deadline != 0);
    jpg_outcome(&p, ev);
    jpg_str(&p, ev->note);
    jpg_str(&p, ev->detail);
    jpg_hash(&p, ev->prev_hash);
    jpg_hash(&p, ev->hash);
    return jpg_run(db,
                   "INSERT INTO fm_events (" FM_EVENT_COLUMNS ") VALUES ("
                   "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,"
                   "$17,$18,$19,$20,$21,$22,$23,$24)",
                   &p, "journal: appending an event", err, errlen);
}
