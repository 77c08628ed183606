/*
 * test_conf.c - fleetmodd.conf (service/fleetmodd/conf.c): the defaults
 * fleetmodd.conf(5) states, and every mistake refused with FILE:LINE.
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

#include "fmd.h"

static char path[64];

static int load(const char *text, struct fmd_conf *c, char *err)
{
    snprintf(path, sizeof path, "/tmp/fmd-conf.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    int rc = fmd_conf_load(path, c, err, FLEETMOD_ERR_MAX);
    unlink(path);
    return rc;
}

static void the_defaults_are_the_documented_ones(void **st)
{
    (void)st;
    struct fmd_conf c;
    char err[FLEETMOD_ERR_MAX] = "";
    assert_int_equal(load("[service]\n", &c, err), 0);
    assert_string_equal(c.socket, "/run/fleetmod/fleetmodd.sock");
    assert_int_equal(c.socket_mode, 0660);
    assert_int_equal(c.max_body, 1048576);
    assert_int_equal(c.threads, 4);
    assert_int_equal(c.workers, 64);
    assert_int_equal(c.max_connections, 16384);
    assert_int_equal(c.connection_timeout, 60);
    assert_int_equal(c.watch_interval, 5);
    assert_int_equal(c.webhook_timeout, 10);
    assert_int_equal(c.webhook_max_backoff, 300);
    assert_null(c.stack);
    assert_null(c.policy);
    assert_null(c.listen);
    assert_null(c.webhook_url);
    fmd_conf_free(&c);
}

static void values_are_read(void **st)
{
    (void)st;
    struct fmd_conf c;
    char err[FLEETMOD_ERR_MAX] = "";
    assert_int_equal(load("[service]\nsocket = /tmp/s.sock\nsocket_mode = "
                          "0600\nmax_body = 1024\nlisten = 127.0.0.1:1\n"
                          "[webhook]\nurl = http://x/\nsecret_file = /s\n",
                          &c, err),
                     0);
    assert_string_equal(c.socket, "/tmp/s.sock");
    assert_int_equal(c.socket_mode, 0600);
    assert_int_equal(c.max_body, 1024);
    assert_string_equal(c.listen, "127.0.0.1:1");
    assert_string_equal(c.webhook_url, "http://x/");
    fmd_conf_free(&c);
}

static void expect_error(const char *text, const char *line_and_words)
{
    struct fmd_conf c;
    char err[FLEETMOD_ERR_MAX] = "", want[FLEETMOD_ERR_MAX + 80];
    assert_int_equal(load(text, &c, err), -1);
    snprintf(want, sizeof want, "%s:%s", path, line_and_words);
    if (!strstr(err, want))
        fail_msg("got \"%s\", expected \"%s\"", err, want);
    fmd_conf_free(&c);
}

static void every_mistake_names_the_file_and_line(void **st)
{
    (void)st;
    expect_error("[service]\ncolour = blue\n", "2: unknown key colour");
    expect_error("[sevrice]\nthreads = 1\n", "2: unknown section [sevrice]");
    expect_error("[service]\nthreads = 2\nthreads = 3\n",
                 "3: [service] threads set twice");
    expect_error("[service]\nmax_body = -1\n", "2: max_body: expected");
    expect_error("[service]\nworkers = 99999\n", "2: workers: expected");
    expect_error("[service]\nsocket_mode = 0999\n", "2: socket_mode");
    expect_error("[service]\nstack =\n", "2: stack is empty");
    expect_error("[service]\ntls_cert = /c\n",
                 " tls_cert and tls_key go together");
    expect_error("[webhook]\nurl = http://x/\n",
                 " [webhook] needs both url and secret_file");
    expect_error("[service]\nthreads = 0\n", " threads, workers and");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_defaults_are_the_documented_ones),
        cmocka_unit_test(values_are_read),
        cmocka_unit_test(every_mistake_names_the_file_and_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
