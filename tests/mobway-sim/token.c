#include "token.h"

#include "clock.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEY_LEN 32
#define B64_MAX 1024

static unsigned char key[KEY_LEN];

/* {"alg":"HS256","typ":"JWT"}, base64url. */
static const char jwt_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

int token_init(void)
{
    return RAND_bytes(key, sizeof key) == 1 ? 0 : -1;
}

/* base64url without padding (RFC 7515). out holds 4 * ceil(len / 3) + 1. */
static void b64url_encode(const unsigned char *in, size_t len, char *out)
{
    int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (char *p = out; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
}

/* Decodes base64url (len bytes); returns the decoded length or -1. */
static int b64url_decode(const char *in, size_t len, unsigned char *out)
{
    char buf[B64_MAX + 4];
    if (len > B64_MAX || len % 4 == 1)
        return -1;
    for (size_t i = 0; i < len; i++)
        buf[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    size_t pad = (4 - len % 4) % 4;
    memset(buf + len, '=', pad);
    int n = EVP_DecodeBlock(out, (unsigned char *)buf, (int)(len + pad));
    return n < 0 ? -1 : n - (int)pad;
}

static void sign_part(const char *signing_input, size_t len, char out[B64_MAX])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)signing_input,
         len, mac, &mac_len);
    b64url_encode(mac, mac_len, out);
}

char *token_issue(const char *company, long ttl_s)
{
    char expiration[CLOCK_BRT_US_LEN];
    clock_brt_us(clock_now_us() + (int64_t)ttl_s * 1000000, expiration);
    json_t *claims =
        json_pack("{s:s, s:s}", "company", company, "expiration", expiration);
    char *payload = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(claims);
    if (!payload)
        return NULL;
    size_t plen = strlen(payload);
    char *token = malloc(sizeof jwt_header + 2 * (plen + 3) + B64_MAX);
    if (token) {
        size_t hlen = sizeof jwt_header - 1;
        memcpy(token, jwt_header, hlen);
        token[hlen] = '.';
        b64url_encode((unsigned char *)payload, plen, token + hlen + 1);
        size_t signed_len = strlen(token);
        token[signed_len] = '.';
        sign_part(token, signed_len, token + signed_len + 1);
    }
    free(payload);
    return token;
}

/* Reads the claims of a token whose signature already checked out. */
static enum token_check read_claims(const char *b64, size_t len,
                                    const struct sim_fixtures *fx, int *company)
{
    unsigned char raw[B64_MAX];
    int n = b64url_decode(b64, len, raw);
    json_t *claims = n < 0 ? NULL : json_loadb((char *)raw, (size_t)n, 0, NULL);
    const char *name = NULL;
    const char *expiration = NULL;
    enum token_check check = TOKEN_INVALID;
    if (claims && json_unpack(claims, "{s:s, s:s}", "company", &name,
                              "expiration", &expiration) == 0) {
        char now[CLOCK_BRT_US_LEN];
        clock_brt_us(clock_now_us(), now);
        *company = fixtures_company_by_name(fx, name);
        if (*company >= 0)
            check = strcmp(expiration, now) > 0 ? TOKEN_OK : TOKEN_EXPIRED;
    }
    json_decref(claims);
    return check;
}

enum token_check token_verify(const char *authorization,
                              const struct sim_fixtures *fx, int *company)
{
    static const char scheme[] = "Bearer ";
    if (!authorization ||
        strncasecmp(authorization, scheme, sizeof scheme - 1) != 0)
        return TOKEN_MISSING;
    const char *jwt = authorization + sizeof scheme - 1;
    jwt += strspn(jwt, " ");
    const char *dot2 = strrchr(jwt, '.');
    const char *dot1 = dot2 ? memchr(jwt, '.', (size_t)(dot2 - jwt)) : NULL;
    if (!dot1 || strlen(dot2 + 1) >= B64_MAX)
        return TOKEN_INVALID;
    char expected[B64_MAX];
    sign_part(jwt, (size_t)(dot2 - jwt), expected);
    size_t sig_len = strlen(dot2 + 1);
    if (sig_len != strlen(expected) ||
        CRYPTO_memcmp(expected, dot2 + 1, sig_len) != 0)
        return TOKEN_INVALID;
    return read_claims(dot1 + 1, (size_t)(dot2 - dot1 - 1), fx, company);
}

const char *token_check_text(enum token_check check)
{
    switch (check) {
    case TOKEN_MISSING:
        return "Not authenticated";
    case TOKEN_EXPIRED:
        return "Token expired";
    default:
        return "Could not validate credentials";
    }
}
