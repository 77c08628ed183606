/*
 * test_answer.c - Mobway's answers, as they come off the wire, into reply
 * fields: a command POST taken without a usable id is EUNKNOWN (it may
 * have been registered, and the host could never follow it up); a status
 * answer names its vehicle and command; integers beyond 64 bits do not
 * turn a good answer into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/msgmap.h"
#include "answer.h"

#define UUID "8619b2df-1d68-40e1-8760-cf36f06d00b5"

/* r (initialised with vin and command, each may be NULL) filled from a
 * 200 answer with body on route. */
static fleetmod_rc answer(enum mw_route route, const char *body,
                          struct mw_reply *r, const char *vin,
                          const char *command)
{
    struct mw_exchange ex = {.route = route,
                             .outcome = MW_ANSWERED,
                             .status = 200,
                             .resp = (char *)body,
                             .resp_len = strlen(body)};

    mw_reply_init(r, NULL, vin, command);
    return mw_answer_read(&ex, r);
}

static void pending_with_a_uuid_is_ok(void **state)
{
    struct mw_reply r;

    (void)state;
    assert_int_equal(answer(MW_ROUTE_COMMAND,
                            "{\"id\":\"" UUID "\",\"status\":\"Pending\"}", &r,
                            "6AHFT68CKAF501652", "location"),
                     FLEETMOD_OK);
    assert_string_equal(r.status, "pending");
    assert_string_equal(r.id, UUID);
    mw_reply_free(&r);
}

static void taken_without_a_usable_id_is_unknown(void **state)
{
    static const char *const ids[] = {
        "",             /* no id member */
        "\"id\":null,", /* null */
        "\"id\":42,",   /* a number */
        "\"id\":\"\",", /* empty */
        "\"id\":\"../../token?x=1\",",
        "\"id\":{\"a\":1},",
    };
    static const char *const statuses[] = {"Pending", "Success"};
    struct mw_reply r;
    char body[256];

    (void)state;
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            snprintf(body, sizeof body, "{%s\"status\":\"%s\"}", ids[i],
                     statuses[s]);
            if (answer(MW_ROUTE_COMMAND, body, &r, "6AHFT68CKAF501652",
                       "location") != FLEETMOD_EUNKNOWN)
                fail_msg("%s: rc %d, not EUNKNOWN", body, r.rc);
            assert_string_equal(r.status, "failed");
            assert_null(r.id);
            assert_non_null(strstr(r.err_message, "no usable command id"));
            mw_reply_free(&r);
        }
}

static void a_huge_id_is_unknown(void **state)
{
    size_t n = 500 * 1024;
    char *body = malloc(n + 64);
    struct mw_reply r;

    (void)state;
    assert_non_null(body);
    strcpy(body, "{\"status\":\"Pending\",\"id\":\"");
    memset(body + strlen(body), 'a', n);
    strcpy(body + 26 + n, "\"}");
    assert_int_equal(
        answer(MW_ROUTE_COMMAND, body, &r, "6AHFT68CKAF501652", "location"),
        FLEETMOD_EUNKNOWN);
    assert_null(r.id);
    mw_reply_free(&r);
    free(body);
}

/* The module's status would refuse these ids: a reply must not carry one
 * back to the host, whatever the status. */
static void any_unusable_id_is_unknown(void **state)
{
    struct mw_reply r;

    (void)state;
    assert_int_equal(answer(MW_ROUTE_STATUS,
                            "{\"id\":\"../x\",\"status\":\"Success\"}", &r,
                            NULL, NULL),
                     FLEETMOD_EUNKNOWN);
    assert_null(r.id);
    mw_reply_free(&r);
}

/* Nothing to follow up: a confirmation asks for a second step, and an
 * error with its own text failed there. */
static void confirmation_and_error_need_no_id(void **state)
{
    struct mw_reply r;

    (void)state;
    assert_int_equal(answer(MW_ROUTE_COMMAND,
                            "{\"status\":\"Confirmation\",\"code\":\"123456\","
                            "\"message\":\"Confirma?\"}",
                            &r, "6AHFT68CKAF501652", "enable_ignition"),
                     FLEETMOD_OK);
    assert_string_equal(r.status, "confirmation");
    mw_reply_free(&r);
    assert_int_equal(answer(MW_ROUTE_COMMAND,
                            "{\"status\":\"Error\",\"detail\":\"OEM down\"}",
                            &r, "6AHFT68CKAF501652", "location"),
                     FLEETMOD_OK);
    assert_string_equal(r.status, "error");
    mw_reply_free(&r);
}

/* The reply map as the host sees it. */
static void pack(const struct mw_reply *r, msgpack_sbuffer *buf,
                 msgpack_unpacked *msg)
{
    msgpack_packer pk;

    msgpack_sbuffer_init(buf);
    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    assert_int_equal(mw_reply_pack(&pk, "mobway", r), 0);
    msgpack_unpacked_init(msg);
    assert_int_equal(msgpack_unpack_next(msg, buf->data, buf->size, NULL),
                     MSGPACK_UNPACK_SUCCESS);
}

static void assert_str(const msgpack_object *o, const char *want)
{
    assert_non_null(o);
    assert_int_equal(o->type, MSGPACK_OBJECT_STR);
    assert_int_equal(o->via.str.size, strlen(want));
    assert_memory_equal(o->via.str.ptr, want, strlen(want));
}

static void status_reply_names_vin_and_command(void **state)
{
    struct mw_reply r;
    msgpack_sbuffer buf;
    msgpack_unpacked msg;

    (void)state;
    assert_int_equal(answer(MW_ROUTE_STATUS,
                            "{\"id\":\"" UUID
                            "\",\"vin\":\"6AHFT68CKAF501652\","
                            "\"command\":\"lock_door\",\"status\":\"Success\"}",
                            &r, NULL, NULL),
                     FLEETMOD_OK);
    assert_non_null(r.vin);
    assert_non_null(r.command);
    assert_string_equal(r.vin, "6AHFT68CKAF501652");
    assert_string_equal(r.command, "lock_door");
    /* a later poll's answer keeps them */
    mw_reply_clear_answer(&r);
    assert_string_equal(r.vin, "6AHFT68CKAF501652");
    pack(&r, &buf, &msg);
    assert_str(msgmap_get(&msg.data, "vin"), "6AHFT68CKAF501652");
    assert_str(msgmap_get(&msg.data, "command"), "lock_door");
    msgpack_unpacked_destroy(&msg);
    msgpack_sbuffer_destroy(&buf);
    mw_reply_free(&r);
}

/* They reach log lines: a vin with a line break or a command that is no
 * command name is left out, not failed. */
static void odd_vin_and_command_are_left_out(void **state)
{
    struct mw_reply r;

    (void)state;
    assert_int_equal(answer(MW_ROUTE_STATUS,
                            "{\"vin\":\"6AH\\nFAKE\",\"command\":\"Lock Door\","
                            "\"status\":\"Pending\"}",
                            &r, NULL, NULL),
                     FLEETMOD_OK);
    assert_null(r.vin);
    assert_null(r.command);
    mw_reply_free(&r);
}

static void integers_beyond_64_bits_keep_the_answer(void **state)
{
    struct mw_reply r;
    msgpack_sbuffer buf;
    msgpack_unpacked msg;
    const msgpack_object *detail, *n;

    (void)state;
    assert_int_equal(
        answer(MW_ROUTE_STATUS,
               "{\"id\":\"" UUID "\",\"status\":\"Success\",\"detail\":"
               "{\"big\":18446744073709551616,\"neg\":-9223372036854775809,"
               "\"max\":9223372036854775807,\"small\":7}}",
               &r, NULL, NULL),
        FLEETMOD_OK);
    assert_string_equal(r.status, "success");
    pack(&r, &buf, &msg);
    detail = msgmap_get(&msg.data, "detail");
    assert_str(msgmap_get(detail, "big"), "18446744073709551616");
    assert_str(msgmap_get(detail, "neg"), "-9223372036854775809");
    n = msgmap_get(detail, "max");
    assert_non_null(n);
    assert_int_equal(n->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_true(n->via.u64 == INT64_MAX);
    n = msgmap_get(detail, "small");
    assert_non_null(n);
    assert_int_equal(n->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(n->via.u64, 7);
    msgpack_unpacked_destroy(&msg);
    msgpack_sbuffer_destroy(&buf);
    mw_reply_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pending_with_a_uuid_is_ok),
        cmocka_unit_test(taken_without_a_usable_id_is_unknown),
        cmocka_unit_test(a_huge_id_is_unknown),
        cmocka_unit_test(any_unusable_id_is_unknown),
        cmocka_unit_test(confirmation_and_error_need_no_id),
        cmocka_unit_test(status_reply_names_vin_and_command),
        cmocka_unit_test(odd_vin_and_command_are_left_out),
        cmocka_unit_test(integers_beyond_64_bits_keep_the_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
