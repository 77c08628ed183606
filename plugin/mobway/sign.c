/* sign.c - Python-compatible canonical JSON and HMAC-SHA256. */
#include "sign.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one strict UTF-8 sequence at s (no overlongs, no surrogates,
 * nothing above U+10FFFF). Returns its length, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] < 0x80         ? 1
               : (s[0] >> 5) == 6  ? 2
               : (s[0] >> 4) == 14 ? 3
               : (s[0] >> 3) == 30 ? 4
                                   : 0;

    if (n == 0)
        return 0;
    *cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

/* The letter of Python's short escape for cp (\n ...), or 0. */
static char short_escape(uint32_t cp)
{
    switch (cp) {
    case '"':
        return '"';
    case '\\':
        return '\\';
    case '\b':
        return 'b';
    case '\f':
        return 'f';
    case '\n':
        return 'n';
    case '\r':
        return 'r';
    case '\t':
        return 't';
    default:
        return 0;
    }
}

/* Writes the escaped form of one code point; out has room for 13. */
static size_t escape_cp(uint32_t cp, char *out)
{
    char c = short_escape(cp);

    if (c) {
        out[0] = '\\';
        out[1] = c;
        return 2;
    }
    if (cp >= 0x20 && cp <= 0x7e) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x10000)
        return (size_t)sprintf(out, "\\u%04x", (unsigned)cp);
    cp -= 0x10000;
    return (size_t)sprintf(out, "\\u%04x\\u%04x", 0xd800 + (unsigned)(cp >> 10),
                           0xdc00 + (unsigned)(cp & 0x3ff));
}

/* Printable ASCII that JSON writes as itself. */
static bool plain(unsigned char c)
{
    return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

/* Appends "key":"escaped value" to out at *pos. Returns -1 on bad UTF-8. */
static int put_pair(char *out, size_t *pos, const char *key, const char *val)
{
    const unsigned char *s = (const unsigned char *)val;
    size_t klen = strlen(key);
    uint32_t cp;

    if (*pos > 1)
        out[(*pos)++] = ',';
    out[(*pos)++] = '"';
    memcpy(out + *pos, key, klen);
    *pos += klen;
    memcpy(out + *pos, "\":\"", 3);
    *pos += 3;
    while (*s) {
        size_t n;
        if (plain(*s)) {
            out[(*pos)++] = (char)*s++;
            continue;
        }
        if ((n = utf8_next(s, &cp)) == 0)
            return -1;
        *pos += escape_cp(cp, out + *pos);
        s += n;
    }
    out[(*pos)++] = '"';
    return 0;
}

char *mw_sign_body(const char *code, const char *command, const char *vin)
{
    /* Each input byte becomes at most 6 output bytes (\uXXXX); a 4-byte
     * sequence becomes 12. */
    size_t cap =
        6 * (strlen(command) + strlen(vin) + (code ? strlen(code) : 0)) + 48;
    char *out = malloc(cap);
    size_t pos = 1;

    if (!out)
        return NULL;
    out[0] = '{';
    if ((code && put_pair(out, &pos, "code", code) != 0) ||
        put_pair(out, &pos, "command", command) != 0 ||
        put_pair(out, &pos, "vin", vin) != 0) {
        free(out);
        return NULL;
    }
    out[pos++] = '}';
    out[pos] = '\0';
    return out;
}

/* The HMAC fetched and keyed once, and keyed copies of it that threads
 * take, reuse and give back. */
struct mw_signer {
    const char *key; /* the caller's buffer, which outlives the signer */
    size_t key_len;
    EVP_MAC *mac;
    EVP_MAC_CTX *keyed; /* copied when no idle one is left */
    pthread_mutex_t mu; /* guards keyed, idle and n_idle */
    EVP_MAC_CTX **idle; /* one per thread that ever signed at once */
    size_t n_idle, cap;
};

struct mw_signer *mw_signer_new(const char *key, size_t key_len)
{
    struct mw_signer *s = calloc(1, sizeof *s);

    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    s->key = key;
    s->key_len = key_len;
    return s;
}

void mw_signer_free(struct mw_signer *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_idle; i++)
        EVP_MAC_CTX_free(s->idle[i]);
    EVP_MAC_CTX_free(s->keyed);
    EVP_MAC_free(s->mac);
    pthread_mutex_destroy(&s->mu);
    free(s->idle);
    free(s);
}

/* Locked: fetches HMAC and keys it. Done by the first signature, not by
 * mw_signer_new: the first fetch in a process loads OpenSSL's providers
 * and names (~3 M instructions), which a host that only loads the module
 * and creates an instance need not pay. */
static bool key_it(struct mw_signer *s)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_construct_end()};

    if (!s->mac && !(s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)))
        return false;
    if (!(s->keyed = EVP_MAC_CTX_new(s->mac)))
        return false;
    if (EVP_MAC_init(s->keyed, (const unsigned char *)s->key, s->key_len,
                     params))
        return true;
    EVP_MAC_CTX_free(s->keyed);
    s->keyed = NULL;
    return false;
}

/* An idle keyed context of s, or a new copy of its keyed one. */
static EVP_MAC_CTX *take(struct mw_signer *s)
{
    EVP_MAC_CTX *c = NULL;

    pthread_mutex_lock(&s->mu);
    if (s->n_idle)
        c = s->idle[--s->n_idle];
    else if (s->keyed || key_it(s))
        c = EVP_MAC_CTX_dup(s->keyed);
    pthread_mutex_unlock(&s->mu);
    return c;
}

/* Gives c back to s's idle ones (freed when there is no room for it). */
static void give_back(struct mw_signer *s, EVP_MAC_CTX *c)
{
    EVP_MAC_CTX **grown;

    pthread_mutex_lock(&s->mu);
    if (s->n_idle == s->cap &&
        (grown = realloc(s->idle, (s->cap * 2 + 4) * sizeof *grown))) {
        s->idle = grown;
        s->cap = s->cap * 2 + 4;
    }
    if (s->n_idle < s->cap) {
        s->idle[s->n_idle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&s->mu);
    EVP_MAC_CTX_free(c);
}

int mw_signer_hmac(struct mw_signer *s, const char *msg, size_t msg_len,
                   char out[MW_SIGNATURE_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    /* a keyed context re-initialised without a key starts again from its
     * keyed state */
    EVP_MAC_CTX *c = take(s);
    int ok = c && EVP_MAC_init(c, NULL, 0, NULL) &&
             EVP_MAC_update(c, (const unsigned char *)msg, msg_len) &&
             EVP_MAC_final(c, mac, &mac_len, sizeof mac);

    if (c)
        give_back(s, c);
    if (!ok || mac_len != 32)
        return -1;
    /* by hand: 32 sprintf calls cost more than the HMAC itself */
    for (size_t i = 0; i < mac_len; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[2 * mac_len] = '\0';
    return 0;
}
