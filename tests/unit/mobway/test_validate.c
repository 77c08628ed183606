/*
 * test_validate.c - the shapes of a VIN, a command name and a command id:
 * what the module puts in a signed body or a URL path, whoever gave it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

static void vin_shapes(void **state)
{
    (void)state;
    assert_true(mw_vin_valid(MW_VIN_ISO3779, "6AHFT68CKAF501652"));
    assert_false(mw_vin_valid(MW_VIN_ISO3779, "6AHFT68CKAF50165"));
    assert_false(mw_vin_valid(MW_VIN_ISO3779, "6AHFT68CKAF5016521"));
    assert_false(mw_vin_valid(MW_VIN_ISO3779, "6AHFT68CKAF50165I"));
    assert_false(mw_vin_valid(MW_VIN_ISO3779, "6ahft68ckaf501652"));
    assert_true(mw_vin_valid(MW_VIN_LOOSE, "a \"b\\"));
    assert_false(mw_vin_valid(MW_VIN_LOOSE, ""));
    assert_false(mw_vin_valid(MW_VIN_LOOSE, "tab\there"));
    assert_false(mw_vin_valid(MW_VIN_LOOSE, "\xc3\xa9"));
    assert_false(mw_vin_valid(MW_VIN_LOOSE, NULL));
}

static void command_shapes(void **state)
{
    char longest[66];

    (void)state;
    assert_true(mw_command_valid("disable_ignition"));
    assert_false(mw_command_valid("Lock"));
    assert_false(mw_command_valid(""));
    assert_false(mw_command_valid("a-b"));
    assert_false(mw_command_valid(NULL));
    memset(longest, 'a', 64);
    longest[64] = '\0';
    assert_true(mw_command_valid(longest));
    strcpy(longest + 64, "a");
    assert_false(mw_command_valid(longest));
}

static void id_shapes(void **state)
{
    char id[MW_ID_MAX + 2];

    (void)state;
    assert_true(mw_id_valid("8619b2df-1d68-40e1-8760-cf36f06d00b5"));
    assert_true(mw_id_valid("8619B2DF-1D68-40E1-8760-CF36F06D00B5"));
    assert_false(mw_id_valid(""));
    assert_false(mw_id_valid(NULL));
    assert_false(mw_id_valid("../../token?x=1"));
    assert_false(mw_id_valid("8619b2df/1d68"));
    assert_false(mw_id_valid("8619b2df 1d68"));
    assert_false(mw_id_valid("zz"));
    memset(id, 'a', MW_ID_MAX);
    id[MW_ID_MAX] = '\0';
    assert_true(mw_id_valid(id));
    strcpy(id + MW_ID_MAX, "a");
    assert_false(mw_id_valid(id));
}

/* A hostile megabyte is refused after the first characters beyond the
 * limit, which also proves the check does not need the text's end. */
static void long_values_are_refused(void **state)
{
    size_t n = 500 * 1024;
    char *big = malloc(n + 1);

    (void)state;
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = '\0';
    assert_false(mw_id_valid(big));
    assert_false(mw_command_valid(big));
    assert_false(mw_vin_valid(MW_VIN_LOOSE, big));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vin_shapes),
        cmocka_unit_test(command_shapes),
        cmocka_unit_test(id_shapes),
        cmocka_unit_test(long_values_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
