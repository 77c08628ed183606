/*
 * fleetcmd - the command-line host of fleetmod: send remote commands to
 * vehicles through provider modules, for operators and scripts.
 *
 * main.c only dispatches. The other files, one concern each:
 *   args.c      the command line          vin.c       VINs upper-cased
 *   usage.c     --help, help COMMAND      list.c      a batch's list file
 *   target.c    a module or a stack       session.c   one run's calls
 *   log.c       the module log sink       commands.c  send/confirm/status
 *   batch.c     their batch forms         items.c     a batch's items
 *   wait.c      --wait                    prompt.c    the y/N question
 *   output.c    one reply shown           report.c    a batch shown
 *   hint.c      command lines to run next exit.c      the exit status
 *   msgmap.c    a key of a msgpack map    modules.c   the modules command
 *   policy.c    the policy file of a run  requester.c who asks
 *   request.c   a call's request map      journal.c   journal list, show,
 *   jsonrow.c   journal rows as JSON                  verify
 *   stats.c     journal stats             reconcile.c reconcile
 *   progress.c  a long call's progress line
 *   utc.c       times for people
 * `fleetcmd --help` is the manual, fleetcmd(1) the same at length.
 */
#include <stdio.h>

#include "args.h"
#include "batch.h"
#include "commands.h"
#include "journal.h"
#include "modules.h"
#include "reconcile.h"
#include "session.h"
#include "stats.h"
#include "usage.h"

typedef int (*call_cmd_fn)(struct fc_session *);

/* A batch's list file is read before the module is loaded: a bad line is
 * a usage error that costs no dlopen and no request. */
static int run_call(const struct fc_args *a, call_cmd_fn cmd)
{
    struct fc_list list = {0};
    struct fc_session s;
    int rc = 0;

    if (a->list)
        rc = fc_list_read(a->list, a->cmd == FC_CMD_SEND ? "VIN" : "id", &list);
    if (rc != 0)
        return rc;
    rc = fc_session_open(&s, a, a->list ? &list : NULL);
    if (rc == FLEETMOD_OK)
        rc = cmd(&s);
    fc_session_close(&s);
    fc_list_free(&list);
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
        if (a.help_topic)
            fc_usage_topic(stdout, a.help_topic);
        else
            fc_usage_print(stdout);
        return 0;
    case FC_CMD_VERSION:
        fc_version_print(stdout);
        return 0;
    case FC_CMD_MODULES:
        return fc_cmd_modules(&a);
    case FC_CMD_SEND:
        return run_call(&a, a.list ? fc_cmd_send_batch : fc_cmd_send);
    case FC_CMD_CONFIRM:
        return run_call(&a, fc_cmd_confirm);
    case FC_CMD_STATUS:
        return run_call(&a, a.list ? fc_cmd_status_batch : fc_cmd_status);
    case FC_CMD_JOURNAL:
        return fc_cmd_journal(&a);
    case FC_CMD_JOURNAL_SHOW:
        return fc_cmd_journal_show(&a);
    case FC_CMD_JOURNAL_VERIFY:
        return fc_cmd_journal_verify(&a);
    case FC_CMD_JOURNAL_STATS:
        return fc_cmd_journal_stats(&a);
    case FC_CMD_RECONCILE:
        return fc_cmd_reconcile(&a);
    default:
        return FC_EXIT_USAGE;
    }
}
