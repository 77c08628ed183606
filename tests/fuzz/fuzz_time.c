/*
 * fuzz_time.c - Mobway's UTC-3 times (mw_utc3_to_unix) on any string.
 *
 * An accepted time must be the one it names: the result, shifted back to
 * UTC-3 and printed by gmtime_r, gives the input again, byte for byte.
 * A rejection cannot be checked that simply; the sanitizers watch it.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeconv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), back[64];
    int64_t t = 0;
    time_t local;
    struct tm tm;

    assert(s);
    memcpy(s, data, size);
    s[size] = '\0';
    if (mw_utc3_to_unix(s, &t) == 0) {
        local = (time_t)(t - 3 * 3600);
        assert(gmtime_r(&local, &tm));
        assert(strftime(back, sizeof back, "%Y-%m-%d %H:%M:%S", &tm) > 0);
        assert(strcmp(back, s) == 0);
    }
    free(s);
    return 0;
}
