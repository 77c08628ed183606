/*
 * schema.c - create, check or refuse the journal's schema (schema.h).
 *
 * Several machines may open an empty database at the same moment: the
 * schema lock makes one of them create it while the others wait and then
 * find it. A database written by a newer fleetmod is refused before
 * anything is written to it: this version cannot know what its rows mean.
 * An older one is migrated in the same transaction that read its version.
 */
#include <stdio.h>

#include "conn.h"

#include "jpg.h"
#include "schema.h"

/* The version stored in fm_schema, 0 when the table does not exist. */
static int stored_version(struct fm_jdb *db, int64_t *version, char *err,
                          size_t errlen)
{
    PGresult *r = jpg_exec(db, "SELECT to_regclass('fm_schema') IS NOT NULL",
                           NULL, "journal: reading the schema", err, errlen);
    if (!r)
        return -1;
    int exists = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    *version = 0;
    if (!exists)
        return 0;
    r = jpg_exec(db, "SELECT max(version) FROM fm_schema", NULL,
                 "journal: reading the schema version", err, errlen);
    if (!r)
        return -1;
    *version = jpg_col_int(r, 0, 0, -1);
    PQclear(r);
    if (*version < 1) {
        snprintf(err, errlen, "journal: fm_schema holds no schema version");
        return -1;
    }
    return 0;
}

/* Brings a database of version v (0: empty) to this tree's version, each
 * step of schema.h in turn, inside the caller's transaction. A script of
 * several statements goes by the simple query protocol (jpg_run without
 * parameters), which takes them. */
static int upgrade(struct fm_jdb *db, int64_t v, char *err, size_t errlen)
{
    if (v == 0 && jpg_run(db, FM_SCHEMA_V1(FM_SCHEMA_SEQ_PG), NULL,
                          "journal: creating the schema", err, errlen))
        return -1;
#ifdef FM_SCHEMA_MIGRATE_V1_V2
    if (v < 2 &&
        jpg_run(db, FM_SCHEMA_MIGRATE_V1_V2, NULL,
                "journal: migrating the schema to version 2", err, errlen))
        return -1;
#endif
    if (v < 3 &&
        jpg_run(db, FM_SCHEMA_MIGRATE_V2_V3, NULL,
                "journal: migrating the schema to version 3", err, errlen))
        return -1;
    if (v < 4 &&
        jpg_run(db, FM_SCHEMA_MIGRATE_V3_V4, NULL,
                "journal: migrating the schema to version 4", err, errlen))
        return -1;
    return 0;
}

int jpg_schema(struct fm_jdb *db, char *err, size_t errlen)
{
    int64_t v;
    if (jpg_begin(db, err, errlen))
        return -1;
    int rc = jpg_lock_schema(db, err, errlen);
    if (!rc)
        rc = stored_version(db, &v, err, errlen);
    if (!rc && v > FM_JOURNAL_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "journal: schema version %lld is newer than this fleetmod "
                 "knows (%d); not touched: upgrade fleetmod",
                 (long long)v, FM_JOURNAL_SCHEMA_VERSION);
        rc = -1;
    }
    if (!rc && v < FM_JOURNAL_SCHEMA_VERSION)
        rc = upgrade(db, v, err, errlen);
    if (rc) {
        jpg_rollback(db);
        return -1;
    }
    return jpg_commit(db, err, errlen);
}
