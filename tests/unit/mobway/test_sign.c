/*
 * test_sign.c - the body Mobway signs and its X-Signature, checked
 * byte for byte against python3's json.dumps and hmac on 1,000 generated
 * VIN/command pairs (quotes, backslashes, control characters, DEL,
 * non-ASCII, non-BMP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sign.h"

#define CASES 1000

/* A small deterministic generator: the same cases on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A code point from the classes that matter for escaping. */
static uint32_t exotic_cp(void)
{
    static const uint32_t specials[] = {
        '"',  '\\',   '\b',   '\f',   '\n',   '\r',    '\t',     0x7f,
        0xe9, 0x20ac, 0x2028, 0xfeff, 0xffff, 0x1f600, 0x10ffff, '/'};
    uint32_t cp;

    switch (rnd(5)) {
    case 0:
        return 1 + rnd(0x1f); /* control characters, never NUL */
    case 1:
        return specials[rnd(sizeof specials / sizeof specials[0])];
    case 2:
        do
            cp = 0x80 + rnd(0x10000 - 0x80);
        while (cp >= 0xd800 && cp <= 0xdfff);
        return cp;
    case 3:
        return 0x10000 + rnd(0x100000);
    default:
        return 0x20 + rnd(0x5f);
    }
}

/* The signature of msg under key, through a signer of its own. */
static int sign_with(const char *key, const char *msg,
                     char out[MW_SIGNATURE_SIZE])
{
    struct mw_signer *signer = mw_signer_new(key, strlen(key));
    int rc = signer ? mw_signer_hmac(signer, msg, strlen(msg), out) : -1;

    mw_signer_free(signer);
    return rc;
}

static void gen_exotic(char *out, size_t max_cps)
{
    size_t n = 1 + rnd((uint32_t)max_cps), pos = 0;

    for (size_t i = 0; i < n; i++)
        pos += put_utf8(out + pos, exotic_cp());
    out[pos] = '\0';
}

/* vin_check = loose VINs: printable ASCII, 1 to 64 characters. */
static void gen_loose_vin(char *out)
{
    size_t n = 1 + rnd(64);

    for (size_t i = 0; i < n; i++)
        out[i] = (char)(0x20 + rnd(0x5f));
    out[n] = '\0';
}

static void put_hex(FILE *f, const char *s)
{
    if (!*s)
        fputs("00", f); /* never: generated strings are not empty */
    for (; *s; s++)
        fprintf(f, "%02x", (unsigned char)*s);
}

static char *from_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    char *out = malloc(n + 1);

    for (size_t i = 0; i < n; i++)
        sscanf(hex + 2 * i, "%2hhx", (unsigned char *)&out[i]);
    out[n] = '\0';
    return out;
}

struct sign_case {
    char vin[65];
    char command[4 * 40 + 1];
    char secret[4 * 20 + 1];
};

static void signature_matches_python_for_generated_pairs(void **state)
{
    static struct sign_case cases[CASES];
    const char *script = getenv("MOBWAY_SIGN_CHECK");
    char in_path[] = "/tmp/mw-sign-XXXXXX", cmd[512], body_hex[4096], sig[80];
    int fd = mkstemp(in_path);
    FILE *in = fdopen(fd, "w"), *out;

    (void)state;
    assert_non_null(in);
    for (int i = 0; i < CASES; i++) {
        gen_loose_vin(cases[i].vin);
        gen_exotic(cases[i].command, 40);
        gen_exotic(cases[i].secret, 20);
        put_hex(in, cases[i].vin);
        fputc(' ', in);
        put_hex(in, cases[i].command);
        fputc(' ', in);
        put_hex(in, cases[i].secret);
        fputc('\n', in);
    }
    fclose(in);
    snprintf(cmd, sizeof cmd, "python3 %s < %s",
             script ? script : "tests/unit/mobway/sign_check.py", in_path);
    out = popen(cmd, "r");
    assert_non_null(out);
    for (int i = 0; i < CASES; i++) {
        char mine[MW_SIGNATURE_SIZE], *want_body, *body;
        assert_int_equal(fscanf(out, "%4095s %79s", body_hex, sig), 2);
        want_body = from_hex(body_hex);
        body = mw_sign_body(NULL, cases[i].command, cases[i].vin);
        assert_non_null(body);
        assert_string_equal(body, want_body);
        assert_int_equal(sign_with(cases[i].secret, body, mine), 0);
        assert_string_equal(mine, sig);
        free(body);
        free(want_body);
    }
    assert_int_equal(pclose(out), 0);
    unlink(in_path);
}

static void worked_example_signature(void **state)
{
    char *body = mw_sign_body(NULL, "disable_ignition", "6AHFT68CKAF501652");
    char sig[MW_SIGNATURE_SIZE];

    (void)state;
    assert_string_equal(body, "{\"command\":\"disable_ignition\",\"vin\":"
                              "\"6AHFT68CKAF501652\"}");
    assert_int_equal(sign_with("example-secret", body, sig), 0);
    assert_string_equal(
        sig,
        "a4088c8171178e54229c065cf25f1b9190ec39a5ecc6dbb3157752e2a5d3976f");
    free(body);
}

/* A signer keeps its keyed context: the second and later signatures reuse
 * it and must still start from the key, not from the last message. */
static void a_signer_signs_again_from_its_key(void **state)
{
    const char *body = "{\"command\":\"disable_ignition\",\"vin\":"
                       "\"6AHFT68CKAF501652\"}";
    struct mw_signer *signer = mw_signer_new("example-secret", 14);
    char sig[MW_SIGNATURE_SIZE];

    (void)state;
    assert_non_null(signer);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mw_signer_hmac(signer, body, strlen(body), sig), 0);
        assert_string_equal(sig, "a4088c8171178e54229c065cf25f1b9190ec39a5ecc6"
                                 "dbb3157752e2a5d3976f");
        assert_int_equal(mw_signer_hmac(signer, "x", 1, sig), 0);
    }
    mw_signer_free(signer);
}

static void confirm_body_puts_code_first(void **state)
{
    char *body = mw_sign_body("123456", "enable_ignition", "VIN");

    (void)state;
    assert_string_equal(body,
                        "{\"code\":\"123456\",\"command\":\"enable_ignition\","
                        "\"vin\":\"VIN\"}");
    free(body);
}

static void escapes_use_lowercase_hex_and_surrogates(void **state)
{
    /* U+00E9, DEL, U+1F600, U+001F */
    char *body =
        mw_sign_body(NULL, "\xc3\xa9\x7f\xf0\x9f\x98\x80\x1f", "a\"\\");

    (void)state;
    assert_string_equal(body, "{\"command\":\"\\u00e9\\u007f\\ud83d\\ude00"
                              "\\u001f\",\"vin\":\"a\\\"\\\\\"}");
    free(body);
}

static void invalid_utf8_is_refused(void **state)
{
    (void)state;
    assert_null(mw_sign_body(NULL, "\xc0\xaf", "V"));         /* overlong */
    assert_null(mw_sign_body(NULL, "\xed\xa0\x80", "V"));     /* surrogate */
    assert_null(mw_sign_body(NULL, "\xf4\x90\x80\x80", "V")); /* > 10FFFF */
    assert_null(mw_sign_body(NULL, "abc", "\xe2\x82"));       /* truncated */
    assert_null(mw_sign_body(NULL, "\xff", "V"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signature_matches_python_for_generated_pairs),
        cmocka_unit_test(worked_example_signature),
        cmocka_unit_test(a_signer_signs_again_from_its_key),
        cmocka_unit_test(confirm_body_puts_code_first),
        cmocka_unit_test(escapes_use_lowercase_hex_and_surrogates),
        cmocka_unit_test(invalid_utf8_is_refused),
    };
    return cmocka_run_group_tests_name("mobway sign", tests, NULL, NULL);
}
