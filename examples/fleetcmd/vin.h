/*
 * vin.h - a VIN as the operator typed it, as providers read it.
 */
#ifndef FLEETCMD_VIN_H
#define FLEETCMD_VIN_H

/* Upper-case the ASCII letters of vin in place: a VIN has no lower-case
 * letters (ISO 3779), so "wp0zzz..." typed by hand means "WP0ZZZ...", and a
 * provider would refuse it. Returns vin. */
char *fc_vin_upcase(char *vin);

#endif
