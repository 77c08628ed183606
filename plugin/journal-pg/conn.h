/*
 * conn.h - one libpq connection to the journal's database, bounded in time.
 *
 * The journal must never make a guarded call hang past a bound: a server
 * that does not answer fails the connection within connect_timeout, every
 * statement, lock wait included, ends on the server within
 * statement_timeout, and a peer gone silent is noticed by TCP keepalives
 * and tcp_user_timeout (wait.c bounds the wait for answers on this side). Error
 * texts name the host and say what failed; they never carry the URL,
 * which may hold a password.
 */
#ifndef JPG_CONN_H
#define JPG_CONN_H

#include <stddef.h>

#include <libpq-fe.h>

/* Seconds a connection attempt may take when the URL sets no
 * connect_timeout (libpq applies it to each host of the URL in turn). */
#define JPG_CONNECT_TIMEOUT_S "5"
/* Milliseconds any one statement may take, waiting for a lock included. */
#define JPG_STATEMENT_TIMEOUT_MS "10000"

/* Connects to url (postgresql:// or postgres://, as libpq parses it;
 * keys the URL sets win over the defaults above). Returns the connection,
 * or NULL with a one-line reason in err. Blocks for at most the connect
 * timeout per host. */
PGconn *jpg_connect(const char *url, char *err, size_t errlen);

/* Writes "what: <libpq's reason>" into err, one line, for a failed
 * result res (may be NULL) on conn. */
void jpg_err(PGconn *conn, const PGresult *res, const char *what, char *err,
             size_t errlen);

/* Whether url is one this backend takes. */
int jpg_url_ok(const char *url);

#endif
