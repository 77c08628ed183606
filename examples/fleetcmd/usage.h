/*
 * usage.h - fleetcmd --help and --version.
 */
#ifndef FLEETCMD_USAGE_H
#define FLEETCMD_USAGE_H

#include <stdio.h>

/* The manual: synopsis, every option, exit codes, environment, examples. */
void fc_usage_print(FILE *out);

/* "fleetcmd 1.0.0 (libfleetmod 1.0.0)" */
void fc_version_print(FILE *out);

#endif
