/*
 * fleetcmd - the command-line host of fleetmod: send remote commands to
 * vehicles through provider modules, for operators and scripts.
 *
 * main.c only dispatches: args.c parses, session.c calls, commands.c holds
 * the send/confirm/status flows, output.c prints, prompt.c asks, wait.c
 * waits, modules.c lists. `fleetcmd --help` is the manual.
 */
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "modules.h"
#include "session.h"
#include "usage.h"

typedef int (*call_cmd_fn)(struct fc_session *);

static int run_call(const struct fc_args *a, call_cmd_fn cmd)
{
    struct fc_session s;
    int rc;

    rc = fc_session_open(&s, a);
    if (rc == FLEETMOD_OK)
        rc = cmd(&s);
    fc_session_close(&s);
    return rc;
}

int main(int argc, char **argv)
{
    struct fc_args a;
    int rc = fc_args_parse(argc, argv, &a);

    if (rc != 0)
        return rc;
    switch (a.cmd) {
    case FC_CMD_HELP:
        fc_usage_print(stdout);
        return 0;
    case FC_CMD_VERSION:
        fc_version_print(stdout);
        return 0;
    case FC_CMD_MODULES:
        return fc_cmd_modules(&a);
    case FC_CMD_SEND:
        return run_call(&a, fc_cmd_send);
    case FC_CMD_CONFIRM:
        return run_call(&a, fc_cmd_confirm);
    case FC_CMD_STATUS:
        return run_call(&a, fc_cmd_status);
    default:
        return FC_EXIT_USAGE;
    }
}
