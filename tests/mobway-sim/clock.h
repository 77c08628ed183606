/* Wall-clock functions: Mobway speaks Brasília time (UTC-3, no DST since
 * 2019), formatted "YYYY-MM-DD HH:MM:SS" with no zone marker. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stdint.h>

/* Length of "YYYY-MM-DD HH:MM:SS" plus its terminator. */
#define CLOCK_BRT_LEN 20
/* Length of "YYYY-MM-DDTHH:MM:SS.ffffff" plus its terminator. */
#define CLOCK_BRT_US_LEN 27

/* Microseconds since the epoch (CLOCK_REALTIME). */
int64_t clock_now_us(void);

/* Milliseconds since the epoch (CLOCK_REALTIME). */
int64_t clock_now_ms(void);

/* Formats ms (epoch) as UTC-3 "YYYY-MM-DD HH:MM:SS". */
void clock_brt(int64_t ms, char out[CLOCK_BRT_LEN]);

/* Formats us (epoch) as UTC-3 "YYYY-MM-DDTHH:MM:SS.ffffff", the shape of
 * the "expiration" claim in the tokens the docs show. Fixed width, so two
 * such strings compare chronologically with strcmp. */
void clock_brt_us(int64_t us, char out[CLOCK_BRT_US_LEN]);

#endif
