/*
 * test_modutil.c - fleetmod/modutil.h, the helpers every module packs its
 * replies, keeps the fork rule and logs with. Header only: this program
 * links msgpack-c and cmocka, nothing of libfleetmod.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <fleetmod/modutil.h>
#include <fleetmod/msgcheck.h>

/* A host's write callback: keeps what it got, counts the calls, fails
 * when told to. */
struct sink {
    msgpack_sbuffer got;
    int calls;
    int fail;
};

static int sink_write(void *data, const char *buf, size_t len)
{
    struct sink *s = data;

    s->calls++;
    if (s->fail)
        return -1;
    return msgpack_sbuffer_write(&s->got, buf, len);
}

/* The one map the sink got, unpacked into zone. */
static msgpack_object got_map(struct sink *s, msgpack_zone *zone)
{
    msgpack_object obj;

    assert_true(msgpack_zone_init(zone, 1024));
    assert_int_equal(fleetmod_msg_unpack(s->got.data, s->got.size, zone, &obj),
                     FLEETMOD_OK);
    assert_int_equal(obj.type, MSGPACK_OBJECT_MAP);
    return obj;
}

static bool str_is(const msgpack_object *o, const char *want)
{
    return o && o->type == MSGPACK_OBJECT_STR &&
           o->via.str.size == strlen(want) &&
           memcmp(o->via.str.ptr, want, o->via.str.size) == 0;
}

static void a_reply_reaches_the_host_in_one_write_also_when_large(void **state)
{
    static char big[5000];
    struct sink s = {.calls = 0};
    struct fleetmod_out o;
    msgpack_zone zone;

    (void)state;
    msgpack_sbuffer_init(&s.got);
    fleetmod_out_init(&o);
    assert_int_equal(fleetmod_pack_reply_head(&o.pk, 1, "p", "success"), 0);
    assert_int_equal(fleetmod_pack_kv_strn(&o.pk, "detail", big, sizeof big),
                     0);
    assert_int_equal(fleetmod_out_finish(&o, sink_write, &s, FLEETMOD_OK),
                     FLEETMOD_OK);
    assert_int_equal(s.calls, 1);
    msgpack_object m = got_map(&s, &zone);
    assert_int_equal(m.via.map.size, 4);
    assert_int_equal(fleetmod_msg_map_get(&m, "detail")->via.str.size,
                     sizeof big);
    msgpack_zone_destroy(&zone);
    msgpack_sbuffer_destroy(&s.got);
}

static void a_failed_host_write_is_enomem(void **state)
{
    struct sink s = {.fail = 1};
    struct fleetmod_out o;

    (void)state;
    msgpack_sbuffer_init(&s.got);
    fleetmod_out_init(&o);
    fleetmod_pack_reply_head(&o.pk, 0, "p", "pending");
    assert_int_equal(fleetmod_out_finish(&o, sink_write, &s, FLEETMOD_EDENIED),
                     FLEETMOD_ENOMEM);
    msgpack_sbuffer_destroy(&s.got);
}

/* For every rc the header knows, the error map says what module.h's table
 * says, and http_status and retry_after_ms only when given. */
static void the_error_map_answers_from_the_table(void **state)
{
    (void)state;
    for (int rc = 1; rc < FLEETMOD_RC_COUNT; rc++) {
        struct sink s = {.calls = 0};
        struct fleetmod_out o;
        msgpack_zone zone;
        long http = rc % 2 ? 503 : 0, retry = rc == 9 ? 1500 : -1;

        msgpack_sbuffer_init(&s.got);
        fleetmod_out_init(&o);
        assert_int_equal(
            fleetmod_pack_reply_head(&o.pk, 1, "p", "failed") ||
                fleetmod_pack_error(&o.pk, (fleetmod_rc)rc, "why", http, retry),
            0);
        fleetmod_out_finish(&o, sink_write, &s, (fleetmod_rc)rc);
        msgpack_object m = got_map(&s, &zone);
        const msgpack_object *e = fleetmod_msg_map_get(&m, "error");
        assert_int_equal(fleetmod_msg_map_get(e, "code")->via.u64, rc);
        assert_true(str_is(fleetmod_msg_map_get(e, "name"),
                           fleetmod_error_name((fleetmod_rc)rc)));
        assert_true(str_is(fleetmod_msg_map_get(e, "delivered"),
                           fleetmod_rc_delivered((fleetmod_rc)rc)));
        assert_true(str_is(fleetmod_msg_map_get(e, "message"), "why"));
        assert_int_equal(!!fleetmod_msg_map_get(e, "http_status"), http > 0);
        assert_int_equal(!!fleetmod_msg_map_get(e, "retry_after_ms"),
                         retry >= 0);
        assert_true(fleetmod_msg_map_get(&m, "terminal")->via.boolean);
        msgpack_zone_destroy(&zone);
        msgpack_sbuffer_destroy(&s.got);
    }
}

static void
terminal_is_false_only_while_a_command_may_still_change(void **state)
{
    (void)state;
    assert_false(fleetmod_status_terminal("pending"));
    assert_false(fleetmod_status_terminal("confirmation"));
    assert_true(fleetmod_status_terminal("success"));
    assert_true(fleetmod_status_terminal("error"));
    assert_true(fleetmod_status_terminal("failed"));
    assert_true(fleetmod_status_terminal("batch"));
}

static void the_batch_head_echoes_request_id_and_counts_results(void **state)
{
    struct sink s = {.calls = 0};
    struct fleetmod_out o;
    msgpack_zone zone;

    (void)state;
    msgpack_sbuffer_init(&s.got);
    fleetmod_out_init(&o);
    /* request_id is not NUL-terminated in a request's buffer */
    assert_int_equal(fleetmod_pack_batch_head(&o.pk, "p", "job-42xx", 6, 2), 0);
    fleetmod_pack_reply_head(&o.pk, 0, "p", "pending");
    fleetmod_pack_reply_head(&o.pk, 0, "p", "success");
    fleetmod_out_finish(&o, sink_write, &s, FLEETMOD_OK);
    msgpack_object m = got_map(&s, &zone);
    assert_true(str_is(fleetmod_msg_map_get(&m, "status"), "batch"));
    assert_true(fleetmod_msg_map_get(&m, "terminal")->via.boolean);
    assert_true(str_is(fleetmod_msg_map_get(&m, "request_id"), "job-42"));
    assert_int_equal(fleetmod_msg_map_get(&m, "results")->via.array.size, 2);
    msgpack_zone_destroy(&zone);
    msgpack_sbuffer_destroy(&s.got);
}

static void the_fork_guard_refuses_a_child(void **state)
{
    struct fleetmod_fork_guard g;
    int status;
    pid_t pid;

    (void)state;
    fleetmod_fork_guard_init(&g);
    assert_true(fleetmod_fork_guard_ours(&g));
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fleetmod_fork_guard_ours(&g) ? 1 : 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(fleetmod_fork_guard_ours(&g)); /* the parent's still */
}

static char logged[2 * FLEETMOD_LOG_LINE];

static void on_log(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    snprintf(logged, sizeof logged, "%s", msg);
}

static void a_log_line_stays_one_line_and_is_cut(void **state)
{
    struct fleetmod_host host = {sizeof host, NULL, on_log};
    struct fleetmod_host old = {offsetof(struct fleetmod_host, log), NULL,
                                on_log};
    struct fleetmod_log log = fleetmod_log_of(&host);
    char big[3000];

    (void)state;
    fleetmod_logf(&log, 6, "vin=%s", "A\nB\rC\x7f");
    assert_string_equal(logged, "vin=A?B?C?");
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    fleetmod_logf(&log, 6, "%s", big);
    assert_int_equal(strlen(logged), FLEETMOD_LOG_LINE - 1);
    /* a host whose struct ends before log: nothing is read of it */
    assert_null(fleetmod_log_of(&old).fn);
    assert_null(fleetmod_log_of(NULL).fn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_reply_reaches_the_host_in_one_write_also_when_large),
        cmocka_unit_test(a_failed_host_write_is_enomem),
        cmocka_unit_test(the_error_map_answers_from_the_table),
        cmocka_unit_test(
            terminal_is_false_only_while_a_command_may_still_change),
        cmocka_unit_test(the_batch_head_echoes_request_id_and_counts_results),
        cmocka_unit_test(the_fork_guard_refuses_a_child),
        cmocka_unit_test(a_log_line_stays_one_line_and_is_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
