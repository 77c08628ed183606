/*
 * conn.c - connecting to the journal's database (see conn.h).
 */
#include "conn.h"

#include <stdio.h>
#include <string.h>

int jpg_url_ok(const char *url)
{
    return url && (!strncmp(url, "postgresql://", 13) ||
                   !strncmp(url, "postgres://", 11));
}

/* Copies src into dst as one line: libpq's messages end with a newline
 * and may span several lines. */
static void one_line(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src && *src && i + 1 < n; src++)
        dst[i++] = (*src == '\n' || *src == '\r' || *src == '\t') ? ' ' : *src;
    while (i && dst[i - 1] == ' ')
        i--;
    if (n)
        dst[i] = '\0';
}

void jpg_err(PGconn *conn, const PGresult *res, const char *what, char *err,
             size_t errlen)
{
    char why[512];
    const char *m = res ? PQresultErrorMessage(res) : NULL;
    if (!m || !*m)
        m = conn ? PQerrorMessage(conn) : "out of memory";
    one_line(why, sizeof why, m);
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", what, why);
}

PGconn *jpg_connect(const char *url, char *err, size_t errlen)
{
    if (!jpg_url_ok(url)) {
        snprintf(err, errlen,
                 "journal url: expected postgresql://..., got another scheme");
        return NULL;
    }
    /* Later keywords override earlier ones: the defaults come first so that
     * a URL's own connect_timeout or options win. The statement timeout
     * rides in the startup packet, so no statement ever runs without it. */
    /* A dead host or network shows as keepalives unanswered (5 + 3 x 2 s
     * of silence) or data unacknowledged for 10 s; both only on TCP. */
    const char *const keys[] = {
        "connect_timeout",  "keepalives_idle",  "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "options",
        "application_name", "dbname",           NULL};
    const char *const vals[] = {JPG_CONNECT_TIMEOUT_S,
                                "5",
                                "2",
                                "3",
                                "10000",
                                "-c statement_timeout=" JPG_STATEMENT_TIMEOUT_MS
                                " -c synchronous_commit=on",
                                "fleetmod",
                                url,
                                NULL};
    /* libpq's parse errors quote the bad part of the URL, which may be its
     * password: say only that it does not parse. */
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    if (!opts) {
        snprintf(err, errlen,
                 "journal url: not a valid PostgreSQL connection "
                 "URL (postgresql://[user@]host[:port]/db[?...])");
        return NULL;
    }
    PQconninfoFree(opts);
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        snprintf(err, errlen, "journal: out of memory connecting");
        return NULL;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        char what[300];
        const char *h = PQhost(c);
        snprintf(what, sizeof what,
                 "journal: cannot connect to PostgreSQL at %s",
                 h && *h ? h : "the default host");
        jpg_err(c, NULL, what, err, errlen);
        PQfinish(c);
        return NULL;
    }
    return c;
}
