/*
 * wait.c - every answer awaited with a deadline on this side.
 *
 * statement_timeout bounds what the server does; it cannot bound a
 * server, pooler or network that stops answering, and libpq's blocking
 * calls would then wait forever. So every statement is sent with libpq's
 * asynchronous calls and each of its results awaited with poll(2) for at
 * most JPG_ANSWER_TIMEOUT_MS: past it the call fails, and the connection,
 * whose state is unknown, is marked broken and reset by the next call.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "conn.h"
#include "jpg.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int jpg_alive(struct fm_jdb *db, char *err, size_t errlen)
{
    if (!db->broken && PQstatus(db->conn) == CONNECTION_OK)
        return 0;
    PQreset(db->conn);
    db->broken = PQstatus(db->conn) != CONNECTION_OK;
    if (!db->broken)
        return 0;
    jpg_err(db->conn, NULL, "journal: PostgreSQL connection lost", err, errlen);
    return -1;
}

int jpg_send(struct fm_jdb *db, const char *sql, const struct jpg_params *p,
             bool single_row, const char *what, char *err, size_t errlen)
{
    int ok =
        p ? PQsendQueryParams(db->conn, sql, p->n, NULL, p->v, NULL, NULL, 0)
          : PQsendQuery(db->conn, sql);
    if (ok && single_row)
        ok = PQsetSingleRowMode(db->conn);
    if (!ok) {
        jpg_err(db->conn, NULL, what, err, errlen);
        db->broken = PQstatus(db->conn) != CONNECTION_OK;
        return -1;
    }
    return 0;
}

/* Reads until a whole result is in, or the deadline: 0, or -1 with err. */
static int await(struct fm_jdb *db, const char *what, char *err, size_t errlen)
{
    struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
    while (PQisBusy(db->conn)) {
        int64_t left = db->deadline_ms - now_ms();
        int n = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (n == 0) {
            snprintf(err, errlen,
                     "%s: PostgreSQL did not answer within %d s; the "
                     "connection will be reset",
                     what, JPG_ANSWER_TIMEOUT_MS / 1000);
            db->broken = 1;
            return -1;
        }
        if ((n < 0 && errno != EINTR) || (n > 0 && !PQconsumeInput(db->conn))) {
            jpg_err(db->conn, NULL, what, err, errlen);
            db->broken = 1;
            return -1;
        }
    }
    return 0;
}

/* The deadline bounds the silence before each result, not a whole walk:
 * a million rows may stream for longer, one after the other. */
PGresult *jpg_next(struct fm_jdb *db, const char *what, int *failed, char *err,
                   size_t errlen)
{
    db->deadline_ms = now_ms() + JPG_ANSWER_TIMEOUT_MS;
    if (await(db, what, err, errlen)) {
        *failed = 1;
        return NULL;
    }
    return PQgetResult(db->conn);
}
