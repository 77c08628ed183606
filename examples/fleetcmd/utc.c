/*
 * utc.c - epoch seconds for people.
 */
#include "utc.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

const char *fc_utc(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == 0)
        snprintf(buf, len, "-");
    else if (!gmtime_r(&tt, &tm) ||
             strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "%" PRId64, t);
    return buf;
}
