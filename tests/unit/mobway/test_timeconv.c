/*
 * test_timeconv.c - timeconv.c, Mobway's UTC-3 "YYYY-MM-DD HH:MM:SS" to
 * Unix seconds: plain calendar arithmetic across day, month, year and
 * leap-day rollovers, strict about the format, and blind to the TZ
 * variable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "timeconv.h"

static int64_t conv(const char *s)
{
    int64_t t = -1;
    assert_int_equal(mw_utc3_to_unix(s, &t), 0);
    return t;
}

static void brasilia_midnight_is_three_hours_after_utc(void **state)
{
    (void)state;
    assert_int_equal(conv("1970-01-01 00:00:00"), 3 * 3600);
}

static void docs_example_converts(void **state)
{
    (void)state;
    /* 2023-02-14 09:52:48 -03:00 is 12:52:48 UTC */
    assert_int_equal(conv("2023-02-14 09:52:48"), 1676379168);
}

static void evening_rolls_over_to_next_utc_day(void **state)
{
    (void)state;
    /* 21:00 on the 14th in Brasilia is 00:00 UTC on the 15th */
    assert_int_equal(conv("2023-02-14 21:00:00"), 1676419200);
}

static void month_and_year_rollovers(void **state)
{
    (void)state;
    assert_int_equal(conv("2023-01-31 23:59:59"), 1675220399); /* 02-01 UTC */
    assert_int_equal(conv("2023-12-31 22:30:00"), 1704072600); /* 2024 UTC */
}

static void leap_days(void **state)
{
    (void)state;
    assert_int_equal(conv("2024-02-29 12:00:00"), 1709218800);
    assert_int_equal(conv("2024-02-29 21:00:00"), 1709251200); /* 03-01 UTC */
    assert_int_equal(conv("2000-02-29 00:00:00"), 951793200);  /* 400-year */
}

static void non_dates_are_refused(void **state)
{
    static const char *bad[] = {
        "2023-02-29 00:00:00", /* not a leap year */
        "1900-02-29 00:00:00", /* century, not a leap year; before 1970 */
        "2100-02-29 00:00:00", /* century, not a leap year */
        "2023-13-01 00:00:00",
        "2023-00-10 00:00:00",
        "2023-04-31 00:00:00",
        "2023-01-01 24:00:00",
        "2023-01-01 00:60:00",
        "2023-01-01 00:00:60",
        "2023-01-01T00:00:00",
        "2023-01-01 00:00:00Z",
        "2023-1-01 00:00:00",
        "2023-01-01 00:00",
        "",
        "abcd-ef-gh ij:kl:mn",
        "1969-12-31 23:59:59",
        "2023-01-01 0a:00:00",
        "+023-01-01 00:00:00",
    };
    int64_t t = 42;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mw_utc3_to_unix(bad[i], &t), -1);
        assert_int_equal(t, 42);
    }
}

static void tz_variable_changes_nothing(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Tokyo", 1);
    assert_int_equal(conv("2023-02-14 09:52:48"), 1676379168);
    unsetenv("TZ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(brasilia_midnight_is_three_hours_after_utc),
        cmocka_unit_test(docs_example_converts),
        cmocka_unit_test(evening_rolls_over_to_next_utc_day),
        cmocka_unit_test(month_and_year_rollovers),
        cmocka_unit_test(leap_days),
        cmocka_unit_test(non_dates_are_refused),
        cmocka_unit_test(tz_variable_changes_nothing),
    };
    return cmocka_run_group_tests_name("mobway time", tests, NULL, NULL);
}
