/*
 * log.h - where the modules' log lines go.
 *
 * Module log lines go to stderr, one per line, prefixed with the syslog
 * level name ("warning: ..."). Without -v only LOG_WARNING and more severe
 * are shown: an operator sees a module's complaints (an unsafe config file,
 * a token renewal that failed) but not its chatter; -v shows everything
 * down to LOG_DEBUG. stdout stays for replies only.
 */
#ifndef FLEETCMD_LOG_H
#define FLEETCMD_LOG_H

#include <stdbool.h>

#include <fleetmod/module.h>

/* Fill *host for fleetmod_open/fleetmod_stack_open. *verbose is read at
 * each log line and must outlive the modules. */
void fc_log_host(struct fleetmod_host *host, const bool *verbose);

#endif
