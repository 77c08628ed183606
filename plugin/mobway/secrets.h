/*
 * secrets.h - secrets in memory and on disk.
 *
 * A secret (client id and secret, sign-secret, fixed token) lives in heap
 * memory only as long as the instance and is wiped with OPENSSL_cleanse when
 * freed. A file that holds a secret must be private, the way ssh treats a
 * private key: owned by the process's effective user or root, and with no
 * permission bits for group or others.
 */
#ifndef MW_SECRETS_H
#define MW_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest secret file accepted; secrets are short. */
#define MW_SECRET_MAX 16384

struct mw_secret {
    char *data; /* NUL-terminated; NULL when unset */
    size_t len;
};

/* Sets s to value with surrounding whitespace removed. Returns 0, or -1
 * with a reason in why when the result is empty or memory ran out. */
int mw_secret_set(struct mw_secret *s, const char *value, char *why,
                  size_t whylen);

/* Reads a private secret file (see above) into s, trimmed. Returns 0, or -1
 * with a reason in why (unreadable, not private, empty, too large). */
int mw_secret_load(struct mw_secret *s, const char *path, char *why,
                   size_t whylen);

/* Whether the open file fd is private (see above). Returns true, or false
 * with a reason in why. */
bool mw_fd_private(int fd, char *why, size_t whylen);

/* Wipes and frees s; leaves it unset. */
void mw_secret_wipe(struct mw_secret *s);

#endif
