/*
 * journal_pg.c - journal_pg.so: the PostgreSQL store of the command
 * journal, loaded by libfleetmod on demand for a postgresql:// url, so that
 * libfleetmod itself never depends on libpq (backend.h says what each
 * function guarantees; the files of this directory implement it, one
 * concern each).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fleetmod/module.h>

#include "conn.h"
#include "jpg.h"

static void jpg_close(struct fm_jdb *db)
{
    if (!db)
        return;
    PQfinish(db->conn);
    free(db->host_id);
    free(db);
}

static int jpg_open(const char *url, const char *host_id,
                    const struct fm_journal_services *svc, struct fm_jdb **out,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (!svc || !svc->hash || !host_id || !*host_id) {
        snprintf(err, errlen,
                 "journal: PostgreSQL backend opened without "
                 "host_id or hash service");
        return -1;
    }
    struct fm_jdb *db = calloc(1, sizeof *db);
    if (!db || !(db->host_id = strdup(host_id))) {
        free(db);
        snprintf(err, errlen, "journal: out of memory");
        return -1;
    }
    db->svc = svc;
    db->conn = jpg_connect(url, err, errlen);
    if (!db->conn || jpg_schema(db, err, errlen)) {
        jpg_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

static const struct fm_journal_backend backend = {
    .struct_size = sizeof backend,
    .version = FM_JOURNAL_BACKEND_VERSION,
    .name = "postgresql",
    .open = jpg_open,
    .close = jpg_close,
    .intents = jpg_intents,
    .append = jpg_append,
    .quota_used = jpg_quota_used,
    .list = jpg_list,
    .events = jpg_events,
    .counts = jpg_counts,
    .latencies = jpg_latencies,
    .prune = jpg_prune,
    .idem_begin = jpg_idem_begin,
    .idem_finish = jpg_idem_finish,
    .outbox_add = jpg_outbox_add,
    .outbox_due = jpg_outbox_due,
    .outbox_result = jpg_outbox_result,
    .outbox_stat = jpg_outbox_stat,
};

FLEETMOD_EXPORT const struct fm_journal_backend *
fleetmod_journal_backend_pg(void);

FLEETMOD_EXPORT const struct fm_journal_backend *
fleetmod_journal_backend_pg(void)
{
    return &backend;
}
