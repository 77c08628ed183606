/* sign.c - Python-compatible canonical JSON and HMAC-SHA256. */
#include "sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
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

/* Appends "key":"escaped value" to out at *pos. Returns -1 on bad UTF-8. */
static int put_pair(char *out, size_t *pos, const char *key, const char *val)
{
    const unsigned char *s = (const unsigned char *)val;
    uint32_t cp;

    *pos +=
        (size_t)sprintf(out + *pos, "%s\"%s\":\"", *pos > 1 ? "," : "", key);
    while (*s) {
        size_t n = utf8_next(s, &cp);
        if (n == 0)
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

int mw_sign_hmac(const char *key, size_t key_len, const char *msg,
                 size_t msg_len, char out[MW_SIGNATURE_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;

    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
              msg_len, mac, &mac_len) ||
        mac_len != 32)
        return -1;
    /* by hand: 32 sprintf calls cost more than the HMAC itself */
    for (unsigned int i = 0; i < mac_len; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[2 * mac_len] = '\0';
    return 0;
}
