/* config.c - reading and validating mobway.conf with inih. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cafile.h"

enum kind {
    K_URL,
    K_NUM,
    K_BOOL,
    K_LIST,
    K_VINCHECK,
    K_PATH,
    K_SECRET,
    K_SECRET_FILE
};

struct key {
    const char *name;
    enum kind kind;
    size_t off; /* of the field in struct mw_config */
    long min, max;
};

#define F(m) offsetof(struct mw_config, m)
static const struct key keys[] = {
    {"base_url", K_URL, F(base_url), 0, 0},
    {"client_id", K_SECRET, F(client_id), 0, 0},
    {"client_id_file", K_SECRET_FILE, F(client_id), 0, 0},
    {"client_secret", K_SECRET, F(client_secret), 0, 0},
    {"client_secret_file", K_SECRET_FILE, F(client_secret), 0, 0},
    {"sign_secret", K_SECRET, F(sign_secret), 0, 0},
    {"sign_secret_file", K_SECRET_FILE, F(sign_secret), 0, 0},
    {"token", K_SECRET, F(token), 0, 0},
    {"token_file", K_SECRET_FILE, F(token), 0, 0},
    {"ca_file", K_PATH, F(ca_file), 0, 0},
    {"connect_timeout_ms", K_NUM, F(connect_timeout_ms), 1, 600000},
    {"timeout_ms", K_NUM, F(timeout_ms), 1, 3600000},
    {"max_connections", K_NUM, F(max_connections), 1, 256},
    {"poll_initial_ms", K_NUM, F(poll_initial_ms), 1, 3600000},
    {"poll_max_ms", K_NUM, F(poll_max_ms), 1, 3600000},
    {"retry_unreachable", K_NUM, F(retry_unreachable), 0, 10},
    {"confirm_commands", K_LIST, F(confirm_commands), 0, 0},
    {"vin_check", K_VINCHECK, F(vin_check), 0, 0},
    {"allow_http", K_BOOL, F(allow_http), 0, 0},
};
#define NKEYS (sizeof keys / sizeof keys[0])
#undef F

struct parse {
    struct mw_config *cfg;
    const char *path;
    const struct mw_log *log;
    FILE *fp;
    char *dir;         /* the config's directory, absolute; NULL until needed */
    int lineno;        /* of the line inih is handling */
    int seen[NKEYS];   /* line of each key, 0 when absent */
    int inline_secret; /* line of the first inline secret, 0 when none */
    bool plain_http;   /* base_url's scheme is http, in any case */
    bool failed;
    bool nomem;
};

static void fail(struct parse *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct parse *p, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        mw_log(p->log, LOG_ERR, "mobway: %s:%d: %s", p->path, line, msg);
    else
        mw_log(p->log, LOG_ERR, "mobway: %s: %s", p->path, msg);
    p->failed = true;
}

/* Strict decimal: digits only, no sign, no spaces, within [min, max]. */
static bool parse_num(const char *v, long min, long max, long *out)
{
    size_t n = strspn(v, "0123456789");

    if (n == 0 || n > 9 || v[n] != '\0')
        return false;
    *out = strtol(v, NULL, 10);
    return *out >= min && *out <= max;
}

/* The port of an authority after its last ':' outside [IPv6]: absent,
 * or 1 to 65535 in plain digits (libcurl takes "host:" as the default). */
static bool port_ok(const char *auth, size_t len)
{
    const char *end = auth + len, *colon = NULL;
    long port = 0;

    for (const char *c = auth; c < end; c++)
        if (*c == ']')
            colon = NULL;
        else if (*c == ':')
            colon = c;
    if (!colon)
        return true;
    if (colon + 1 == end || end - colon - 1 > 5)
        return false;
    for (const char *c = colon + 1; c < end; c++) {
        if (*c < '0' || *c > '9')
            return false;
        port = port * 10 + (*c - '0');
    }
    return port >= 1 && port <= 65535;
}

/* What libcurl's parser lets through: userinfo, an empty or bad port. */
static bool authority_ok(const char *v, char *why, size_t whylen)
{
    const char *auth = strstr(v, "://");
    size_t len;

    if (!auth) {
        snprintf(why, whylen, "not scheme://host[:port][/path]");
        return false;
    }
    auth += 3;
    len = strcspn(auth, "/?#");
    if (memchr(auth, '@', len)) {
        snprintf(why, whylen, "no user, query or fragment allowed");
        return false;
    }
    if (len == 0 || auth[0] == ':') {
        snprintf(why, whylen, "no host");
        return false;
    }
    if (!port_ok(auth, len)) {
        snprintf(why, whylen, "the port must be a number from 1 to 65535");
        return false;
    }
    return true;
}

/* https://host[:port][/path] (or http://), the scheme in any case: no
 * credentials, query or fragment, since a bearer token must only ever go
 * to this one place. Sets *plain when the scheme is http. */
static bool url_ok(const char *v, bool *plain, char *why, size_t whylen)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *part = NULL;
    bool ok = false;

    if (!u || curl_url_set(u, CURLUPART_URL, v, 0) != CURLUE_OK)
        snprintf(why, whylen, "not a URL");
    else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
             (strcasecmp(scheme, "https") && strcasecmp(scheme, "http")))
        snprintf(why, whylen, "scheme must be https (or http)");
    else if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK)
        snprintf(why, whylen, "no user, query or fragment allowed");
    else if (authority_ok(v, why, whylen)) {
        *plain = strcasecmp(scheme, "http") == 0;
        ok = true;
    }
    curl_free(scheme);
    curl_free(part);
    curl_url_cleanup(u);
    return ok;
}

static bool set_string(struct parse *p, char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    p->nomem |= !*dst;
    return *dst;
}

/* base_url without its trailing slashes. */
static bool set_url(struct parse *p, char **dst, const char *v)
{
    char why[128];

    if (!url_ok(v, &p->plain_http, why, sizeof why)) {
        fail(p, p->lineno, "base_url '%s': %s", v, why);
        return false;
    }
    if (!set_string(p, dst, v))
        return false;
    for (size_t n = strlen(*dst); n > 0 && (*dst)[n - 1] == '/'; n--)
        (*dst)[n - 1] = '\0';
    return true;
}

static void free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

/* "a, b,c" into a NULL-terminated list of command names. */
static bool set_list(struct parse *p, char ***dst, const char *v)
{
    size_t n = 0, cap = strlen(v) / 2 + 2;
    char **list = calloc(cap, sizeof *list);
    const char *s = v;

    if (!list)
        return !(p->nomem = true);
    while (*s) {
        size_t len = strcspn(s, ", \t");
        if (len > 0 && !(list[n++] = strndup(s, len))) {
            p->nomem = true;
            break;
        }
        if (len > 0 && !mw_command_valid(list[n - 1])) {
            fail(p, p->lineno,
                 "confirm_commands: '%s' is not a command "
                 "name ([a-z0-9_]{1,64})",
                 list[n - 1]);
            break;
        }
        s += len + strspn(s + len, ", \t");
    }
    free_list(*dst);
    *dst = list;
    return !p->failed && !p->nomem;
}

/* The config's directory, absolute, computed once. */
static const char *config_dir(struct parse *p)
{
    const char *slash = strrchr(p->path, '/');
    char *dir;

    if (p->dir)
        return p->dir;
    if (!slash)
        dir = strdup(".");
    else
        dir =
            strndup(p->path, slash == p->path ? 1 : (size_t)(slash - p->path));
    if (!dir) {
        p->nomem = true;
        return NULL;
    }
    p->dir = realpath(dir, NULL);
    if (!p->dir)
        fail(p, p->lineno, "cannot resolve the config's directory %s: %s", dir,
             strerror(errno));
    free(dir);
    return p->dir;
}

/* A *_file value as an absolute path: relative ones are relative to the
 * config's directory, so that a daemon started in / finds the same files,
 * and libcurl, which reads ca_file at each new connection, too. NULL when
 * it failed (logged). */
static char *resolve(struct parse *p, const char *v)
{
    const char *dir = v[0] == '/' ? "" : config_dir(p);
    size_t n;
    char *out;

    if (!dir)
        return NULL;
    n = strlen(dir) + strlen(v) + 2;
    if (!(out = malloc(n))) {
        p->nomem = true;
        return NULL;
    }
    snprintf(out, n, "%s%s%s", dir, *dir ? "/" : "", v);
    return out;
}

static bool set_secret_file(struct parse *p, struct mw_secret *s,
                            const char *name, const char *v)
{
    char why[512];
    char *path = resolve(p, v);
    int rc;

    if (!path)
        return false;
    if ((rc = mw_secret_load(s, path, why, sizeof why)) != 0)
        fail(p, p->lineno, "%s %s: %s", name, path, why);
    free(path);
    return rc == 0;
}

/* ca_file: a trusted file of PEM certificates, checked now rather than
 * failing every call later. */
static bool set_ca_file(struct parse *p, char **dst, const char *v)
{
    char why[512];
    char *path = resolve(p, v);
    int fd = path ? mw_file_open(path, MW_FILE_TRUSTED, why, sizeof why) : -1;

    if (fd >= 0 && mw_cafile_check(fd, why, sizeof why) == 0) {
        close(fd);
        free(*dst);
        *dst = path;
        return true;
    }
    if (path)
        fail(p, p->lineno, "ca_file %s: %s", path, why);
    if (fd >= 0)
        close(fd);
    free(path);
    return false;
}

static bool set_secret(struct parse *p, struct mw_secret *s, const char *name,
                       const char *v)
{
    char why[128];

    /* a client id identifies, it does not authenticate */
    if (!p->inline_secret && strcmp(name, "client_id") != 0)
        p->inline_secret = p->lineno;
    if (mw_secret_set(s, v, why, sizeof why) != 0) {
        fail(p, p->lineno, "%s: %s", name, why);
        return false;
    }
    return true;
}

static bool set_bool(struct parse *p, bool *dst, const char *v)
{
    if (strcmp(v, "true") && strcmp(v, "false")) {
        fail(p, p->lineno, "allow_http must be true or false, not '%s'", v);
        return false;
    }
    *dst = strcmp(v, "true") == 0;
    return true;
}

static bool set_vincheck(struct parse *p, enum mw_vin_check *dst, const char *v)
{
    if (strcmp(v, "iso3779") && strcmp(v, "loose")) {
        fail(p, p->lineno, "vin_check must be iso3779 or loose, not '%s'", v);
        return false;
    }
    *dst = strcmp(v, "loose") == 0 ? MW_VIN_LOOSE : MW_VIN_ISO3779;
    return true;
}

static bool set_value(struct parse *p, const struct key *k, const char *v)
{
    void *field = (char *)p->cfg + k->off;

    switch (k->kind) {
    case K_URL:
        return set_url(p, field, v);
    case K_NUM:
        if (parse_num(v, k->min, k->max, field))
            return true;
        fail(p, p->lineno,
             "%s must be a whole number from %ld to %ld, "
             "not '%s'",
             k->name, k->min, k->max, v);
        return false;
    case K_BOOL:
        return set_bool(p, field, v);
    case K_LIST:
        return set_list(p, field, v);
    case K_VINCHECK:
        return set_vincheck(p, field, v);
    case K_PATH:
        return set_ca_file(p, field, v);
    case K_SECRET:
        return set_secret(p, field, k->name, v);
    case K_SECRET_FILE:
        return set_secret_file(p, field, k->name, v);
    }
    return false;
}

/* Levenshtein distance of a and b, both shorter than 64; 64 beyond. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];

    if (la >= 64 || lb >= 64)
        return 64;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* An unknown key, with the closest known one when it is close enough to
 * be a slip (at most half the key's length in edits). */
static void unknown_key(struct parse *p, const char *name)
{
    size_t best = 0, d = 64;

    for (size_t i = 0; i < NKEYS; i++) {
        size_t di = distance(name, keys[i].name);
        if (di < d) {
            d = di;
            best = i;
        }
    }
    if (d > 0 && d <= strlen(name) / 2)
        fail(p, p->lineno, "unknown key '%s' (did you mean '%s'?)", name,
             keys[best].name);
    else
        fail(p, p->lineno, "unknown key '%s'", name);
}

static int on_key(void *user, const char *section, const char *name,
                  const char *value)
{
    struct parse *p = user;
    size_t i = 0;

    if (strcmp(section, "mobway") != 0) {
        fail(p, p->lineno, "key '%s' outside the [mobway] section", name);
        return 0;
    }
    while (i < NKEYS && strcmp(keys[i].name, name) != 0)
        i++;
    if (i == NKEYS) {
        unknown_key(p, name);
        return 0;
    }
    if (p->seen[i]) {
        fail(p, p->lineno,
             "'%s' given twice (first on line %d), or "
             "continued on an indented line",
             name, p->seen[i]);
        return 0;
    }
    p->seen[i] = p->lineno;
    if (*value == '\0' && keys[i].kind != K_LIST && keys[i].kind != K_PATH) {
        fail(p, p->lineno, "'%s' has no value", name);
        return 0;
    }
    if (*value == '\0')
        return 1; /* an empty ca_file or confirm_commands: the default */
    return set_value(p, &keys[i], value) ? 1 : 0;
}

/* A section line other than [mobway]; inih does not report sections. */
static void check_section(struct parse *p, const char *line)
{
    const char *s = line + strspn(line, " \t");
    size_t n;

    if (*s != '[')
        return;
    n = strcspn(s + 1, "]");
    if (n != 6 || strncmp(s + 1, "mobway", 6) != 0)
        fail(p, p->lineno, "unknown section [%.*s]", (int)n, s + 1);
}

/* inih's reader: counts lines (inih built without INI_HANDLER_LINENO does
 * not pass them) and refuses lines longer than inih's buffer instead of
 * letting it split them into two. */
static char *read_line(char *str, int num, void *stream)
{
    struct parse *p = stream;
    size_t n;
    int c;

    if (!fgets(str, num, p->fp))
        return NULL;
    p->lineno++;
    n = strlen(str);
    if (n > 0 && str[n - 1] != '\n' && !feof(p->fp)) {
        fail(p, p->lineno,
             "line longer than %d characters (put long "
             "secrets in a *_file)",
             num - 3);
        while ((c = fgetc(p->fp)) != EOF && c != '\n')
            ;
        str[0] = '\0';
    }
    check_section(p, str);
    return str;
}

static int key_line(const struct parse *p, const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return p->seen[i];
    return 0;
}

/* Rules about several keys, once the whole file is read. */
static void check_whole(struct parse *p)
{
    struct mw_config *c = p->cfg;
    char why[256];

    if (!c->base_url)
        fail(p, 0, "base_url is required");
    else if (p->plain_http && !c->allow_http)
        fail(p, key_line(p, "base_url"),
             "plain http base_url needs "
             "allow_http = true (only for a local simulator)");
    if (!c->sign_secret.data)
        fail(p, 0, "sign_secret or sign_secret_file is required");
    if (c->token.data && (c->client_id.data || c->client_secret.data))
        fail(p, key_line(p, "token") + key_line(p, "token_file"),
             "a fixed token excludes client_id and client_secret");
    if (!c->token.data && (!c->client_id.data || !c->client_secret.data))
        fail(p, 0,
             "client_id and client_secret (or a fixed token) are "
             "required");
    if (c->poll_max_ms < c->poll_initial_ms)
        fail(p, key_line(p, "poll_max_ms"),
             "poll_max_ms is less than poll_initial_ms");
    if (p->inline_secret && !mw_fd_trusted(fileno(p->fp), p->path,
                                           MW_FILE_PRIVATE, why, sizeof why))
        fail(p, p->inline_secret,
             "an inline secret in a file that is %s, or move it to a "
             "*_file",
             why);
}

static void set_defaults(struct mw_config *c)
{
    memset(c, 0, sizeof *c);
    c->connect_timeout_ms = 3000;
    c->timeout_ms = 10000;
    c->max_connections = 8;
    c->poll_initial_ms = 500;
    c->poll_max_ms = 5000;
    c->retry_unreachable = 1;
    c->vin_check = MW_VIN_ISO3779;
}

static bool default_confirms(struct parse *p)
{
    return set_list(p, &p->cfg->confirm_commands,
                    "enable_ignition, disable_ignition");
}

fleetmod_rc mw_config_load(struct mw_config *cfg, const char *path,
                           const struct mw_log *log)
{
    struct parse p = {.cfg = cfg, .path = path, .log = log};
    char iobuf[BUFSIZ], why[512];
    int r, fd;

    set_defaults(cfg);
    fd = mw_file_open(path, MW_FILE_TRUSTED, why, sizeof why);
    if (fd < 0 || !(p.fp = fdopen(fd, "r"))) {
        fail(&p, 0, "%s", fd < 0 ? why : strerror(errno));
        if (fd >= 0)
            close(fd);
        return FLEETMOD_ECONFIG;
    }
    /* stdio's own buffer would be freed with inline secrets in it */
    setvbuf(p.fp, iobuf, _IOFBF, sizeof iobuf);
    r = ini_parse_stream(read_line, &p, on_key, &p);
    if (r > 0 && !p.failed)
        fail(&p, r, "syntax error (expected 'key = value' or [mobway])");
    if (!p.failed && !p.nomem)
        check_whole(&p);
    if (!p.failed && !p.nomem && !key_line(&p, "confirm_commands"))
        default_confirms(&p);
    fclose(p.fp);
    free(p.dir);
    OPENSSL_cleanse(iobuf, sizeof iobuf);
    if (p.failed || p.nomem || r < 0)
        mw_config_free(cfg);
    if (p.nomem || r == -2)
        return FLEETMOD_ENOMEM;
    return p.failed || r != 0 ? FLEETMOD_ECONFIG : FLEETMOD_OK;
}

void mw_config_free(struct mw_config *cfg)
{
    free(cfg->base_url);
    free(cfg->ca_file);
    free_list(cfg->confirm_commands);
    mw_secret_wipe(&cfg->client_id);
    mw_secret_wipe(&cfg->client_secret);
    mw_secret_wipe(&cfg->sign_secret);
    mw_secret_wipe(&cfg->token);
    memset(cfg, 0, sizeof *cfg);
}

bool mw_config_confirms(const struct mw_config *cfg, const char *command)
{
    for (size_t i = 0; cfg->confirm_commands && cfg->confirm_commands[i]; i++)
        if (strcmp(cfg->confirm_commands[i], command) == 0)
            return true;
    return false;
}
