/*
 * cafile.h - checking ca_file when the config is read.
 *
 * libcurl reads ca_file only when a call opens a connection; a file it
 * cannot use would then fail every call as "unreachable, safe to retry"
 * for ever. Reading it once at init turns that into ECONFIG naming the
 * file and what is wrong with it.
 */
#ifndef MW_CAFILE_H
#define MW_CAFILE_H

#include <stddef.h>

/* Largest ca_file accepted (a distribution's whole bundle is ~200 KiB). */
#define MW_CAFILE_MAX (4L * 1024 * 1024)

/* Reads the open regular file fd to its end and checks that it holds at
 * least one PEM certificate, the way OpenSSL will load it for libcurl.
 * Returns 0, or -1 with a reason in why. Does not close fd. */
int mw_cafile_check(int fd, char *why, size_t whylen);

#endif
