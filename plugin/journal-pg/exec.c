/*
 * exec.c - statements, transactions and result columns (see jpg.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "jpg.h"

void jpg_str(struct jpg_params *p, const char *s)
{
    p->v[p->n++] = s;
}

void jpg_int(struct jpg_params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%" PRId64, v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

void jpg_opt(struct jpg_params *p, int64_t v, bool has)
{
    if (has)
        jpg_int(p, v);
    else
        jpg_str(p, NULL);
}

void jpg_hash(struct jpg_params *p, const uint8_t h[FM_JHASH_LEN])
{
    static const char digits[] = "0123456789abcdef";
    char *s = p->hex[p->nhex++];
    for (size_t i = 0; i < FM_JHASH_LEN; i++) {
        s[2 * i] = digits[h[i] >> 4];
        s[2 * i + 1] = digits[h[i] & 15];
    }
    s[2 * FM_JHASH_LEN] = '\0';
    jpg_str(p, s);
}

/* Every result of the statement(s) is read, so that the connection is
 * ready for the next; the first failure is the one reported. */
PGresult *jpg_exec(struct fm_jdb *db, const char *sql,
                   const struct jpg_params *p, const char *what, char *err,
                   size_t errlen)
{
    if (jpg_send(db, sql, p, false, what, err, errlen))
        return NULL;
    PGresult *r, *last = NULL;
    int failed = 0;
    while ((r = jpg_next(db, what, &failed, err, errlen))) {
        ExecStatusType st = PQresultStatus(r);
        if (!failed && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            jpg_err(db->conn, r, what, err, errlen);
            failed = 1;
        }
        PQclear(last);
        last = r;
    }
    if (failed || !last) {
        if (!failed && !last)
            jpg_err(db->conn, NULL, what, err, errlen);
        PQclear(last);
        return NULL;
    }
    return last;
}

int jpg_run(struct fm_jdb *db, const char *sql, const struct jpg_params *p,
            const char *what, char *err, size_t errlen)
{
    PGresult *r = jpg_exec(db, sql, p, what, err, errlen);
    PQclear(r);
    return r ? 0 : -1;
}

/* libpq notices a server that went away (restarted, failed over) only
 * when it next uses the connection: a BEGIN that finds it gone reconnects
 * once and tries again. Nothing was done in between, so this never
 * repeats a write. */
int jpg_begin(struct fm_jdb *db, char *err, size_t errlen)
{
    if (jpg_alive(db, err, errlen))
        return -1;
    if (!jpg_run(db, "BEGIN", NULL, "journal: BEGIN", err, errlen))
        return 0;
    if ((!db->broken && PQstatus(db->conn) == CONNECTION_OK) ||
        jpg_alive(db, err, errlen))
        return -1;
    return jpg_run(db, "BEGIN", NULL, "journal: BEGIN", err, errlen);
}

/* A broken connection is reset by the next call, which ends whatever
 * transaction it had on the server: no ROLLBACK to wait for. */
void jpg_rollback(struct fm_jdb *db)
{
    char err[256];
    if (!db->broken && PQstatus(db->conn) == CONNECTION_OK)
        jpg_run(db, "ROLLBACK", NULL, "journal: ROLLBACK", err, sizeof err);
}

/* A COMMIT whose answer is lost may still have committed: the caller then
 * treats the call as failed, which for intents means nothing is sent (a
 * command journaled but never sent shows up as unresolved, never as
 * delivered). */
int jpg_commit(struct fm_jdb *db, char *err, size_t errlen)
{
    if (!jpg_run(db, "COMMIT", NULL, "journal: COMMIT", err, errlen))
        return 0;
    jpg_rollback(db);
    return -1;
}

const char *jpg_col(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int64_t jpg_col_int(const PGresult *r, int row, int col, int64_t none)
{
    const char *s = jpg_col(r, row, col);
    return s ? strtoll(s, NULL, 10) : none;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int jpg_col_hash(const PGresult *r, int row, int col, uint8_t h[FM_JHASH_LEN])
{
    const char *s = jpg_col(r, row, col);
    if (!s || strlen(s) != 2 * FM_JHASH_LEN)
        return -1;
    for (size_t i = 0; i < FM_JHASH_LEN; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        h[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
