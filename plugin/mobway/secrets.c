/* secrets.c - reading private secret files, holding and wiping secrets. */
#include "secrets.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool mw_fd_private(int fd, char *why, size_t whylen)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "cannot stat: %s", strerror(errno));
        return false;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        snprintf(why, whylen, "owned by uid %u, not by this user or root",
                 (unsigned)st.st_uid);
        return false;
    }
    if (st.st_mode & 077) {
        snprintf(why, whylen,
                 "readable or writable by group or others (mode %04o; "
                 "chmod 600 it)",
                 (unsigned)(st.st_mode & 07777));
        return false;
    }
    return true;
}

/* Copies the trimmed bytes [p, p+n) into s. */
static int set_trimmed(struct mw_secret *s, const char *p, size_t n, char *why,
                       size_t whylen)
{
    while (n && isspace((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n == 0) {
        snprintf(why, whylen, "the secret is empty");
        return -1;
    }
    mw_secret_wipe(s);
    s->data = malloc(n + 1);
    if (!s->data) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    memcpy(s->data, p, n);
    s->data[n] = '\0';
    s->len = n;
    return 0;
}

int mw_secret_set(struct mw_secret *s, const char *value, char *why,
                  size_t whylen)
{
    return set_trimmed(s, value, strlen(value), why, whylen);
}

/* Reads at most MW_SECRET_MAX bytes of fd into buf; -1 when larger. */
static ssize_t read_all(int fd, char *buf, char *why, size_t whylen)
{
    size_t got = 0;

    for (;;) {
        ssize_t n = read(fd, buf + got, MW_SECRET_MAX + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, whylen, "cannot read: %s", strerror(errno));
            return -1;
        }
        if (n == 0)
            return (ssize_t)got;
        got += (size_t)n;
        if (got > MW_SECRET_MAX) {
            snprintf(why, whylen, "larger than %d bytes", MW_SECRET_MAX);
            return -1;
        }
    }
}

int mw_secret_load(struct mw_secret *s, const char *path, char *why,
                   size_t whylen)
{
    char buf[MW_SECRET_MAX + 1];
    ssize_t n = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int rc = -1;

    if (fd < 0) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (mw_fd_private(fd, why, whylen))
        n = read_all(fd, buf, why, whylen);
    close(fd);
    if (n >= 0 && memchr(buf, '\0', (size_t)n))
        snprintf(why, whylen, "contains a NUL byte");
    else if (n >= 0)
        rc = set_trimmed(s, buf, (size_t)n, why, whylen);
    OPENSSL_cleanse(buf, sizeof buf);
    return rc;
}

void mw_secret_wipe(struct mw_secret *s)
{
    if (s->data) {
        OPENSSL_cleanse(s->data, s->len);
        free(s->data);
    }
    s->data = NULL;
    s->len = 0;
}
