/*
 * journal/hash.c - the tamper-evident chain: the canonical bytes of an
 * event and its SHA-256 (OpenSSL EVP), and the hex form stored.
 *
 * Canonical bytes: the previous hash (32 raw bytes), then every field of
 * struct fm_jevent from host_id to detail in struct order, each as
 * "n" (absent string), "s<len>:<bytes>" or "i<decimal>;". Length prefixes
 * make the encoding unambiguous whatever bytes a reason holds, and the
 * text is the same in every backend and on every machine.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "journal.h"

static void put_str(EVP_MD_CTX *c, const char *s)
{
    if (!s) {
        EVP_DigestUpdate(c, "n", 1);
        return;
    }
    char head[32];
    size_t n = strlen(s);
    int k = snprintf(head, sizeof head, "s%zu:", n);
    EVP_DigestUpdate(c, head, (size_t)k);
    EVP_DigestUpdate(c, s, n);
}

static void put_int(EVP_MD_CTX *c, int64_t v)
{
    char buf[32];
    int k = snprintf(buf, sizeof buf, "i%" PRId64 ";", v);
    EVP_DigestUpdate(c, buf, (size_t)k);
}

static void put_fields(EVP_MD_CTX *c, const struct fm_jevent *e)
{
    put_str(c, e->host_id);
    put_str(c, e->journal_id);
    put_int(c, e->at);
    put_str(c, e->kind);
    put_str(c, fm_jstate_name(e->state));
    put_str(c, e->provider);
    put_str(c, e->vin);
    put_str(c, e->command);
    put_str(c, e->requester);
    put_str(c, e->reason);
    put_str(c, e->request_id);
    put_int(c, e->deadline);
    put_int(c, e->rc);
    put_str(c, e->error_name);
    put_str(c, e->delivered);
    put_int(c, e->http_status);
    put_str(c, e->provider_id);
    put_int(c, e->executed_at);
    put_int(c, e->late);
    put_int(c, e->latency_ms);
    put_str(c, e->note);
    put_str(c, e->detail);
}

void fm_jhash_compute(const struct fm_jevent *ev, uint8_t out[FM_JHASH_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int n = 0;
    /* Only allocation can fail here; a zero hash then never verifies, so
     * the failure shows instead of passing silently. */
    memset(out, 0, FM_JHASH_LEN);
    if (!c)
        return;
    if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1) {
        EVP_DigestUpdate(c, ev->prev_hash, FM_JHASH_LEN);
        put_fields(c, ev);
        EVP_DigestFinal_ex(c, out, &n);
    }
    EVP_MD_CTX_free(c);
}

void fm_jhash(struct fm_jevent *ev)
{
    fm_jhash_compute(ev, ev->hash);
}

void fm_jhex(const uint8_t h[FM_JHASH_LEN], char out[2 * FM_JHASH_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < FM_JHASH_LEN; i++) {
        out[2 * i] = digits[h[i] >> 4];
        out[2 * i + 1] = digits[h[i] & 15];
    }
    out[2 * FM_JHASH_LEN] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int fm_junhex(const char *s, uint8_t h[FM_JHASH_LEN])
{
    if (!s || strlen(s) != 2 * FM_JHASH_LEN)
        return -1;
    for (size_t i = 0; i < FM_JHASH_LEN; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        h[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
