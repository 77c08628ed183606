/*
 * test_errmap.c - every error text of the seed maps to its rc, the text
 * before the HTTP status; the status decides only when the text is unknown;
 * delivered follows the rc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "errmap.h"

static void seed_texts_map_to_their_rc(void **state)
{
    static const struct {
        const char *text;
        fleetmod_rc rc;
    } seed[] = {
        {"Invalid VIN. VIN must be a string. At least one VIN is required.",
         FLEETMOD_EINVAL},
        {"Invalid command. Command must be a string. At least one command is "
         "required.",
         FLEETMOD_EINVAL},
        {"VIN not found or unauthorized access.", FLEETMOD_EDENIED},
        {"Command not found or unauthorized access.", FLEETMOD_EDENIED},
        {"Sign-secret not found.", FLEETMOD_EAUTH},
        {"X-Signature invalid.", FLEETMOD_EAUTH},
        {"Failed to send command to the OEM.", FLEETMOD_EPROVIDER},
        {"Failed to initiate command with the OEM or retrieve status URL.",
         FLEETMOD_EPROVIDER},
        {"Confirmation invalid", FLEETMOD_ECONFIRM},
        {"Confirmation already used", FLEETMOD_ECONFIRM},
    };

    (void)state;
    for (size_t i = 0; i < sizeof seed / sizeof seed[0]; i++) {
        assert_int_equal(mw_errmap_text(seed[i].text), seed[i].rc);
        /* the text wins over any status it came with */
        assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 400, seed[i].text),
                         seed[i].rc);
        assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 500, seed[i].text),
                         seed[i].rc);
    }
}

static void near_misses_are_not_seed_texts(void **state)
{
    (void)state;
    assert_int_equal(mw_errmap_text(NULL), FLEETMOD_OK);
    assert_int_equal(mw_errmap_text("VIN not found"), FLEETMOD_OK);
    assert_int_equal(mw_errmap_text("X-Signature invalid"), FLEETMOD_OK);
    assert_int_equal(mw_errmap_text("Confirmation invalid!"), FLEETMOD_OK);
    assert_int_equal(mw_errmap_text("x-signature invalid."), FLEETMOD_OK);
}

static void status_decides_when_text_is_unknown(void **state)
{
    (void)state;
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 401, "nope"),
                     FLEETMOD_EAUTH);
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 403, NULL),
                     FLEETMOD_EAUTH);
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 429, NULL),
                     FLEETMOD_ERATELIMIT);
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 500, NULL),
                     FLEETMOD_EUNKNOWN);
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 503, "busy"),
                     FLEETMOD_EUNKNOWN);
    /* a redirect is not followed: the command may have run */
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 302, NULL),
                     FLEETMOD_EUNKNOWN);
    /* a 2xx that reached errmap had no usable body */
    assert_int_equal(mw_errmap_http(MW_ROUTE_COMMAND, 200, NULL),
                     FLEETMOD_EUNKNOWN);
}

static void status_404_is_not_found_whatever_its_text(void **state)
{
    (void)state;
    assert_int_equal(mw_errmap_http(MW_ROUTE_STATUS, 404, NULL),
                     FLEETMOD_ENOTFOUND);
    assert_int_equal(mw_errmap_http(MW_ROUTE_STATUS, 404,
                                    "VIN not found or unauthorized "
                                    "access."),
                     FLEETMOD_ENOTFOUND);
}

static void token_failures_never_claim_delivery(void **state)
{
    (void)state;
    assert_int_equal(mw_errmap_http(MW_ROUTE_TOKEN, 401, NULL), FLEETMOD_EAUTH);
    assert_int_equal(mw_errmap_http(MW_ROUTE_TOKEN, 400, "bad credentials"),
                     FLEETMOD_EAUTH);
    assert_int_equal(mw_errmap_http(MW_ROUTE_TOKEN, 500, NULL),
                     FLEETMOD_EUNREACHABLE);
    assert_int_equal(mw_errmap_http(MW_ROUTE_TOKEN, 200, NULL),
                     FLEETMOD_EUNREACHABLE);
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_EUNREACHABLE), "no");
}

static void delivered_follows_rc(void **state)
{
    (void)state;
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_OK), "yes");
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_EPROVIDER), "yes");
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_EUNKNOWN), "unknown");
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_EDENIED), "no");
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_ERATELIMIT), "no");
    assert_string_equal(fleetmod_rc_delivered(FLEETMOD_ECONFIRM), "no");
}

static void names_match_the_contract(void **state)
{
    (void)state;
    assert_string_equal(fleetmod_error_name(FLEETMOD_EDENIED), "EDENIED");
    assert_string_equal(fleetmod_error_name(FLEETMOD_EUNREACHABLE),
                        "EUNREACHABLE");
    assert_string_equal(fleetmod_error_name(FLEETMOD_EINTERNAL), "EINTERNAL");
    assert_string_equal(fleetmod_error_name((fleetmod_rc)99), "EINTERNAL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_texts_map_to_their_rc),
        cmocka_unit_test(near_misses_are_not_seed_texts),
        cmocka_unit_test(status_decides_when_text_is_unknown),
        cmocka_unit_test(status_404_is_not_found_whatever_its_text),
        cmocka_unit_test(token_failures_never_claim_delivery),
        cmocka_unit_test(delivered_follows_rc),
        cmocka_unit_test(names_match_the_contract),
    };
    return cmocka_run_group_tests_name("mobway errmap", tests, NULL, NULL);
}
