/*
 * conf.c - fleetmodd.conf, ini (fleetmodd.conf(5)). An unknown section or
 * key, a bad number or a repeated key is an error naming FILE:LINE: a
 * typo in a service's config must not silently fall back to a default.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "fmd.h"

/* The unix socket when the file names none (RuntimeDirectory=fleetmod). */
#define FMD_DEFAULT_SOCKET "/run/fleetmod/fleetmodd.sock"

struct parse {
    struct fmd_conf *c;
    char *err;
    size_t errlen;
    char why[256];
    unsigned seen; /* bit per key of the table below */
};

enum kind { K_STR, K_UINT, K_MODE };

struct key {
    const char *section, *name;
    enum kind kind;
    size_t off;
    unsigned long max;
};

#define STR(sec, n, m)                                                         \
    {                                                                          \
        sec, n, K_STR, offsetof(struct fmd_conf, m), 0                         \
    }
#define UINT(sec, n, m, max)                                                   \
    {                                                                          \
        sec, n, K_UINT, offsetof(struct fmd_conf, m), max                      \
    }

static const struct key keys[] = {
    STR("service", "stack", stack),
    STR("service", "policy", policy),
    STR("service", "socket", socket),
    {"service", "socket_mode", K_MODE, offsetof(struct fmd_conf, socket_mode),
     07777},
    STR("service", "socket_group", socket_group),
    STR("service", "listen", listen),
    STR("service", "tls_cert", tls_cert),
    STR("service", "tls_key", tls_key),
    STR("service", "api_keys_file", api_keys_file),
    STR("service", "log", log),
    {"service", "max_body", K_UINT, offsetof(struct fmd_conf, max_body),
     64ul << 20},
    UINT("service", "threads", threads, 256),
    UINT("service", "workers", workers, 1024),
    UINT("service", "max_connections", max_connections, 1000000),
    UINT("service", "connection_timeout", connection_timeout, 3600),
    UINT("service", "watch_interval", watch_interval, 3600),
    STR("webhook", "url", webhook_url),
    STR("webhook", "secret_file", webhook_secret_file),
    UINT("webhook", "timeout", webhook_timeout, 600),
    UINT("webhook", "max_backoff", webhook_max_backoff, 86400),
};

static int number(const char *v, int base, unsigned long max,
                  unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, base);
    if (!*v || *v == '-' || *end || errno || n > max)
        return -1;
    *out = n;
    return 0;
}

static int set(struct parse *p, const struct key *k, const char *v)
{
    char *base = (char *)p->c;
    unsigned long n;
    if (k->kind == K_STR) {
        char **dst = (char **)(base + k->off);
        if (!*v) {
            snprintf(p->why, sizeof p->why, "%s is empty", k->name);
            return 0;
        }
        free(*dst);
        *dst = strdup(v);
        return !!*dst;
    }
    if (number(v, k->kind == K_MODE ? 8 : 10, k->max, &n)) {
        snprintf(p->why, sizeof p->why, "%s: expected %s up to %lu, got %s",
                 k->name, k->kind == K_MODE ? "an octal mode" : "a number",
                 k->max, v);
        return 0;
    }
    if (k->off == offsetof(struct fmd_conf, max_body))
        p->c->max_body = n;
    else
        *(unsigned *)(base + k->off) = (unsigned)n;
    return 1;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
    struct parse *p = user;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (strcmp(keys[i].section, section) || strcmp(keys[i].name, name))
            continue;
        if (p->seen & (1u << i)) {
            snprintf(p->why, sizeof p->why, "[%s] %s set twice", section, name);
            return 0;
        }
        p->seen |= 1u << i;
        return set(p, &keys[i], value);
    }
    if (strcmp(section, "service") && strcmp(section, "webhook"))
        snprintf(p->why, sizeof p->why,
                 "unknown section [%s] (expected [service] or [webhook])",
                 section);
    else
        snprintf(p->why, sizeof p->why, "unknown key %s in [%s]", name,
                 section);
    return 0;
}

static void defaults(struct fmd_conf *c)
{
    memset(c, 0, sizeof *c);
    c->socket = strdup(FMD_DEFAULT_SOCKET);
    c->socket_mode = 0660;
    c->max_body = 1048576;
    c->threads = 4;
    c->workers = 64;
    c->max_connections = 16384;
    c->connection_timeout = 60;
    c->watch_interval = 5;
    c->webhook_timeout = 10;
    c->webhook_max_backoff = 300;
}

/* What the keys mean together. */
static int coherent(const char *path, struct fmd_conf *c, char *err,
                    size_t errlen)
{
    const char *why = NULL;
    if (!c->socket)
        why = "out of memory";
    else if (!!c->tls_cert != !!c->tls_key)
        why = "tls_cert and tls_key go together";
    else if (!!c->webhook_url != !!c->webhook_secret_file)
        why = "[webhook] needs both url and secret_file";
    else if (c->threads == 0 || c->workers == 0 || c->max_connections == 0)
        why = "threads, workers and max_connections must be at least 1";
    else if (c->watch_interval == 0 || c->webhook_timeout == 0 ||
             c->webhook_max_backoff == 0 || c->connection_timeout == 0)
        why = "watch_interval, connection_timeout and the [webhook] times "
              "must be at least 1";
    if (why)
        snprintf(err, errlen, "%s: %s", path, why);
    return why ? -1 : 0;
}

int fmd_conf_load(const char *path, struct fmd_conf *c, char *err,
                  size_t errlen)
{
    defaults(c);
    struct parse p = {.c = c, .err = err, .errlen = errlen};
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int line = ini_parse_file(f, handler, &p);
    fclose(f);
    if (line) {
        snprintf(err, errlen, "%s:%d: %s", path, line,
                 p.why[0] ? p.why : "not an ini line");
        return -1;
    }
    return coherent(path, c, err, errlen);
}

void fmd_conf_free(struct fmd_conf *c)
{
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (keys[i].kind == K_STR)
            free(*(char **)((char *)c + keys[i].off));
    }
    memset(c, 0, sizeof *c);
}
