/*
 * config.c - the skeleton's ini file, read with inih.
 *
 *   [skeleton]
 *   complete_ms = 2000                 ; a command succeeds after this
 *
 *   [vehicle WP0ZZZ99ZTS392124]        ; one section per vehicle
 *   commands = location, lock_door, disable_ignition
 *   confirm_commands = disable_ignition ; these need the confirm step
 *
 * Replace the keys with what your backend needs (base URL, account id, a
 * secret file whose mode you check). Keep the rules: an unknown section or
 * key is an error, every error names file, line and key, nothing is used
 * before the whole file is valid.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <ini.h>

#include "skeleton.h"

#define VEHICLE_PREFIX "vehicle "
#define MAX_COMPLETE_MS 3600000 /* an hour: anything longer is a typo */

/* What the inih handler needs: the config being built and the first error
 * (inih reports its line number when the parse ends). */
struct parse {
    struct sk_config *cfg;
    char error[256];
};

/* Keep the first error; 0 tells inih this line failed. */
__attribute__((format(printf, 2, 3))) static int refuse(struct parse *p,
                                                        const char *fmt, ...)
{
    va_list ap;

    if (p->error[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(p->error, sizeof p->error, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int set_complete_ms(struct parse *p, const char *value)
{
    char *end;
    unsigned long long v = strtoull(value, &end, 10);

    if (value[0] < '0' || value[0] > '9' || *end != '\0' || v > MAX_COMPLETE_MS)
        return refuse(p, "%s: expected milliseconds, 0 to 3600000, got %s",
                      "complete_ms", value);
    p->cfg->complete_ms = v;
    return 1;
}

/* The vehicle of section "vehicle VIN", created on its first key. */
static struct sk_vehicle *vehicle(struct parse *p, const char *vin)
{
    struct sk_config *c = p->cfg;
    struct sk_vehicle *v = (struct sk_vehicle *)sk_config_vehicle(c, vin);

    if (v)
        return v;
    v = realloc(c->vehicles, (c->n_vehicles + 1) * sizeof *v);
    if (!v)
        return NULL;
    c->vehicles = v;
    v = &c->vehicles[c->n_vehicles++];
    memset(v, 0, sizeof *v);
    snprintf(v->vin, sizeof v->vin, "%s", vin);
    return v;
}

/* Apply one comma-separated name of "commands" (add it) or
 * "confirm_commands" (mark a listed one). */
static int command_item(struct parse *p, struct sk_vehicle *v, const char *key,
                        const char *name)
{
    int i = sk_vehicle_command(v, name);

    if (!sk_command_valid(name, strlen(name)))
        return refuse(p, "%s: \"%s\" is not a command name ([a-z0-9_]{1,32})",
                      key, name);
    if (strcmp(key, "confirm_commands") == 0) {
        if (i < 0)
            return refuse(p,
                          "%s: \"%s\" is not in commands (list it there "
                          "first)",
                          key, name);
        v->needs_confirm[i] = true;
        return 1;
    }
    if (i >= 0)
        return 1;
    if (v->n_commands == SK_MAX_COMMANDS)
        return refuse(p, "%s: more than 16 commands (at \"%s\")", key, name);
    snprintf(v->commands[v->n_commands++], SK_COMMAND_SIZE, "%s", name);
    return 1;
}

/* A list key. inih calls us again for continuation lines, so a list may
 * span lines: each call adds to what came before. */
static int command_list(struct parse *p, struct sk_vehicle *v, const char *key,
                        const char *value)
{
    char buf[256];
    char *save = NULL;

    snprintf(buf, sizeof buf, "%s", value);
    for (char *t = strtok_r(buf, ", \t", &save); t;
         t = strtok_r(NULL, ", \t", &save))
        if (!command_item(p, v, key, t))
            return 0;
    return 1;
}

static int on_vehicle(struct parse *p, const char *vin, const char *key,
                      const char *value)
{
    if (!sk_vin_valid(vin, strlen(vin)))
        return refuse(p,
                      "[vehicle %s]: not a VIN (17 characters of "
                      "A-H J-N P R-Z 0-9)",
                      vin);
    if (strcmp(key, "commands") != 0 && strcmp(key, "confirm_commands") != 0)
        return refuse(p, "unknown key \"%s\" in [vehicle %s]", key, vin);

    struct sk_vehicle *v = vehicle(p, vin);
    if (!v)
        return refuse(p, "out of memory");
    return command_list(p, v, key, value);
}

static int on_key(void *user, const char *section, const char *key,
                  const char *value)
{
    struct parse *p = user;

    if (strcmp(section, "skeleton") == 0) {
        if (strcmp(key, "complete_ms") == 0)
            return set_complete_ms(p, value);
        return refuse(p, "unknown key \"%s\" in [%s]", key, section);
    }
    if (strncmp(section, VEHICLE_PREFIX, strlen(VEHICLE_PREFIX)) == 0)
        return on_vehicle(p, section + strlen(VEHICLE_PREFIX), key, value);
    return refuse(p, "unknown section [%s] (at key \"%s\")", section, key);
}

/* Rules about the file as a whole, checked once it is read. */
static bool whole_file_ok(struct parse *p)
{
    const struct sk_config *c = p->cfg;

    if (c->n_vehicles == 0) {
        refuse(p, "no [vehicle VIN] section with commands");
        return false;
    }
    for (size_t i = 0; i < c->n_vehicles; i++) {
        if (c->vehicles[i].n_commands == 0) {
            refuse(p, "[vehicle %s]: no commands", c->vehicles[i].vin);
            return false;
        }
    }
    return true;
}

fleetmod_rc sk_config_load(const char *path, const struct fleetmod_log *log,
                           struct sk_config *out)
{
    struct parse p = {.cfg = out};

    memset(out, 0, sizeof *out);
    out->complete_ms = 2000;
    int line = ini_parse(path, on_key, &p);
    if (line == -1) {
        fleetmod_logf(log, LOG_ERR, "%s: cannot open the configuration file",
                      path);
    } else if (line == -2) {
        fleetmod_logf(log, LOG_ERR, "%s: out of memory while reading", path);
    } else if (line > 0) {
        fleetmod_logf(log, LOG_ERR, "%s:%d: %s", path, line,
                      p.error[0] ? p.error : "not an ini line");
    } else if (!whole_file_ok(&p)) {
        fleetmod_logf(log, LOG_ERR, "%s: %s", path, p.error);
        line = 1;
    }
    if (line != 0) {
        sk_config_free(out);
        return line == -2 ? FLEETMOD_ENOMEM : FLEETMOD_ECONFIG;
    }
    return FLEETMOD_OK;
}

void sk_config_free(struct sk_config *cfg)
{
    free(cfg->vehicles);
    memset(cfg, 0, sizeof *cfg);
}

const struct sk_vehicle *sk_config_vehicle(const struct sk_config *cfg,
                                           const char *vin)
{
    for (size_t i = 0; i < cfg->n_vehicles; i++)
        if (strcmp(cfg->vehicles[i].vin, vin) == 0)
            return &cfg->vehicles[i];
    return NULL;
}

int sk_vehicle_command(const struct sk_vehicle *v, const char *command)
{
    for (size_t i = 0; i < v->n_commands; i++)
        if (strcmp(v->commands[i], command) == 0)
            return (int)i;
    return -1;
}
