/*
 * validate.h - the shapes of what the module puts in a URL or a signed
 * body: a VIN, a command name and a command id.
 *
 * Each shape is checked in one place, so that what send accepts from a
 * host, what status accepts from a host and what the module accepts from
 * Mobway's answers are the same rule. All functions read at most a few
 * bytes past the longest accepted value, so a hostile megabyte costs
 * nothing, and never allocate.
 */
#ifndef MW_VALIDATE_H
#define MW_VALIDATE_H

#include <stdbool.h>

enum mw_vin_check {
    MW_VIN_ISO3779, /* 17 characters, digits and capitals without I, O, Q */
    MW_VIN_LOOSE    /* 1 to 64 printable ASCII characters */
};

/* Longest command id accepted (a UUID is 36). */
#define MW_ID_MAX 64

/* Whether vin passes check. NULL is not valid. */
bool mw_vin_valid(enum mw_vin_check check, const char *vin);

/* [a-z0-9_]{1,64}: the shape of a command name. NULL is not valid. */
bool mw_command_valid(const char *command);

/* [0-9A-Fa-f-]{1,64}: a command id (Mobway's are UUIDs) that can be put
 * in GET /vehicle-command/{id} as it is. NULL is not valid. */
bool mw_id_valid(const char *id);

#endif
