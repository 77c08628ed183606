/*
 * keys.c - the TCP listener's API keys (fleetmodd.conf(5), api_keys_file):
 * "NAME SHA256-HEX-OF-KEY [GLOB,GLOB]" per line. Only the hash of a key is
 * on disk; a bearer is hashed and compared in constant time against every
 * key, so neither a key's bytes nor which key matched leak through timing.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fmd.h"

struct key {
    char name[64];
    unsigned char hash[32];
    char **globs; /* NULL: every command */
    size_t n_globs;
};

struct fmd_keys {
    struct key *k;
    size_t n;
};

void fmd_keys_free(struct fmd_keys *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->n; i++) {
        for (size_t g = 0; g < k->k[i].n_globs; g++)
            free(k->k[i].globs[g]);
        free(k->k[i].globs);
    }
    free(k->k);
    free(k);
}

static int unhex(const char *s, unsigned char out[32])
{
    if (strlen(s) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
            !strchr("0123456789abcdef", s[2 * i]) ||
            !strchr("0123456789abcdef", s[2 * i + 1]))
            return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

static int add_globs(struct key *k, char *list)
{
    for (char *save = NULL, *g = strtok_r(list, ",", &save); g;
         g = strtok_r(NULL, ",", &save)) {
        char **more = realloc(k->globs, (k->n_globs + 1) * sizeof *more);
        if (!more)
            return -1;
        k->globs = more;
        if (!(k->globs[k->n_globs] = strdup(g)))
            return -1;
        k->n_globs++;
    }
    return 0;
}

/* One line; NULL or the sentence of what is wrong. */
static const char *parse_line(struct fmd_keys *ks, char *line)
{
    char *save = NULL, *name = strtok_r(line, " \t\r\n", &save);
    if (!name || *name == '#')
        return NULL;
    char *hex = strtok_r(NULL, " \t\r\n", &save);
    char *globs = strtok_r(NULL, " \t\r\n", &save);
    if (!hex || strtok_r(NULL, " \t\r\n", &save))
        return "expected NAME SHA256-HEX [GLOB,GLOB]";
    if (strlen(name) >= sizeof ks->k->name)
        return "the key's name is longer than 63 bytes";
    struct key *more = realloc(ks->k, (ks->n + 1) * sizeof *more);
    if (!more)
        return "out of memory";
    ks->k = more;
    struct key *k = &ks->k[ks->n];
    memset(k, 0, sizeof *k);
    ks->n++;
    snprintf(k->name, sizeof k->name, "%s", name);
    if (unhex(hex, k->hash))
        return "the hash is not 64 lowercase hex digits (sha256sum of the "
               "key)";
    if (globs && add_globs(k, globs))
        return "out of memory";
    return NULL;
}

static int private_enough(FILE *f, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fileno(f), &st)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 0007) {
        snprintf(err, errlen,
                 "%s: readable or writable by others (mode %04o); make it "
                 "0600 or 0640",
                 path, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

struct fmd_keys *fmd_keys_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct fmd_keys *ks = calloc(1, sizeof *ks);
    char line[4096];
    const char *why = ks ? NULL : "out of memory";
    int n = 0;
    if (!why && private_enough(f, path, err, errlen))
        why = "";
    while (!why && fgets(line, sizeof line, f)) {
        n++;
        why = parse_line(ks, line);
    }
    fclose(f);
    if (!why && ks->n == 0) {
        why = "no key: a TCP listener needs at least one";
        n = 0;
    }
    if (!why)
        return ks;
    if (*why && n)
        snprintf(err, errlen, "%s:%d: %s", path, n, why);
    else if (*why)
        snprintf(err, errlen, "%s: %s", path, why);
    fmd_keys_free(ks);
    return NULL;
}

const char *fmd_keys_match(const struct fmd_keys *k, const char *bearer,
                           size_t *idx)
{
    unsigned char h[32];
    unsigned int hl = 0;
    if (!k || !bearer ||
        !EVP_Digest(bearer, strlen(bearer), h, &hl, EVP_sha256(), NULL))
        return NULL;
    const char *found = NULL;
    for (size_t i = 0; i < k->n; i++) {
        /* Every key is compared, match or not. */
        bool same = CRYPTO_memcmp(h, k->k[i].hash, sizeof h) == 0;
        if (same && !found) {
            found = k->k[i].name;
            *idx = i;
        }
    }
    return found;
}

bool fmd_keys_allow(const struct fmd_keys *k, size_t idx, const char *command)
{
    if (!k || idx >= k->n || !command)
        return false;
    const struct key *key = &k->k[idx];
    if (!key->globs)
        return true;
    for (size_t g = 0; g < key->n_globs; g++) {
        if (fnmatch(key->globs[g], command, 0) == 0)
            return true;
    }
    return false;
}
