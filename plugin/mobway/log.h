/*
 * log.h - logging through the host's callback, and nowhere else.
 *
 * A module never writes to stdout or stderr: every line goes to the log
 * callback the host gave init (or nowhere when it gave none). Callers never
 * pass a token, secret, signature or confirmation code in a message.
 */
#ifndef MW_LOG_H
#define MW_LOG_H

#include <syslog.h>

struct mw_log {
    void (*fn)(void *user, int level, const char *msg);
    void *user;
};

/* Formats one line (cut at 1 KiB) and hands it to the host, if any. */
void mw_log(const struct mw_log *log, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
