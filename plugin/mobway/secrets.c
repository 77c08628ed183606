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

static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    return "not a regular file";
}

bool mw_fd_trusted(int fd, const char *path, enum mw_file_use use, char *why,
                   size_t whylen)
{
    mode_t loose = use == MW_FILE_PRIVATE ? 077 : 022;
    struct stat st;

    if (fstat(fd, &st) != 0) {
        snprintf(why, whylen, "cannot stat: %s", strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "%s, not a regular file", file_kind(st.st_mode));
        return false;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        snprintf(why, whylen,
                 "owned by uid %u, not by this user (uid %u) or root; "
                 "chown %u %s",
                 (unsigned)st.st_uid, (unsigned)geteuid(), (unsigned)geteuid(),
                 path);
        return false;
    }
    if (st.st_mode & loose) {
        snprintf(why, whylen, "%s by group or others (mode %04o); chmod %s %s",
                 use == MW_FILE_PRIVATE ? "readable or writable" : "writable",
                 (unsigned)(st.st_mode & 07777),
                 use == MW_FILE_PRIVATE ? "600" : "go-w", path);
        return false;
    }
    return true;
}

int mw_file_open(const char *path, enum mw_file_use use, char *why,
                 size_t whylen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        snprintf(why, whylen, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (!mw_fd_trusted(fd, path, use, why, whylen)) {
        close(fd);
        return -1;
    }
    return fd;
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
    ssize_t n;
    int fd = mw_file_open(path, MW_FILE_PRIVATE, why, whylen);
    int rc = -1;

    if (fd < 0)
        return -1;
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
