#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define BRT_OFFSET_S (-3 * 3600)

int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_now_ms(void)
{
    return clock_now_us() / 1000;
}

static void brt_tm(int64_t seconds, struct tm *tm)
{
    time_t t = (time_t)(seconds + BRT_OFFSET_S);
    gmtime_r(&t, tm);
}

void clock_brt(int64_t ms, char out[CLOCK_BRT_LEN])
{
    struct tm tm;
    brt_tm(ms / 1000, &tm);
    strftime(out, CLOCK_BRT_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}

void clock_brt_us(int64_t us, char out[CLOCK_BRT_US_LEN])
{
    struct tm tm;
    char micro[16];
    brt_tm(us / 1000000, &tm);
    strftime(out, CLOCK_BRT_US_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(micro, sizeof micro, ".%06u", (unsigned)(us % 1000000));
    memcpy(out + CLOCK_BRT_LEN - 1, micro, 8);
}
