/* The command table: every command registered by POST /vehicle-command,
 * its confirmation codes and its execution count. Bounded: a fixed number
 * of slots reused oldest first, and a command older than the time to live
 * is gone. One mutex; each operation is a few memory accesses. */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define STORE_ID_LEN 37
#define STORE_CODE_LEN 7

struct store;

struct store_cmd {
    char id[STORE_ID_LEN]; /* UUID v4, lowercase */
    int company;
    int vehicle;
    int cmd;
    int64_t created_ms;
    int64_t exec_ms; /* 0 while the command waits for its confirmation */
    unsigned executions;
};

enum store_confirm { CONFIRM_OK, CONFIRM_INVALID, CONFIRM_USED };

/* NULL when out of memory. cap: commands kept; ttl_ms: their lifetime. */
struct store *store_new(size_t cap, int64_t ttl_ms);
void store_free(struct store *st);

/* Registers a new command under a fresh id and, when execute is true,
 * counts its execution now. -1 if no random id could be drawn. */
int store_register(struct store *st, int company, int vehicle, int cmd,
                   bool execute, struct store_cmd *out);

/* Draws a 6-digit code for a command registered without executing; the
 * code confirms exactly that command (company, vehicle, command) once,
 * within ttl_ms. */
int store_issue_code(struct store *st, const struct store_cmd *cmd,
                     int64_t ttl_ms, char code[STORE_CODE_LEN]);

/* Takes code for (company, vehicle, cmd): on CONFIRM_OK the waiting command
 * is executed and copied to out. A wrong or expired code is
 * CONFIRM_INVALID, a code taken before CONFIRM_USED. */
enum store_confirm store_confirm(struct store *st, int company, int vehicle,
                                 int cmd, const char *code,
                                 struct store_cmd *out);

/* Copies the command id of company to out; false if unknown, expired or
 * another company's. */
bool store_get(struct store *st, const char *id, int company,
               struct store_cmd *out);

/* Adds "commands_registered", "executions" ({id: n}) and "max_executions"
 * to obj. */
void store_add_json(struct store *st, json_t *obj);

/* Forgets every command and code and zeroes the counters. */
void store_reset(struct store *st);

#endif
