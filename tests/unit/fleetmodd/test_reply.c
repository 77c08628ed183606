/*
 * test_reply.c - fleetmodd's answers (service/fleetmodd/reply.c): the HTTP
 * status of every rc is fleetmodd(8)'s table, and the service's own error
 * answers are reply maps with error.delivered "no".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "fmd.h"

static void every_rc_has_the_documented_status(void **st)
{
    (void)st;
    static const struct {
        fleetmod_rc rc;
        int status;
    } table[] = {{FLEETMOD_EINVAL, 400},       {FLEETMOD_EREFUSED, 409},
                 {FLEETMOD_EDENIED, 403},      {FLEETMOD_ENOTFOUND, 404},
                 {FLEETMOD_ECONFIRM, 422},     {FLEETMOD_ERATELIMIT, 429},
                 {FLEETMOD_EUNREACHABLE, 503}, {FLEETMOD_EUNKNOWN, 504},
                 {FLEETMOD_EAUTH, 502},        {FLEETMOD_EPROVIDER, 502},
                 {FLEETMOD_ECONFIG, 500},      {FLEETMOD_ENOMEM, 500},
                 {FLEETMOD_EINTERNAL, 500},    {(fleetmod_rc)99, 500}};
    assert_int_equal(fmd_http_status(FLEETMOD_OK, false), 200);
    assert_int_equal(fmd_http_status(FLEETMOD_OK, true), 201);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_int_equal(fmd_http_status(table[i].rc, false), table[i].status);
        assert_int_equal(fmd_http_status(table[i].rc, true), table[i].status);
    }
}

static void an_error_answer_is_a_reply_map_delivered_no(void **st)
{
    (void)st;
    struct fmd_answer a = {0};
    fmd_answer_error(&a, 413, FLEETMOD_EINVAL, "over %d bytes", 1024);
    assert_int_equal(a.status, 413);
    json_t *o = json_loads(a.body, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "provider")),
                        "fleetmodd");
    assert_string_equal(json_string_value(json_object_get(o, "status")),
                        "failed");
    json_t *e = json_object_get(o, "error");
    assert_int_equal(json_integer_value(json_object_get(e, "code")), 1);
    assert_string_equal(json_string_value(json_object_get(e, "name")),
                        "EINVAL");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "over 1024 bytes");
    assert_string_equal(json_string_value(json_object_get(e, "delivered")),
                        "no");
    json_decref(o);
    free(a.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_rc_has_the_documented_status),
        cmocka_unit_test(an_error_answer_is_a_reply_map_delivered_no),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
