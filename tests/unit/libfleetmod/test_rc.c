/*
 * test_rc.c - rc.c, the names and texts of the return codes: every rc of
 * the contract has its own, and libfleetmod names each value exactly as
 * module.h does, so a stack's replies and a module's agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fleetmod/host.h>

static void every_rc_has_a_name_and_text(void **state)
{
    (void)state;
    assert_string_equal(fleetmod_rc_name(FLEETMOD_EDENIED), "EDENIED");
    assert_string_equal(fleetmod_rc_name(FLEETMOD_EINTERNAL), "EINTERNAL");
    for (int rc = 0; rc < FLEETMOD_RC_COUNT; rc++) {
        assert_string_not_equal(fleetmod_rc_name((fleetmod_rc)rc),
                                "EUNKNOWNRC");
        assert_string_not_equal(fleetmod_strerror((fleetmod_rc)rc),
                                fleetmod_strerror((fleetmod_rc)-1));
    }
}

/* A stack's reply (named by libfleetmod) and a module's (named by
 * module.h) must name every rc alike, the unknown ones included. */
static void rc_name_is_the_contracts_name_for_every_value(void **state)
{
    (void)state;
    const int values[] = {0,
                          4,
                          FLEETMOD_RC_COUNT - 1,
                          FLEETMOD_RC_COUNT,
                          FLEETMOD_RC_COUNT + 7,
                          1000,
                          -1};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        fleetmod_rc rc = (fleetmod_rc)values[i];
        assert_string_equal(fleetmod_rc_name(rc), fleetmod_error_name(rc));
    }
    assert_string_equal(fleetmod_rc_name((fleetmod_rc)-1), "EINTERNAL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_rc_has_a_name_and_text),
        cmocka_unit_test(rc_name_is_the_contracts_name_for_every_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
