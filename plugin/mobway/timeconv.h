/*
 * timeconv.h - Mobway's timestamps to Unix seconds.
 *
 * Mobway writes every time as "YYYY-MM-DD HH:MM:SS" in UTC-3 (Brasilia,
 * without daylight saving since 2019). The conversion is plain calendar
 * arithmetic: no TZ variable, no mktime, no process state touched.
 */
#ifndef MW_TIMECONV_H
#define MW_TIMECONV_H

#include <stdint.h>

/* Parses s (exactly "YYYY-MM-DD HH:MM:SS", a real calendar date, year
 * 1970..9999) as UTC-3 into *out, seconds since the epoch (UTC).
 * Returns 0, or -1 when s is not such a time. */
int mw_utc3_to_unix(const char *s, int64_t *out);

#endif
