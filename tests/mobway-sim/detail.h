/* What GET /vehicle-command/{id} reports once a command has run: the
 * success detail shaped as the docs show for each command, or the text of
 * a failing vehicle. */
#ifndef SIM_DETAIL_H
#define SIM_DETAIL_H

#include <jansson.h>

/* The "Error" detail of a vehicle whose fixture says fail = error. */
extern const char detail_vehicle_error[];

/* The success detail of cmd (enum sim_cmd) executed at date_time (UTC-3
 * "YYYY-MM-DD HH:MM:SS"); a new reference. */
json_t *detail_success(int cmd, const char *date_time);

#endif
