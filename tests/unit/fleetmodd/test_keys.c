/*
 * test_keys.c - fleetmodd's API keys file (service/fleetmodd/keys.c): a
 * bearer matches the key whose SHA-256 is on file, and nothing else; a
 * key's globs limit its commands; a file others may read, a bad line or
 * no key at all is refused with FILE:LINE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmd.h"

/* A well-formed hash (64 lowercase hex digits) for the lines that are
 * refused for another reason. */
#define OPS "4e6c5e1e0ac2da0d0fae1cb8ec0a8fa8fe6e52f4785fbe1b5bbd84ec0ce4b1f0"

static char path[64];

static void write_keys(const char *text, mode_t mode)
{
    snprintf(path, sizeof path, "/tmp/fmd-keys.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    fchmod(fd, mode);
    close(fd);
}

/* The hex SHA-256 of key, computed by the same command a person uses. */
static void hash_of(const char *key, char out[65])
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "printf %%s '%s' | sha256sum", key);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, 65, p));
    pclose(p);
}

static struct fmd_keys *load(const char *text, mode_t mode, char *err)
{
    write_keys(text, mode);
    struct fmd_keys *k = fmd_keys_load(path, err, FLEETMOD_ERR_MAX);
    unlink(path);
    return k;
}

static void a_bearer_matches_only_the_key_whose_hash_is_on_file(void **st)
{
    (void)st;
    char a[65], b[65], text[512], err[FLEETMOD_ERR_MAX] = "";
    hash_of("k-ops-1", a);
    hash_of("k-read-2", b);
    snprintf(text, sizeof text,
             "# name hash globs\nops %s\n\nreader %s location,diag*\n", a, b);
    struct fmd_keys *k = load(text, 0600, err);
    assert_non_null(k);
    size_t idx = 99;
    assert_string_equal(fmd_keys_match(k, "k-ops-1", &idx), "ops");
    assert_int_equal(idx, 0);
    assert_string_equal(fmd_keys_match(k, "k-read-2", &idx), "reader");
    assert_int_equal(idx, 1);
    assert_null(fmd_keys_match(k, "k-ops-", &idx));
    assert_null(fmd_keys_match(k, "k-ops-1 ", &idx));
    assert_null(fmd_keys_match(k, "", &idx));
    assert_null(fmd_keys_match(k, a, &idx)); /* the hash is not the key */
    fmd_keys_free(k);
}

static void globs_limit_a_keys_commands(void **st)
{
    (void)st;
    char a[65], b[65], text[512], err[FLEETMOD_ERR_MAX] = "";
    hash_of("x", a);
    hash_of("y", b);
    snprintf(text, sizeof text, "all %s\nsome %s location,diag*\n", a, b);
    struct fmd_keys *k = load(text, 0640, err);
    assert_non_null(k);
    assert_true(fmd_keys_allow(k, 0, "disable_ignition"));
    assert_true(fmd_keys_allow(k, 1, "location"));
    assert_true(fmd_keys_allow(k, 1, "diagnostics"));
    assert_false(fmd_keys_allow(k, 1, "lock_door"));
    assert_false(fmd_keys_allow(k, 1, NULL));
    assert_false(fmd_keys_allow(k, 2, "location"));
    fmd_keys_free(k);
}

static void bad_files_are_refused_naming_the_line(void **st)
{
    (void)st;
    char err[FLEETMOD_ERR_MAX] = "";
    assert_null(load("ops " OPS "\n", 0644, err));
    assert_non_null(strstr(err, "readable or writable by others"));
    assert_null(load("ops " OPS "\nreader ABC\n", 0600, err));
    assert_non_null(strstr(err, ":2: the hash is not 64 lowercase hex"));
    assert_null(load("ops\n", 0600, err));
    assert_non_null(strstr(err, ":1: expected NAME SHA256-HEX"));
    assert_null(load("ops " OPS " a,b extra\n", 0600, err));
    assert_non_null(strstr(err, ":1: expected NAME SHA256-HEX"));
    assert_null(load("# nothing\n\n", 0600, err));
    assert_non_null(strstr(err, "no key"));
    assert_null(fmd_keys_load("/nonexistent/keys", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/keys"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bearer_matches_only_the_key_whose_hash_is_on_file),
        cmocka_unit_test(globs_limit_a_keys_commands),
        cmocka_unit_test(bad_files_are_refused_naming_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
