/* Fixtures: companies, their credentials and sign-secrets, their vehicles
 * and each vehicle's commands and failure mode. The file format is
 * documented at the top of fixtures.default.ini, which is also compiled in
 * as the default. */
#ifndef SIM_FIXTURES_H
#define SIM_FIXTURES_H

#include <stddef.h>

/* The six commands the Mobway docs name, as spelled on the wire. */
enum sim_cmd {
    CMD_LOCATION,
    CMD_DIAGNOSTICS,
    CMD_LOCK_DOOR,
    CMD_UNLOCK_DOOR,
    CMD_ENABLE_IGNITION,
    CMD_DISABLE_IGNITION,
    CMD_COUNT
};

extern const char *const sim_cmd_names[CMD_COUNT];

/* Returns the command named by the len bytes at name, or -1. */
int sim_cmd_lookup(const char *name, size_t len);

/* Ignition commands need the two-step confirmation. */
int sim_cmd_needs_code(int cmd);

enum sim_fail { FAIL_NONE, FAIL_ERROR, FAIL_OEM_SEND, FAIL_OEM_INIT };

struct sim_company {
    char *name;
    char *client_id;
    char *client_secret;
    char *sign_secret;
};

struct sim_vehicle {
    char *vin;
    int company;       /* index into sim_fixtures.companies */
    unsigned commands; /* bit (1u << enum sim_cmd) per allowed command */
    enum sim_fail fail;
};

struct sim_fixtures {
    struct sim_company *companies;
    size_t n_companies;
    struct sim_vehicle *vehicles;
    size_t n_vehicles;
};

/* Loads path, or the built-in default when path is NULL. On failure
 * returns -1 and writes a sentence naming the file and line to err. */
int fixtures_load(struct sim_fixtures *fx, const char *path, char *err,
                  size_t err_len);

void fixtures_free(struct sim_fixtures *fx);

/* The company with these credentials, or -1. */
int fixtures_company_by_credentials(const struct sim_fixtures *fx,
                                    const char *id, const char *secret);

/* The company called name, or -1. */
int fixtures_company_by_name(const struct sim_fixtures *fx, const char *name);

/* The vehicle with this VIN (len bytes) owned by company, or -1. */
int fixtures_vehicle(const struct sim_fixtures *fx, int company,
                     const char *vin, size_t len);

#endif
