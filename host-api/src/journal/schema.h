/*
 * journal/schema.h - the journal's SQL schema, one text for both backends.
 *
 * Portable SQL: TEXT and BIGINT/INTEGER columns only; booleans are INTEGER
 * 0/1. Hashes: PostgreSQL stores prev_hash and hash as lowercase hex TEXT;
 * SQLite, whose columns take any type, stores hash as a 32-byte BLOB and
 * prev_hash empty (it is the hash of the event before, from which verify
 * recomputes every link): under 1 KiB per command. Readers accept both.
 * The only per-backend difference in the text is the type of
 * fm_events.seq, passed as SEQ:
 *   SQLite      FM_SCHEMA_SEQ_SQLITE  "INTEGER PRIMARY KEY AUTOINCREMENT"
 *   PostgreSQL  FM_SCHEMA_SEQ_PG      "BIGSERIAL PRIMARY KEY"
 * (AUTOINCREMENT: a seq is never reused after prune, so a chain's order is
 * the order of seq.)
 *
 * The statements are separated by ";\n" and run in one transaction by the
 * backend's open when fm_schema does not exist. FM_SCHEMA_V1 creates
 * version 1; a later version appends FM_SCHEMA_MIGRATE_V1_V2 and so on,
 * each ending with the UPDATE of fm_schema.version.
 *
 * The view fleetmod_commands is the public, stable interface
 * (fleetmod-journal(7)): its columns never change meaning and are only
 * ever appended to. fm_* tables are private and may change with the
 * schema version.
 */
#ifndef FM_JOURNAL_SCHEMA_H
#define FM_JOURNAL_SCHEMA_H

#define FM_SCHEMA_SEQ_SQLITE "INTEGER PRIMARY KEY AUTOINCREMENT"
#define FM_SCHEMA_SEQ_PG "BIGSERIAL PRIMARY KEY"

/* The columns of fm_events after seq, in the order of struct fm_jevent
 * (backend.h), which is also the order of the canonical bytes. */
#define FM_EVENT_COLUMNS                                                       \
    "host_id, journal_id, at, kind, state, provider, vin, command, "           \
    "requester, reason, request_id, deadline, rc, error_name, delivered, "     \
    "http_status, provider_id, executed_at, late, latency_ms, note, detail, "  \
    "prev_hash, hash"
#define FM_EVENT_NCOLUMNS 24

#define FM_SCHEMA_V1(SEQ)                                                      \
    "CREATE TABLE fm_schema (version INTEGER NOT NULL);\n"                     \
    "INSERT INTO fm_schema (version) VALUES (1);\n"                            \
    "CREATE TABLE fm_events (\n"                                               \
    "  seq " SEQ ",\n"                                                         \
    "  host_id TEXT NOT NULL, journal_id TEXT, at BIGINT NOT NULL,\n"          \
    "  kind TEXT NOT NULL, state TEXT,\n"                                      \
    "  provider TEXT, vin TEXT, command TEXT, requester TEXT, reason TEXT,\n"  \
    "  request_id TEXT, deadline BIGINT,\n"                                    \
    "  rc INTEGER, error_name TEXT, delivered TEXT, http_status INTEGER,\n"    \
    "  provider_id TEXT, executed_at BIGINT, late INTEGER NOT NULL,\n"         \
    "  latency_ms BIGINT, note TEXT, detail TEXT,\n"                           \
    "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);\n"                        \
    "CREATE INDEX fm_events_chain ON fm_events (host_id, seq);\n"              \
    "CREATE INDEX fm_events_command ON fm_events (journal_id, seq);\n"         \
    "CREATE TABLE fm_commands (\n"                                             \
    "  journal_id TEXT PRIMARY KEY, host_id TEXT NOT NULL,\n"                  \
    "  provider TEXT, vin TEXT, command TEXT, requester TEXT, reason TEXT,\n"  \
    "  request_id TEXT, deadline BIGINT, created_at BIGINT NOT NULL,\n"        \
    "  state TEXT NOT NULL, rc INTEGER, error_name TEXT, delivered TEXT,\n"    \
    "  http_status INTEGER, provider_id TEXT, sent_at BIGINT,\n"               \
    "  updated_at BIGINT NOT NULL, executed_at BIGINT,\n"                      \
    "  late INTEGER NOT NULL DEFAULT 0, latency_ms BIGINT);\n"                 \
    "CREATE INDEX fm_commands_dup ON fm_commands (vin, command, "              \
    "created_at);\n"                                                           \
    "CREATE INDEX fm_commands_stats ON fm_commands\n"                          \
    "  (provider, command, state, created_at);\n"                              \
    "CREATE INDEX fm_commands_quota ON fm_commands (provider, created_at);\n"  \
    "CREATE INDEX fm_commands_created ON fm_commands (created_at);\n"          \
    "CREATE INDEX fm_commands_pid ON fm_commands (provider_id);\n"             \
    "CREATE VIEW fleetmod_commands AS SELECT journal_id, host_id, provider,\n" \
    "  vin, command, requester, reason, request_id, provider_id, state, rc,\n" \
    "  error_name, delivered, deadline, late, created_at, sent_at,\n"          \
    "  updated_at, executed_at FROM fm_commands"

/* Version 2: what a long-running host keeps (fleetmod/service.h,
 * backend.h's idem_* and outbox_*). Idempotency keys, one row per
 * requester and key; the outbox, one row per event of a host_id, kept
 * after delivery (delivered_at) so that an event_id is queued once. */
#define FM_SCHEMA_MIGRATE_V1_V2                                                \
    "CREATE TABLE fm_idem (\n"                                                 \
    "  requester TEXT NOT NULL, idem_key TEXT NOT NULL,\n"                     \
    "  fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL,\n"               \
    "  http_status INTEGER, reply TEXT,\n"                                     \
    "  PRIMARY KEY (requester, idem_key));\n"                                  \
    "CREATE TABLE fm_outbox (\n"                                               \
    "  host_id TEXT NOT NULL, event_id TEXT NOT NULL, body TEXT NOT NULL,\n"   \
    "  created_at BIGINT NOT NULL, next_at BIGINT NOT NULL,\n"                 \
    "  attempts INTEGER NOT NULL DEFAULT 0, delivered_at BIGINT,\n"            \
    "  PRIMARY KEY (host_id, event_id));\n"                                    \
    "CREATE INDEX fm_outbox_due ON fm_outbox (host_id, delivered_at, "         \
    "next_at);\n"                                                              \
    "UPDATE fm_schema SET version = 2"

/* Version 3: who wrote each intent (backend.h, struct fm_jwriter), so
 * that reconcile can tell a command whose sending process is gone at once
 * from one still waiting for its answer. Rows written before are NULL:
 * they wait for the call's bound as before. Private columns: the view does
 * not show them. One ALTER per column (SQLite adds one at a time). */
#define FM_SCHEMA_MIGRATE_V2_V3                                                \
    "ALTER TABLE fm_commands ADD COLUMN writer_pid BIGINT;\n"                  \
    "ALTER TABLE fm_commands ADD COLUMN writer_start BIGINT;\n"                \
    "ALTER TABLE fm_commands ADD COLUMN writer_boot TEXT;\n"                   \
    "UPDATE fm_schema SET version = 3"

/* Version 4: the quota's index holds state, so that counting a provider's
 * commands of the last 24 h that were not refused (the guard's quota
 * check, stats' quota used) reads the index alone instead of one table
 * row per command of the day (a million rows of one day: 1.5 s to 0.1 s
 * in the sqlite3 shell). It replaces (provider, created_at), of which it
 * is an extension: one index fewer to write per intent. */
#define FM_SCHEMA_MIGRATE_V3_V4                                                \
    "DROP INDEX fm_commands_quota;\n"                                          \
    "CREATE INDEX fm_commands_quota_state ON fm_commands\n"                    \
    "  (provider, created_at, state);\n"                                       \
    "UPDATE fm_schema SET version = 4"

/* States whose command may still run or may have run: the duplicate
 * guard's "live" rows, and the rows reconcile looks at. */
#define FM_SQL_LIVE_STATES                                                     \
    "('sending','sent','confirmation','pending','unknown')"

/* Rows whose outcome the journal may still learn: no outcome yet, or an
 * unknown one the provider can be asked about (it has the provider's id).
 * An unknown row without an id is settled: nothing can tell more (the
 * duplicate guard still counts it as possibly run). fleetcmd journal
 * --unresolved and the stats' unresolved count. */
#define FM_SQL_UNRESOLVED                                                      \
    "(state IN ('sending','sent','confirmation','pending') OR "                \
    "(state = 'unknown' AND coalesce(provider_id, '') <> ''))"

#endif /* FM_JOURNAL_SCHEMA_H */
