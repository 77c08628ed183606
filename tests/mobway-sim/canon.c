#include "canon.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Worst case per input byte is "\u00xx" (6 bytes); a 4-byte UTF-8
 * sequence becomes two \uxxxx (12 bytes, 3 per input byte). */
#define ESCAPE_MAX_PER_BYTE 6

/* Decodes one UTF-8 sequence at s (valid UTF-8 guaranteed by jansson);
 * returns its length and stores the code point. */
static size_t utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
    size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    if (n > left)
        n = 1;
    if (n == 1) {
        *cp = s[0];
        return 1;
    }
    *cp = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++)
        *cp = (*cp << 6) | (s[i] & 0x3F);
    return n;
}

static char *put_u(char *out, uint32_t unit)
{
    return out + sprintf(out, "\\u%04x", (unsigned)unit);
}

/* The two-character escapes Python's json writes; NULL for the others. */
static const char *short_escape(uint32_t cp)
{
    switch (cp) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    default:
        return NULL;
    }
}

static char *put_raw(char *out, const char *s, size_t n)
{
    memcpy(out, s, n);
    return out + n;
}

static char *put_codepoint(char *out, uint32_t cp)
{
    const char *esc = short_escape(cp);
    if (esc)
        return put_raw(out, esc, 2);
    if (cp >= 0x20 && cp <= 0x7E) {
        *out = (char)cp;
        return out + 1;
    }
    if (cp < 0x10000)
        return put_u(out, cp);
    cp -= 0x10000;
    out = put_u(out, 0xD800 | (cp >> 10));
    return put_u(out, 0xDC00 | (cp & 0x3FF));
}

static char *put_string(char *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    *out++ = '"';
    while (len > 0) {
        uint32_t cp;
        size_t n = utf8_decode(p, len, &cp);
        out = put_codepoint(out, cp);
        p += n;
        len -= n;
    }
    *out++ = '"';
    return out;
}

char *canon_body(const char *vin, size_t vin_len, const char *command,
                 size_t command_len)
{
    static const char k_command[] = "{\"command\":";
    static const char k_vin[] = ",\"vin\":";
    size_t cap = sizeof k_command + sizeof k_vin + 8 +
                 ESCAPE_MAX_PER_BYTE * (vin_len + command_len);
    char *body = malloc(cap);
    if (!body)
        return NULL;
    char *out = body;
    out = put_raw(out, k_command, sizeof k_command - 1);
    out = put_string(out, command, command_len);
    out = put_raw(out, k_vin, sizeof k_vin - 1);
    out = put_string(out, vin, vin_len);
    *out++ = '}';
    *out = '\0';
    return body;
}

void canon_sign(const char *secret, const char *body,
                char hex[CANON_SIG_HEX_LEN])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body,
         strlen(body), mac, &mac_len);
    for (unsigned int i = 0; i < mac_len; i++)
        sprintf(hex + 2 * i, "%02x", mac[i]);
    hex[2 * mac_len] = '\0';
}
