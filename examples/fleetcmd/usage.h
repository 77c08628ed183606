/*
 * usage.h - fleetcmd --help and --version.
 */
#ifndef FLEETCMD_USAGE_H
#define FLEETCMD_USAGE_H

#include <stdbool.h>
#include <stdio.h>

/* The manual: synopsis, every option, exit codes, environment, examples. */
void fc_usage_print(FILE *out);

/* One command's page (name: "send", "confirm", "status", "modules",
 * "journal", "reconcile"):
 * its synopsis, what it does, its own options, the exit statuses in
 * short. fc_usage_has_topic says whether there is one. */
bool fc_usage_has_topic(const char *name);
void fc_usage_topic(FILE *out, const char *name);

/* Print "fleetcmd: WHY" and a hint to --help on stderr; returns
 * FC_EXIT_USAGE. For everything wrong before a module is loaded: the
 * command line and the list file of a batch. */
int fc_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The same without the hint, for a list file that is wrong: the command
 * line was right, and --help would not help. */
int fc_input_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "fleetcmd 1.0.0 (libfleetmod 1.0.0)" */
void fc_version_print(FILE *out);

#endif
