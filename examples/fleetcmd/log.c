/*
 * log.c - the module log sink: syslog levels to stderr lines.
 */
#include "log.h"

#include <stdio.h>
#include <syslog.h>

static const char *level_name(int level)
{
    static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                        "warning", "notice", "info", "debug"};

    if (level < 0 || level > LOG_DEBUG)
        return "log";
    return names[level];
}

static void log_line(void *user, int level, const char *msg)
{
    const bool *verbose = user;

    if (level > LOG_WARNING && !*verbose)
        return;
    /* One fprintf per line: stdio locks the stream, so lines logged from a
     * module's threads do not interleave. */
    fprintf(stderr, "%s: %s\n", level_name(level), msg);
}

void fc_log_host(struct fleetmod_host *host, const bool *verbose)
{
    host->struct_size = sizeof *host;
    /* The module passes user back as const-less void *; log_line only
     * reads through it. */
    host->user = (void *)verbose;
    host->log = log_line;
}
