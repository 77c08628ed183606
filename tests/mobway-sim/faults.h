/* Faults injected on demand into POST /vehicle-command, set with --fault
 * NAME=VALUE or at run time with POST /_sim/faults. Every fault but latency
 * and hold is a percentage of requests (0..100), drawn independently per
 * request; those two are milliseconds. */
#ifndef SIM_FAULTS_H
#define SIM_FAULTS_H

#include <jansson.h>
#include <stdbool.h>

enum sim_fault {
    FAULT_LATENCY,      /* ms added before the request is handled */
    FAULT_STATUS5XX,    /* 503 {"detail": ...} before anything is checked */
    FAULT_RESET_BEFORE, /* connection closed, nothing registered */
    FAULT_RESET_AFTER,  /* registered and executed, then closed unanswered */
    FAULT_MALFORMED,    /* registered, answered 200 with a non-JSON body */
    FAULT_OVERSIZE,     /* registered, answered 200 with a 2 MiB body */
    FAULT_RATELIMIT,    /* 429 with Retry-After: 1 */
    FAULT_HOLD,         /* ms the answer of an executed command is held */
    FAULT_COUNT
};

/* Parses "name=value" (names as in --help: latency, status5xx,
 * reset-before, reset-after, malformed, oversize, ratelimit, hold) and sets it.
 * -1 on an unknown name or a value out of range. */
int faults_parse_spec(const char *spec);

/* Applies a JSON object {"name": value, ...} or {"clear": true}; on error
 * returns -1 with a sentence in err and changes nothing. */
int faults_apply_json(const json_t *body, char *err, size_t err_len);

/* The current settings as a JSON object (new reference). */
json_t *faults_json(void);

long faults_get(enum sim_fault fault);

/* True for the share of calls the fault's percentage asks for. */
bool faults_roll(enum sim_fault fault);

#endif
