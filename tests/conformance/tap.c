/*
 * tap.c - TAP-like report: one line per check, a summary, an exit status.
 * Only the main thread reports.
 */
#include <stdarg.h>
#include <stdio.h>

#include "conformance.h"

static int passed, failed;

void tap(const char *desc, const char *why)
{
    int n = passed + failed + 1;

    if (!why || !why[0]) {
        passed++;
        printf("ok %d - %s\n", n, desc);
    } else {
        failed++;
        printf("not ok %d - %s: ", n, desc);
        /* One line per check, whatever bytes a reason quotes. */
        for (const char *p = why; *p; p++)
            putchar((unsigned char)*p < 0x20 ? '?' : *p);
        putchar('\n');
    }
    fflush(stdout);
}

void tap_fail(const char *desc, const char *fmt, ...)
{
    char why[WHY_SIZE];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    tap(desc, why[0] ? why : "failed");
}

int tap_summary(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

int tap_bail(const char *why)
{
    printf("Bail out! %s\n", why);
    tap_summary();
    return 1;
}
