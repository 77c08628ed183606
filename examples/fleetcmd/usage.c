/*
 * usage.c - the --help text. The exit-code table and the paths come from
 * libfleetmod itself, so they cannot drift from what it does.
 */
#include "usage.h"

#include <stdarg.h>
#include <string.h>

#include <fleetmod/host.h>

#include "args.h"

#ifndef FLEETCMD_VERSION
#error "FLEETCMD_VERSION must be defined by the build"
#endif

static const char synopsis[] =
    "Usage: fleetcmd [OPTIONS] send VIN COMMAND [--wait SECONDS] "
    "[--yes | --code CODE]\n"
    "       fleetcmd [OPTIONS] confirm VIN COMMAND CODE [--wait SECONDS] "
    "[--provider NAME]\n"
    "       fleetcmd [OPTIONS] status ID [--wait SECONDS] [--provider NAME]\n"
    "       fleetcmd [OPTIONS] send --vins-file FILE COMMAND [--wait SECONDS] "
    "[--batch-size N]\n"
    "       fleetcmd [OPTIONS] status --ids-file FILE [--wait SECONDS] "
    "[--batch-size N]\n"
    "                [--provider NAME]\n"
    "       fleetcmd [-m MODULE | -s STACK] [--json] modules\n"
    "       fleetcmd [--policy FILE] journal [--vin VIN] [--since DURATION]\n"
    "                [--unresolved] [--json]\n"
    "       fleetcmd [--policy FILE] journal show ID [--json]\n"
    "       fleetcmd [--policy FILE] journal verify\n"
    "       fleetcmd [--policy FILE] journal stats [--since DURATION] "
    "[--openmetrics]\n"
    "       fleetcmd [OPTIONS] reconcile [--wait SECONDS] "
    "[--call-bound SECONDS]\n"
    "       fleetcmd [OPTIONS] reconcile --host-id ID [--wait SECONDS]\n"
    "       fleetcmd --help | --version | help [COMMAND] | COMMAND --help\n"
    "\n"
    "Send remote commands (location, lock_door, disable_ignition, ...) to\n"
    "vehicles through fleetmod provider modules, follow their outcome, and\n"
    "list the modules installed. With a policy file every command is\n"
    "journaled before it is sent and checked by the policy's guards.\n";

static const char commands[] =
    "\nCommands\n"
    "  send VIN COMMAND   Start COMMAND on vehicle VIN. If the provider asks\n"
    "                     for confirmation: with --yes fleetcmd confirms at\n"
    "                     once; when stdin and stderr are terminals it shows\n"
    "                     the provider's message and asks y/N (stdout may be\n"
    "                     redirected); otherwise it prints the code, the\n"
    "                     message and the confirm command line on stderr, and\n"
    "                     stops with exit 22: nothing was executed. A VIN\n"
    "                     in lower case is read in upper case.\n"
    "  confirm VIN COMMAND CODE\n"
    "                     Confirm a command with the 6-digit CODE of its\n"
    "                     send reply. A wrong or used code exits 5 (start\n"
    "                     over with send).\n"
    "  status ID          Show where command ID stands.\n"
    "  send --vins-file FILE COMMAND\n"
    "                     Start COMMAND on every VIN of FILE, in batch\n"
    "                     calls (see Batches).\n"
    "  status --ids-file FILE\n"
    "                     Show where every command id of FILE stands, in\n"
    "                     batch calls.\n"
    "  help [COMMAND]     This text, or that command's own page (the same\n"
    "                     as COMMAND --help).\n"
    "  modules            List the modules on the search path (name, version,\n"
    "                     path; broken files with their error). With -m: that\n"
    "                     module. With -s: the stack's providers (section,\n"
    "                     name, version, state).\n"
    "  journal            List the commands of the policy's journal, newest\n"
    "                     first (see The journal).\n"
    "  journal show ID    One command and every event of its history.\n"
    "  journal verify     Check every hash chain of the journal; exit 24\n"
    "                     naming the first event that does not match.\n"
    "  journal stats      Per provider and command: commands by state,\n"
    "                     unresolved, call latency and created-to-executed\n"
    "                     p50/p95, quota used and left.\n"
    "  reconcile          Settle the journal after a crash: ask the provider\n"
    "                     about every open command; mark a command whose\n"
    "                     answer never came \"unknown\" (it may have run).\n"
    "                     Never sends a command again. --host-id ID: only\n"
    "                     the commands of machine ID, which is down.\n";

static const char options[] =
    "\nOptions (they may also follow the command)\n"
    "  -m, --module MODULE  Use this module: a name, looked up as MODULE.so\n"
    "                       in FLEETMOD_MODULE_PATH then the module\n"
    "                       directory, or a path (anything with a '/').\n"
    "  -c, --config FILE    The module's ini file (with -m; default: the\n"
    "                       module's own default path).\n"
    "  -s, --stack FILE     Route through a stack file of several providers.\n"
    "                       Without -m and -s, the default stack file is\n"
    "                       used: %s\n"
    "      --json           Print each reply map as one JSON object per line\n"
    "                       on stdout (a send, its confirm, the final status\n"
    "                       of a wait), exactly as the module wrote it.\n"
    "  -v, --verbose        Show every module log line on stderr. Without\n"
    "                       -v only warnings and errors are shown. Lines\n"
    "                       start with the level: \"warning: ...\".\n"
    "      --wait SECONDS   Wait up to SECONDS (fractions allowed, 0 = one\n"
    "                       look) for the command to reach a terminal\n"
    "                       status. On a terminal, stderr shows the time\n"
    "                       waited; without one, a single status call waits.\n"
    "      --yes            send: confirm without asking.\n"
    "      --code CODE      send: confirm with CODE instead of sending again\n"
    "                       (for scripts holding the code of an earlier send;\n"
    "                       the same as confirm VIN COMMAND CODE).\n"
    "      --provider NAME  confirm, status: the provider (stack section) of\n"
    "                       the command, as in the reply's \"provider\".\n"
    "      --vins-file FILE send: the VINs of a batch, one per line ('-':\n"
    "                       standard input).\n"
    "      --ids-file FILE  status: the command ids of a batch, one per line\n"
    "                       ('-': standard input).\n"
    "      --batch-size N   Items per batch call (default: the most the\n"
    "                       module or stack takes in one call, its max_batch,\n"
    "                       %d for a module that states none; a module\n"
    "                       refuses a larger batch with EINVAL).\n"
    "      --policy FILE    The policy file (fleetmod-policy(5)): its journal\n"
    "                       and guards. Default, when it exists:\n"
    "                       %s (without one, calls go to\n"
    "                       the modules unjournaled).\n"
    "      --reason TEXT    send, confirm: why, recorded in the journal (a\n"
    "                       policy may require one: reason = required).\n"
    "      --deadline SECONDS\n"
    "                       send: the command must be sent (and confirmed)\n"
    "                       within SECONDS from now, else it is refused\n"
    "                       (exit 13, reason expired); a status executed\n"
    "                       after it reads late. Default: the policy's.\n"
    "      --vin VIN        journal: only this vehicle's commands.\n"
    "      --since DURATION journal, journal stats: only commands created in\n"
    "                       the last DURATION (90s, 15m, 24h, 7d).\n"
    "      --unresolved     journal: only commands whose outcome may still be\n"
    "                       learnt (sending, sent, confirmation, pending;\n"
    "                       unknown with the provider's id).\n"
    "      --openmetrics    journal stats: the OpenMetrics text format, for\n"
    "                       node_exporter's textfile collector.\n"
    "      --call-bound SECONDS\n"
    "                       reconcile: how old a command still \"sending\"\n"
    "                       with no answer must be to be marked unknown\n"
    "                       while its sender may live: the longest a call\n"
    "                       to the module takes (default %d).\n"
    "      --host-id ID     reconcile: settle only the commands journaled by\n"
    "                       host_id ID, another machine that is down for\n"
    "                       good; its unanswered ones are marked unknown at\n"
    "                       once. Only for a machine that is down.\n"
    "  -h, --help           Show this text.\n"
    "      --version        Show the versions of fleetcmd and libfleetmod.\n";

static const char journal[] =
    "\nThe journal\n"
    "  With a policy file, every send and confirm goes through its guards,\n"
    "  in this order: the deadline, who asks (the login name of the real\n"
    "  user, never taken from the environment or a flag) and --reason,\n"
    "  duplicates (the same command to the same vehicle still under way),\n"
    "  the provider's breaker, rate and quota. It is journaled before\n"
    "  anything is sent; a refusal exits 13 (EREFUSED) with the guard's\n"
    "  reason (expired, requester, reason, duplicate, journal), or 9 or 7\n"
    "  for rate and quota, and the breaker. Replies show journal=ID (the "
    "command's\n"
    "  row), duplicate=true when the policy coalesces a second press into\n"
    "  the first command (nothing is sent), the deadline, and late=true on\n"
    "  a status executed after it; --json prints them as the keys journal,\n"
    "  duplicate, deadline and late. journal prints a table (JOURNAL,\n"
    "  CREATED, VIN, COMMAND, STATE, REQUESTER) and a count line; --json one\n"
    "  JSON object per command and line, the columns of the view\n"
    "  fleetmod_commands (fleetmod-journal(7)). On a terminal, journal stats\n"
    "  and reconcile show a progress line while they run.\n";

static const char batches[] =
    "\nBatches\n"
    "  A list FILE holds one VIN (or id) per line; blanks, empty lines and\n"
    "  everything from '#' to the end of a line are ignored. A line of two\n"
    "  words or with a control character, a VIN listed twice (its command\n"
    "  would run twice), or a FILE with no item is a usage error (64).\n"
    "  fleetcmd sends the list in batches of --batch-size items, one call\n"
    "  each: the module runs the items of a call concurrently and answers\n"
    "  for each. With --wait, fleetcmd then asks a batch status of the items\n"
    "  still pending, again until none is or SECONDS have passed; on a\n"
    "  terminal a progress line counts what is done. Items that ask for\n"
    "  confirmation are listed with their codes and the confirm command of\n"
    "  each: confirm has no batch form, each confirmation is a decision\n"
    "  about one vehicle. Output: a table, one line per item (VIN or ID,\n"
    "  status, then the command id, code=CODE, or the error's name and\n"
    "  message, and a policy's refusal its reason), and a count line; with\n"
    "  --json each item's latest reply as one JSON line, in FILE order,\n"
    "  with its \"vin\" (or \"id\") added when the module left it out.\n"
    "  stderr counts the items that failed.\n";

static const char output[] =
    "\nOutput\n"
    "  Without --json a reply reads:\n"
    "    success  location  WP0ZZZ99ZTS392124  id=8619b2df-...\n"
    "      provider=skeleton\n"
    "      latitude=-23.5505\n"
    "  A failed call prints one line on stderr:\n"
    "    fleetcmd: EDENIED: VIN not found (delivered: no)\n"
    "  then \"  detail: ...\" when the error has one, and through a stack\n"
    "  \"  refused by SECTION: NAME: MESSAGE\" for each provider that\n"
    "  refused the VIN (in the summary when a later one took it).\n"
    "  Each call carries request_id \"fleetcmd-<pid>-<n>\", echoed in the\n"
    "  reply and in the module's log lines.\n";

static const char exit_intro[] =
    "\nExit status\n"
    "   0  done as asked (see below)\n"
    "  The rc of a call to the module that failed:\n";

static const char exit_notes[] =
    "  20  still pending when --wait ran out (ask again with the status\n"
    "      line fleetcmd prints)\n"
    "  21  the provider or the vehicle reported that the command failed\n"
    "      (status \"error\")\n"
    "  22  not confirmed: the provider asked for confirmation and it was\n"
    "      declined or left for later; nothing was executed\n"
    "  23  a batch ran, but an item is not done as asked (its line says\n"
    "      why; stderr counts them); reconcile: a command could not be\n"
    "      asked about (run it again)\n"
    "  24  journal verify: an event does not match its hash chain (stderr\n"
    "      names it)\n"
    "  64  usage error, or a batch's FILE unreadable or wrong (nothing was\n"
    "      loaded)\n"
    "\n"
    "  0 means done as asked: the command was accepted (without --wait) or\n"
    "  succeeded (with --wait), or status found it pending or done; so\n"
    "  `fleetcmd send VIN disable_ignition --yes --wait 60 && next` runs\n"
    "  next only when the vehicle did it. A batch exits 0 when every item\n"
    "  is; when a batch call fails as a whole (a batch the module refuses,\n"
    "  a provider out of reach), fleetcmd stops there, makes no further\n"
    "  call and exits with that call's rc. When a failed call may have\n"
    "  started the command (delivered: unknown) and its id is known,\n"
    "  stderr shows the status command line to run next.\n";

static const char environment[] =
    "\nEnvironment\n"
    "  FLEETMOD_MODULE_PATH  Colon-separated directories searched for\n"
    "                        MODULE.so before the module directory (%s).\n";

static const char examples[] =
    "\nExamples\n"
    "  fleetcmd -m mobway -c /etc/fleetmod/mobway.conf \\\n"
    "      send 9BWZZZ377VT004251 location --wait 30\n"
    "  fleetcmd send 9BWZZZ377VT004251 disable_ignition --yes --wait 60\n"
    "  fleetcmd --json send 9BWZZZ377VT004251 disable_ignition > reply.json\n"
    "  fleetcmd confirm 9BWZZZ377VT004251 disable_ignition 123456\n"
    "  fleetcmd status 8619b2df-0c1e-4d8a-9a57-1f0e5c3b2a10 --wait 10\n"
    "  fleetcmd send --vins-file fleet.txt lock_door --wait 60\n"
    "  fleetcmd --json send --vins-file fleet.txt location > replies.json\n"
    "  FLEETMOD_MODULE_PATH=$HOME/modules fleetcmd modules\n"
    "  fleetcmd --reason 'stolen, police report 4711' \\\n"
    "      send 9BWZZZ377VT004251 disable_ignition --deadline 120\n"
    "  fleetcmd journal --unresolved\n"
    "  fleetcmd reconcile --wait 10\n"
    "  fleetcmd reconcile --host-id fleet-b --wait 10   # fleet-b is down\n"
    "  fleetcmd journal stats --openmetrics > /var/lib/node_exporter/"
    "fleetmod.prom\n";

/* One command's page: `fleetcmd help COMMAND`, `fleetcmd COMMAND --help`. */
static const struct topic {
    const char *name;
    const char *text;
} topics[] = {
    {"send",
     "Usage: fleetcmd [OPTIONS] send VIN COMMAND [--wait SECONDS] "
     "[--yes | --code CODE]\n"
     "       fleetcmd [OPTIONS] send --vins-file FILE COMMAND "
     "[--wait SECONDS] [--batch-size N]\n"
     "\n"
     "Start COMMAND (location, diagnostics, lock_door, unlock_door,\n"
     "enable_ignition, disable_ignition) on vehicle VIN (lower case is\n"
     "read as upper case). If the provider asks for confirmation: --yes\n"
     "confirms at once; on a terminal fleetcmd shows the provider's message\n"
     "and asks y/N; otherwise it prints the confirm command line and exits\n"
     "22: nothing was executed.\n"
     "\n"
     "  --wait SECONDS    follow the command until it is done or SECONDS\n"
     "                    have passed\n"
     "  --yes             confirm without asking\n"
     "  --code CODE       confirm with the CODE of an earlier send\n"
     "  --vins-file FILE  a batch: one VIN per line ('-': standard input)\n"
     "  --batch-size N    items per batch call (default: the module's "
     "limit)\n"
     "  --reason TEXT     why, journaled (with a policy file)\n"
     "  --deadline SECONDS  refuse it (exit 13, reason expired) when it is\n"
     "                    not sent and confirmed within SECONDS (with a\n"
     "                    policy file)\n"},
    {"confirm",
     "Usage: fleetcmd [OPTIONS] confirm VIN COMMAND CODE [--wait SECONDS] "
     "[--provider NAME]\n"
     "\n"
     "Confirm a command with the 6-digit CODE of its send reply. A wrong or\n"
     "used code exits 5: start over with send.\n"
     "\n"
     "  --wait SECONDS    follow the command until it is done or SECONDS\n"
     "                    have passed\n"
     "  --provider NAME   the stack section that asked for confirmation\n"
     "  --reason TEXT     why, journaled (with a policy file)\n"
     "With a policy file a confirm after its send's deadline is refused\n"
     "(exit 13, reason expired): nothing is executed.\n"},
    {"status",
     "Usage: fleetcmd [OPTIONS] status ID [--wait SECONDS] "
     "[--provider NAME]\n"
     "       fleetcmd [OPTIONS] status --ids-file FILE [--wait SECONDS] "
     "[--batch-size N]\n"
     "\n"
     "Show where command ID stands: the vehicle, the command, its status.\n"
     "\n"
     "  --wait SECONDS    ask until it is done or SECONDS have passed\n"
     "  --provider NAME   the stack section that started it\n"
     "  --ids-file FILE   a batch: one id per line ('-': standard input)\n"
     "  --batch-size N    items per batch call (default: the module's "
     "limit)\n"},
    {"modules",
     "Usage: fleetcmd [-m MODULE | -s STACK] [--json] modules\n"
     "\n"
     "List the modules on the search path (name, version, path; broken\n"
     "files with their error). With -m: that module. With -s: the stack's\n"
     "providers (section, name, version, state).\n"},
    {"journal",
     "Usage: fleetcmd [--policy FILE] journal [--vin VIN] [--since "
     "DURATION]\n"
     "                [--unresolved] [--json]\n"
     "       fleetcmd [--policy FILE] journal show ID [--json]\n"
     "       fleetcmd [--policy FILE] journal verify\n"
     "       fleetcmd [--policy FILE] journal stats [--since DURATION] "
     "[--openmetrics]\n"
     "\n"
     "Read the journal of the policy file (only read: nothing is sent).\n"
     "journal lists the commands, newest first: JOURNAL CREATED VIN\n"
     "COMMAND STATE REQUESTER, and a count line. journal show ID prints\n"
     "one command and each event of its history (intent, outcome, status,\n"
     "reconcile, ...). journal verify walks every host's hash chain and\n"
     "exits 24 naming the first event that does not match. journal stats\n"
     "prints, per provider and command, the commands by state, the\n"
     "unresolved ones, call latency and created-to-executed p50/p95, and\n"
     "the provider's quota used and left.\n"
     "\n"
     "  --vin VIN         only this vehicle's commands\n"
     "  --since DURATION  only commands created in the last DURATION\n"
     "                    (90s, 15m, 24h, 7d)\n"
     "  --unresolved      only commands whose outcome may still be learnt\n"
     "                    (sending, sent, confirmation, pending; unknown\n"
     "                    with the provider's id)\n"
     "  --json            one JSON object per command and line (show: one\n"
     "                    object with its \"events\")\n"
     "  --openmetrics     stats in the OpenMetrics text format\n"},
    {"reconcile",
     "Usage: fleetcmd [OPTIONS] reconcile [--wait SECONDS] "
     "[--call-bound SECONDS]\n"
     "       fleetcmd [OPTIONS] reconcile --host-id ID [--wait SECONDS]\n"
     "\n"
     "Settle the journal after a crash or a lost answer, through the\n"
     "policy's guard in front of -m or the stack. Every open command with a\n"
     "provider id is asked about with a status call and the answer\n"
     "journaled; a command still \"sending\" whose answer never came (no\n"
     "provider id) is marked \"unknown\": it may have run, look at the\n"
     "vehicle. At once when the process sending it (this host_id, this\n"
     "boot) is gone, else once older than --call-bound. No command is\n"
     "sent again. Prints what was asked, settled and marked; exit 23 when\n"
     "a status call failed (those commands stay open: run it again).\n"
     "\n"
     "Another machine's process cannot be seen from here. --host-id ID\n"
     "adopts the commands of machine ID (its policy's [journal] host_id)\n"
     "when it is gone: only its commands are settled, and its commands\n"
     "still \"sending\" without a provider id are marked \"unknown\" at\n"
     "once. Run it only for a machine that is down: a command it is still\n"
     "sending would be marked unknown. This machine's own host_id is\n"
     "refused.\n"
     "\n"
     "  --wait SECONDS        wait up to SECONDS for each open command to\n"
     "                        reach a terminal status\n"
     "  --call-bound SECONDS  the longest a call to the module takes\n"
     "                        (default 300; Mobway: its timeout_ms)\n"
     "  --host-id ID          only machine ID's commands; ID is down\n"},
};
#define N_TOPICS (sizeof topics / sizeof topics[0])

static const char topic_tail[] =
    "\n"
    "  -m MODULE [-c FILE] | -s STACK, --policy FILE, --json, -v: see\n"
    "  'fleetcmd --help'.\n"
    "\n"
    "Exit status: 0 done as asked, 1-13 the rc of a failed call, 20 still\n"
    "pending after --wait, 21 the vehicle reported error, 22 not confirmed,\n"
    "23 a batch item not done as asked, 24 the journal does not verify, 64\n"
    "usage error.\n";

bool fc_usage_has_topic(const char *name)
{
    for (size_t i = 0; i < N_TOPICS; i++)
        if (strcmp(topics[i].name, name) == 0)
            return true;
    return false;
}

void fc_usage_topic(FILE *out, const char *name)
{
    for (size_t i = 0; i < N_TOPICS; i++)
        if (strcmp(topics[i].name, name) == 0) {
            fputs(topics[i].text, out);
            fputs(topic_tail, out);
        }
}

static void print_exit_codes(FILE *out)
{
    fputs(exit_intro, out);
    for (int rc = 1; rc < FLEETMOD_RC_COUNT; rc++)
        fprintf(out, "  %2d  %-12s %s\n", rc, fleetmod_rc_name((fleetmod_rc)rc),
                fleetmod_strerror((fleetmod_rc)rc));
    fputs(exit_notes, out);
}

void fc_usage_print(FILE *out)
{
    fputs(synopsis, out);
    fputs(commands, out);
    fprintf(out, options, fleetmod_default_stack_path(), FC_BATCH_SIZE_DEFAULT,
            fleetmod_default_policy_path(), FC_CALL_BOUND_DEFAULT);
    fputs(batches, out);
    fputs(journal, out);
    fputs(output, out);
    print_exit_codes(out);
    fprintf(out, environment, fleetmod_moduledir());
    fputs(examples, out);
}

void fc_version_print(FILE *out)
{
    /* libfleetmod has no run-time version call; both are released
     * together, from one tree, under one version. */
    fprintf(out, "fleetcmd %s (libfleetmod %s)\n", FLEETCMD_VERSION,
            FLEETCMD_VERSION);
}

__attribute__((format(printf, 1, 0))) static void say(const char *fmt,
                                                      va_list ap)
{
    fputs("fleetcmd: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int fc_usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    fputs("Try 'fleetcmd --help' for more information.\n", stderr);
    return FC_EXIT_USAGE;
}

int fc_input_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    say(fmt, ap);
    va_end(ap);
    return FC_EXIT_USAGE;
}
