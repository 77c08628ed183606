/*
 * skeleton.h - the parts of the skeleton provider and how they fit.
 *
 * The skeleton is a complete fleetmod provider module that talks to no
 * backend: it keeps commands in memory and declares them done after
 * complete_ms. Copy this folder to start a provider for your OEM backend.
 *
 * The mechanics every module shares come from two installed headers, so
 * a provider copies none of them: fleetmod/msgcheck.h (the size check of
 * untrusted msgpack, unpacking, map lookup) and fleetmod/modutil.h (the
 * reply buffer, the reply's head and error map, the batch head, the fork
 * guard). Four files to copy, keep and rename (sk_ -> your prefix):
 *
 *   skeleton.c   the exported table and the three calls: fork guard,
 *                decode, dispatch, one reply, one log line per call.
 *   request.c    request bytes -> struct sk_request, every EINVAL rule of
 *                the contract.
 *   reply.c      struct sk_reply -> one msgpack map.
 *   skeleton.h   this file: the parts and how they fit.
 *
 * and what to write for your backend:
 *
 *   config.c     the ini file (inih). Replace the keys with your backend's
 *                (URL, account, secret file...), keep the refusal of
 *                unknown keys with file:line.
 *   commands.c   what send, confirm and status do. THIS is the file to
 *                replace: call your backend here.
 *   store.c      the in-memory command table and confirmation codes. A real
 *                provider asks its backend instead and drops most of it.
 *   test_skeleton.c  its tests (make check-skeleton); the contract's
 *                general rules are checked by fleetmod-conformance.
 *
 * Everything here is hidden (-fvisibility=hidden and skeleton.map): only
 * fleetmod_module_v1 leaves the .so.
 */
#ifndef SKELETON_H
#define SKELETON_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include <fleetmod/module.h>
#include <fleetmod/modutil.h>
#include <fleetmod/msgcheck.h>

/* The provider id: the table's name and every reply's "provider". */
#define SK_NAME "skeleton"

/* Buffer sizes, terminating NUL included. */
#define SK_VIN_SIZE 18     /* ISO 3779: 17 characters */
#define SK_COMMAND_SIZE 33 /* [a-z0-9_]{1,32} */
#define SK_CODE_SIZE 7     /* 6 digits */
#define SK_ID_SIZE 65      /* ids we accept in status: [A-Za-z0-9_-]{1,64} */
#define SK_TEXT_SIZE 200   /* a confirmation or error message */

/* Limits that keep memory and time bounded whatever a host sends. */
#define SK_MAX_COMMANDS 16       /* per vehicle in the ini file */
#define SK_MAX_BATCH 1000        /* items in one "vins" or "ids" */
#define SK_MAX_REQUEST_ID 128    /* bytes of an echoed request_id */
#define SK_STORE_SIZE 4096       /* commands remembered, oldest dropped */
#define SK_MAX_CODES 64          /* outstanding confirmation codes */
#define SK_MAX_WAIT_MS 600000ULL /* a status wait_ms is capped at 10 min */

/* Logging: only through the host's callback, with fleetmod/modutil.h's
 * fleetmod_logf (one line, control bytes made '?'). */

/* ---- config.c ------------------------------------------------------- */

struct sk_vehicle {
    char vin[SK_VIN_SIZE];
    char commands[SK_MAX_COMMANDS][SK_COMMAND_SIZE];
    bool needs_confirm[SK_MAX_COMMANDS];
    size_t n_commands;
};

struct sk_config {
    uint64_t complete_ms; /* a command succeeds this long after it starts */
    struct sk_vehicle *vehicles;
    size_t n_vehicles;
};

/* Read and validate the ini file at path. FLEETMOD_OK, FLEETMOD_ECONFIG
 * (with file:line and key in the log) or FLEETMOD_ENOMEM. */
fleetmod_rc sk_config_load(const char *path, const struct fleetmod_log *log,
                           struct sk_config *out);
void sk_config_free(struct sk_config *cfg);

/* The vehicle with this VIN, or NULL. */
const struct sk_vehicle *sk_config_vehicle(const struct sk_config *cfg,
                                           const char *vin);
/* Index of command in v->commands, or -1. */
int sk_vehicle_command(const struct sk_vehicle *v, const char *command);

/* ---- request.c ------------------------------------------------------ */

enum sk_call { SK_SEND, SK_CONFIRM, SK_STATUS };

/* A string inside the request buffer: not NUL-terminated. */
struct sk_str {
    const char *ptr;
    size_t len;
};

/* A decoded, validated request. Strings point into the msgpack_zone the
 * request was decoded into. Single-item fields are NUL-terminated
 * copies; batch items are the msgpack strings, each checked to be a str. */
struct sk_request {
    char vin[SK_VIN_SIZE];
    char command[SK_COMMAND_SIZE];
    char code[SK_CODE_SIZE];
    char id[SK_ID_SIZE];
    struct sk_str request_id; /* ptr NULL when absent */
    uint64_t wait_ms;
    const msgpack_object *items; /* "vins" or "ids"; NULL: not a batch */
    size_t n_items;
};

/* Decode buf as a request for call. FLEETMOD_OK, FLEETMOD_EINVAL with
 * why filled (one English sentence), or FLEETMOD_ENOMEM. zone must be
 * initialised by the caller and destroyed after the request is no longer
 * used. r->request_id is set whenever it was valid, also on failure, so
 * the reply can echo it. */
fleetmod_rc sk_request_decode(enum sk_call call, const char *buf, size_t len,
                              msgpack_zone *zone, struct sk_request *r,
                              char *why, size_t whylen);

/* Syntax checks, also used on batch items and the ini file. They take a
 * pointer and a length because batch items are not NUL-terminated. */
bool sk_vin_valid(const char *s, size_t len);
bool sk_command_valid(const char *s, size_t len);
bool sk_id_valid(const char *s, size_t len);

/* ---- store.c -------------------------------------------------------- */

/* One command the skeleton has "sent to the vehicle". */
struct sk_cmd {
    char id[SK_ID_SIZE];
    char vin[SK_VIN_SIZE];
    char command[SK_COMMAND_SIZE];
    int64_t created;  /* Unix seconds */
    uint64_t done_ms; /* CLOCK_MONOTONIC ms when it succeeds */
};

struct sk_code {
    char vin[SK_VIN_SIZE];
    char command[SK_COMMAND_SIZE];
    char code[SK_CODE_SIZE];
};

/* The mutable state of an instance. One mutex guards it; it is never held
 * across a sleep or a callback. */
struct sk_store {
    pthread_mutex_t lock;
    struct sk_cmd *cmds; /* ring of SK_STORE_SIZE */
    size_t next, count;
    struct sk_code codes[SK_MAX_CODES]; /* ring of outstanding codes */
    size_t next_code;
};

fleetmod_rc sk_store_init(struct sk_store *s);
void sk_store_free(struct sk_store *s);
/* Register a command; *out gets a copy. FLEETMOD_EINTERNAL when no random
 * id could be made. */
fleetmod_rc sk_store_add(struct sk_store *s, const char *vin,
                         const char *command, uint64_t complete_ms,
                         struct sk_cmd *out);
/* Copy the command with this id into *out; false when unknown. */
bool sk_store_find(struct sk_store *s, const char *id, struct sk_cmd *out);
/* Issue a fresh code for (vin, command), replacing any earlier one. */
fleetmod_rc sk_store_issue_code(struct sk_store *s, const char *vin,
                                const char *command, char code[SK_CODE_SIZE]);
/* Spend the code for (vin, command): true for the right code. Any attempt
 * spends it, right or wrong: the next confirm needs a new send. */
bool sk_store_take_code(struct sk_store *s, const char *vin,
                        const char *command, const char *code);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t sk_now_ms(void);

/* ---- reply.c -------------------------------------------------------- */

/* One reply map in C terms. Empty strings and has_* false are left out. */
struct sk_reply {
    fleetmod_rc rc;
    const char *status; /* ignored when rc != 0: then "failed" */
    char id[SK_ID_SIZE];
    char vin[SK_VIN_SIZE];
    char command[SK_COMMAND_SIZE];
    char code[SK_CODE_SIZE];
    char text[SK_TEXT_SIZE]; /* "message" (confirmation), or error.message */
    struct sk_str request_id;
    bool has_created, has_updated, has_executed;
    int64_t created, updated, executed;
    bool has_detail; /* the simulated vehicle answer */
};

/* Mark r failed with rc and an English sentence. */
void sk_reply_fail(struct sk_reply *r, fleetmod_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Pack r as one reply map into pk (a struct fleetmod_out's packer). 0, or
 * -1 when a write into pk failed. */
int sk_pack_reply(msgpack_packer *pk, const struct sk_reply *r);

/* ---- the instance ---------------------------------------------------- */

struct fleetmod_instance {
    struct fleetmod_fork_guard fork; /* the process that made it */
    struct fleetmod_log log;
    struct sk_config cfg; /* read-only after init */
    struct sk_store store;
};

/* ---- commands.c: what the calls do ----------------------------------- */

/* Each fills replies (one per item: n = 1, or the batch size) from a
 * validated request. They never write to the host. */
void sk_do_send(struct fleetmod_instance *inst, const struct sk_request *q,
                struct sk_reply *out, size_t n);
void sk_do_confirm(struct fleetmod_instance *inst, const struct sk_request *q,
                   struct sk_reply *out);
void sk_do_status(struct fleetmod_instance *inst, const struct sk_request *q,
                  struct sk_reply *out, size_t n);

#endif /* SKELETON_H */
