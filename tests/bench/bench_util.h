/*
 * bench_util.h - clocks and memory figures shared by the bench drivers.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdint.h>

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

/* The process's resident set (VmRSS) or its peak (VmHWM), in KiB, from
 * /proc/self/status; -1 when unreadable. */
long bench_rss_kib(void);
long bench_peak_rss_kib(void);

/* Dies with a message on stderr (a bench that cannot run must not print a
 * figure). */
_Noreturn void bench_die(const char *fmt, ...);

#endif
