/*
 * secrets.h - secrets in memory, and the files the module trusts.
 *
 * A secret (client id and secret, sign-secret, fixed token) lives in heap
 * memory only as long as the instance and is wiped with OPENSSL_cleanse when
 * freed. Every file the module reads (the config, each *_file, ca_file) is
 * trusted the way ssh trusts its files: a regular file, owned by the
 * process's effective user or root, writable by nobody else, since whoever
 * can write it can point base_url at their own server. A file that holds a
 * secret must also be unreadable by group and others.
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

/* How much a file must be kept from group and others. */
enum mw_file_use {
    MW_FILE_TRUSTED, /* not writable by them: the config, ca_file */
    MW_FILE_PRIVATE  /* no access for them at all: a secret */
};

/* Opens path for reading without blocking (a FIFO or a device never hangs
 * init) and checks it as use requires (see above). Returns the fd, or -1
 * with a reason in why that names the chmod or chown to run. */
int mw_file_open(const char *path, enum mw_file_use use, char *why,
                 size_t whylen);

/* Whether the open file fd (path is for the message) may be used as use
 * requires. Returns true, or false with a reason in why. */
bool mw_fd_trusted(int fd, const char *path, enum mw_file_use use, char *why,
                   size_t whylen);

/* Reads a private secret file (see above) into s, trimmed. Returns 0, or -1
 * with a reason in why (unreadable, not a regular file, not private, empty,
 * too large). */
int mw_secret_load(struct mw_secret *s, const char *path, char *why,
                   size_t whylen);

/* Wipes and frees s; leaves it unset. */
void mw_secret_wipe(struct mw_secret *s);

#endif
