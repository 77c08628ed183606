/*
 * utc.h - a time for people: epoch seconds as ISO 8601 in UTC, the way
 * every reply and journal line of fleetcmd shows it.
 */
#ifndef FLEETCMD_UTC_H
#define FLEETCMD_UTC_H

#include <stddef.h>
#include <stdint.h>

/* t as "2026-05-01T12:00:03Z" in buf (32 bytes hold it), "-" for 0
 * (unset), the bare number when the C library cannot convert it; returns
 * buf. */
const char *fc_utc(int64_t t, char *buf, size_t len);

#endif
