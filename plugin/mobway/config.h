/*
 * config.h - the module's ini file ([mobway] section, read with inih).
 *
 * Every key of the design is known here; anything else (an unknown key or
 * section, a bad URL or number, plain http without allow_http, a loose
 * secret file, inline secrets in a file others can read, a config, *_file
 * or ca_file that is not a regular file or that someone other than this
 * user or root can write, a ca_file without a PEM certificate) is refused
 * with FLEETMOD_ECONFIG and a log line naming the file and the line. The
 * keys are documented in mobway.conf.example.
 */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <fleetmod/module.h>
#include <stdbool.h>

#include "log.h"
#include "secrets.h"
#include "validate.h"

struct mw_config {
    char *base_url; /* scheme://host[:port][/path], no trailing slash */
    struct mw_secret client_id;
    struct mw_secret client_secret;
    struct mw_secret sign_secret;
    struct mw_secret token; /* fixed bearer token: never renewed */
    char *ca_file;          /* absolute; NULL: the system's bundle only */
    long connect_timeout_ms;
    long timeout_ms;
    long max_connections;
    long poll_initial_ms;
    long poll_max_ms;
    long retry_unreachable;
    char **confirm_commands; /* NULL-terminated */
    enum mw_vin_check vin_check;
    bool allow_http;
};

/* The path used when init gets NULL. */
#define MW_CONFIG_DEFAULT_PATH SYSCONFDIR "/fleetmod/mobway.conf"

/* Reads and validates path into cfg (zeroed first). Relative *_file and
 * ca_file values are taken from path's directory. Never blocks on a FIFO
 * or device: every file is opened non-blocking and must be regular.
 * Returns FLEETMOD_OK, FLEETMOD_ECONFIG (logged with file and line) or
 * FLEETMOD_ENOMEM; on failure cfg holds nothing to free. */
fleetmod_rc mw_config_load(struct mw_config *cfg, const char *path,
                           const struct mw_log *log);

/* Frees cfg and wipes its secrets. */
void mw_config_free(struct mw_config *cfg);

/* Whether command is listed in confirm_commands. */
bool mw_config_confirms(const struct mw_config *cfg, const char *command);

#endif
