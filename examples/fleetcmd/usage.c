/*
 * usage.c - the --help text. The exit-code table and the paths come from
 * libfleetmod itself, so they cannot drift from what it does.
 */
#include "usage.h"

#include <stdarg.h>

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
    "       fleetcmd --help | --version\n"
    "\n"
    "Send remote commands (location, lock_door, disable_ignition, ...) to\n"
    "vehicles through fleetmod provider modules, follow their outcome, and\n"
    "list the modules installed.\n";

static const char commands[] =
    "\nCommands\n"
    "  send VIN COMMAND   Start COMMAND on vehicle VIN. If the provider asks\n"
    "                     for confirmation: with --yes fleetcmd confirms at\n"
    "                     once; when stdin and stderr are terminals it shows\n"
    "                     the provider's message and asks y/N (stdout may be\n"
    "                     redirected); otherwise it prints the code, the\n"
    "                     message and the confirm command line on stderr, and\n"
    "                     stops with exit 0: nothing was executed.\n"
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
    "  modules            List the modules on the search path (name, version,\n"
    "                     path; broken files with their error). With -m: that\n"
    "                     module. With -s: the stack's providers (section,\n"
    "                     name, version, state).\n";

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
    "      --batch-size N   Items per batch call (default %d, the most\n"
    "                       mobway.so and the skeleton take; a module refuses\n"
    "                       a larger batch with EINVAL).\n"
    "  -h, --help           Show this text.\n"
    "      --version        Show the versions of fleetcmd and libfleetmod.\n";

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
    "  message), and a count line; with --json each item's latest reply as\n"
    "  one JSON line, in FILE order, with its \"vin\" (or \"id\") added when\n"
    "  the module left it out. stderr counts the items that failed.\n";

static const char output[] =
    "\nOutput\n"
    "  Without --json a reply reads:\n"
    "    success  location  WP0ZZZ99ZTS392124  id=8619b2df-...\n"
    "      provider=skeleton\n"
    "      latitude=-23.5505\n"
    "  A failed call prints one line on stderr:\n"
    "    fleetcmd: EDENIED: VIN not found (delivered: no)\n"
    "  Each call carries request_id \"fleetcmd-<pid>-<n>\", echoed in the\n"
    "  reply and in the module's log lines.\n";

static const char exit_intro[] = "\nExit status\n"
                                 "  The rc of the last call to the module:\n";

static const char exit_notes[] =
    "  64  usage error, or a batch's FILE unreadable or wrong (nothing was\n"
    "      loaded)\n"
    "\n"
    "  Exit 0 means the calls worked; where the command stands is the\n"
    "  reply's status. A command the vehicle failed (status \"error\") exits\n"
    "  0 and says so on stderr; so does a --wait that ends with the command\n"
    "  still pending, and a confirmation that was declined or left for\n"
    "  later. Scripts read \"status\" from --json.\n"
    "  A batch exits 0 when its calls ran, whatever the items' fates: each\n"
    "  item's error is on its own line, and stderr says how many failed.\n"
    "  When a batch call fails as a whole (a batch the module refuses, a\n"
    "  provider out of reach), fleetcmd stops there, makes no further call\n"
    "  and exits with that call's rc.\n";

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
    "  FLEETMOD_MODULE_PATH=$HOME/modules fleetcmd modules\n";

static void print_exit_codes(FILE *out)
{
    fputs(exit_intro, out);
    for (int rc = 0; rc < FLEETMOD_RC_COUNT; rc++)
        fprintf(out, "  %2d  %-12s %s\n", rc,
                rc == 0 ? "OK" : fleetmod_rc_name((fleetmod_rc)rc),
                fleetmod_strerror((fleetmod_rc)rc));
    fputs(exit_notes, out);
}

void fc_usage_print(FILE *out)
{
    fputs(synopsis, out);
    fputs(commands, out);
    fprintf(out, options, fleetmod_default_stack_path(), FC_BATCH_SIZE_DEFAULT);
    fputs(batches, out);
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

int fc_usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("fleetcmd: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'fleetcmd --help' for more information.\n", stderr);
    return FC_EXIT_USAGE;
}
