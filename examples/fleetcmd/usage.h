/*
 * usage.h - fleetcmd --help and --version.
 */
#ifndef FLEETCMD_USAGE_H
#define FLEETCMD_USAGE_H

#include <stdio.h>

/* The manual: synopsis, every option, exit codes, environment, examples. */
void fc_usage_print(FILE *out);

/* Print "fleetcmd: WHY" and a hint to --help on stderr; returns
 * FC_EXIT_USAGE. For everything wrong before a module is loaded: the
 * command line and the list file of a batch. */
int fc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "fleetcmd 1.0.0 (libfleetmod 1.0.0)" */
void fc_version_print(FILE *out);

#endif
