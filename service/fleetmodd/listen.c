/*
 * listen.c - the listening sockets fleetmodd hands to libmicrohttpd: the
 * unix socket (a stale file replaced, a live one or a non-socket refused,
 * mode and group set before anyone can connect) and the TCP one (whether
 * its address is loopback decides whether TLS is required).
 */
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fmd.h"

/* A stale socket file is replaced; a live one (a fleetmodd answers on
 * it) or a file that is not a socket is an error. */
static int clear_path(const char *path, char *err, size_t errlen)
{
    struct stat sb;
    if (lstat(path, &sb))
        return 0;
    if (!S_ISSOCK(sb.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a socket", path);
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    int live = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    if (live) {
        snprintf(err, errlen, "%s: another server is listening on it", path);
        return -1;
    }
    unlink(path);
    return 0;
}

static int set_owner(const struct fmd_conf *c, char *err, size_t errlen)
{
    if (c->socket_group) {
        struct group gr, *res = NULL;
        char buf[4096];
        if (getgrnam_r(c->socket_group, &gr, buf, sizeof buf, &res) || !res) {
            snprintf(err, errlen, "socket_group %s: no such group",
                     c->socket_group);
            return -1;
        }
        if (chown(c->socket, (uid_t)-1, res->gr_gid)) {
            snprintf(err, errlen, "%s: chown: %s", c->socket, strerror(errno));
            return -1;
        }
    }
    if (chmod(c->socket, c->socket_mode)) {
        snprintf(err, errlen, "%s: chmod: %s", c->socket, strerror(errno));
        return -1;
    }
    return 0;
}

int fmd_listen_unix(const struct fmd_conf *c, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(c->socket) >= sizeof a.sun_path) {
        snprintf(err, errlen, "socket %s: the path is too long", c->socket);
        return -1;
    }
    snprintf(a.sun_path, sizeof a.sun_path, "%s", c->socket);
    if (clear_path(c->socket, err, errlen))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a)) {
        snprintf(err, errlen, "socket %s: %s", c->socket, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (set_owner(c, err, errlen) || listen(fd, SOMAXCONN)) {
        if (!*err)
            snprintf(err, errlen, "socket %s: %s", c->socket, strerror(errno));
        close(fd);
        unlink(c->socket);
        return -1;
    }
    return fd;
}

static bool loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >>
                24) == 127;
    if (sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(
            &((const struct sockaddr_in6 *)sa)->sin6_addr);
    return false;
}

/* HOST:PORT or [V6]:PORT into a bound, listening socket. */
int fmd_listen_tcp(const char *listen_at, bool *is_loopback, char *err,
                   size_t errlen)
{
    char host[256];
    const char *colon = strrchr(listen_at, ':');
    size_t hl = colon ? (size_t)(colon - listen_at) : 0;
    if (!colon || hl == 0 || hl >= sizeof host || !colon[1]) {
        snprintf(err, errlen, "listen %s: expected HOST:PORT", listen_at);
        return -1;
    }
    memcpy(host, listen_at, hl);
    host[hl] = '\0';
    if (host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *ai = NULL;
    int g = getaddrinfo(host, colon + 1, &hints, &ai);
    if (g) {
        snprintf(err, errlen, "listen %s: %s", listen_at, gai_strerror(g));
        return -1;
    }
    *is_loopback = loopback(ai->ai_addr);
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0), on = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) ||
        listen(fd, SOMAXCONN)) {
        snprintf(err, errlen, "listen %s: %s", listen_at, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

char *fmd_slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    struct fleetmod_buf b = {0};
    char chunk[4096];
    size_t n;
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fleetmod_buf_write(&b, chunk, n);
    fclose(f);
    if (fleetmod_buf_write(&b, "", 1)) {
        fleetmod_buf_free(&b);
        return NULL;
    }
    return b.data;
}
