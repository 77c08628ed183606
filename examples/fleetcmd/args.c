/*
 * args.c - fleetcmd's command line.
 *
 * One getopt_long pass over the whole line, in GNU order (options may come
 * before or after the command and its operands), then a check of which
 * options the chosen command accepts. A new option (a batch's --vins-file)
 * is one entry in long_opts, one case in take_option and one rule.
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage.h"
#include "vin.h"

enum opt_id {
    OPT_JSON = 256,
    OPT_WAIT,
    OPT_YES,
    OPT_CODE,
    OPT_PROVIDER,
    OPT_VERSION,
    OPT_VINS_FILE,
    OPT_IDS_FILE,
    OPT_BATCH_SIZE,
    OPT_POLICY,
    OPT_REASON,
    OPT_DEADLINE,
    OPT_VIN,
    OPT_SINCE,
    OPT_UNRESOLVED,
    OPT_OPENMETRICS,
    OPT_CALL_BOUND,
    OPT_HOST_ID
};

static const struct option long_opts[] = {
    {"module", required_argument, NULL, 'm'},
    {"config", required_argument, NULL, 'c'},
    {"stack", required_argument, NULL, 's'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"json", no_argument, NULL, OPT_JSON},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"yes", no_argument, NULL, OPT_YES},
    {"code", required_argument, NULL, OPT_CODE},
    {"provider", required_argument, NULL, OPT_PROVIDER},
    {"version", no_argument, NULL, OPT_VERSION},
    {"vins-file", required_argument, NULL, OPT_VINS_FILE},
    {"ids-file", required_argument, NULL, OPT_IDS_FILE},
    {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"reason", required_argument, NULL, OPT_REASON},
    {"deadline", required_argument, NULL, OPT_DEADLINE},
    {"vin", required_argument, NULL, OPT_VIN},
    {"since", required_argument, NULL, OPT_SINCE},
    {"unresolved", no_argument, NULL, OPT_UNRESOLVED},
    {"openmetrics", no_argument, NULL, OPT_OPENMETRICS},
    {"call-bound", required_argument, NULL, OPT_CALL_BOUND},
    {"host-id", required_argument, NULL, OPT_HOST_ID},
    {NULL, 0, NULL, 0}};

#define CMD_BIT(c) (1u << (c))
#define CALLS                                                                  \
    (CMD_BIT(FC_CMD_SEND) | CMD_BIT(FC_CMD_CONFIRM) | CMD_BIT(FC_CMD_STATUS))
#define JOURNAL                                                                \
    (CMD_BIT(FC_CMD_JOURNAL) | CMD_BIT(FC_CMD_JOURNAL_SHOW) |                  \
     CMD_BIT(FC_CMD_JOURNAL_VERIFY) | CMD_BIT(FC_CMD_JOURNAL_STATS))
#define RECONCILE CMD_BIT(FC_CMD_RECONCILE)

/* Options that only some commands take; the others apply to all. */
static const struct opt_rule {
    const char *name;
    int id;
    unsigned cmds;
} rules[] = {
    {"-m", 'm', CALLS | RECONCILE | CMD_BIT(FC_CMD_MODULES)},
    {"-s", 's', CALLS | RECONCILE | CMD_BIT(FC_CMD_MODULES)},
    {"-c", 'c', CALLS | RECONCILE},
    {"--json", OPT_JSON,
     CALLS | CMD_BIT(FC_CMD_MODULES) | CMD_BIT(FC_CMD_JOURNAL) |
         CMD_BIT(FC_CMD_JOURNAL_SHOW)},
    {"--wait", OPT_WAIT, CALLS | RECONCILE},
    {"--policy", OPT_POLICY, CALLS | JOURNAL | RECONCILE},
    {"--reason", OPT_REASON, CMD_BIT(FC_CMD_SEND) | CMD_BIT(FC_CMD_CONFIRM)},
    {"--deadline", OPT_DEADLINE, CMD_BIT(FC_CMD_SEND)},
    {"--vin", OPT_VIN, CMD_BIT(FC_CMD_JOURNAL)},
    {"--unresolved", OPT_UNRESOLVED, CMD_BIT(FC_CMD_JOURNAL)},
    {"--since", OPT_SINCE,
     CMD_BIT(FC_CMD_JOURNAL) | CMD_BIT(FC_CMD_JOURNAL_STATS)},
    {"--openmetrics", OPT_OPENMETRICS, CMD_BIT(FC_CMD_JOURNAL_STATS)},
    {"--call-bound", OPT_CALL_BOUND, RECONCILE},
    {"--host-id", OPT_HOST_ID, RECONCILE},
    {"--yes", OPT_YES, CMD_BIT(FC_CMD_SEND)},
    {"--code", OPT_CODE, CMD_BIT(FC_CMD_SEND)},
    {"--provider", OPT_PROVIDER,
     CMD_BIT(FC_CMD_CONFIRM) | CMD_BIT(FC_CMD_STATUS)},
    {"--vins-file", OPT_VINS_FILE, CMD_BIT(FC_CMD_SEND)},
    {"--ids-file", OPT_IDS_FILE, CMD_BIT(FC_CMD_STATUS)},
    {"--batch-size", OPT_BATCH_SIZE,
     CMD_BIT(FC_CMD_SEND) | CMD_BIT(FC_CMD_STATUS)},
};
#define N_RULES (sizeof rules / sizeof rules[0])

/* A batch's list file takes the place of the first operand (the VIN of
 * send, the ID of status); commands without a batch form have no
 * batch_synopsis. A command of two words ("journal show") is found by
 * both; the operands follow the second. */
static const struct subcmd {
    const char *name;
    const char *word2;
    enum fc_cmd cmd;
    int operands;
    const char *synopsis;
    const char *batch_synopsis;
} subcmds[] = {
    {"send", NULL, FC_CMD_SEND, 2, "send VIN COMMAND",
     "send --vins-file FILE COMMAND"},
    {"confirm", NULL, FC_CMD_CONFIRM, 3, "confirm VIN COMMAND CODE", NULL},
    {"status", NULL, FC_CMD_STATUS, 1, "status ID", "status --ids-file FILE"},
    {"modules", NULL, FC_CMD_MODULES, 0, "modules", NULL},
    {"journal", "show", FC_CMD_JOURNAL_SHOW, 1, "journal show ID", NULL},
    {"journal", "verify", FC_CMD_JOURNAL_VERIFY, 0, "journal verify", NULL},
    {"journal", "stats", FC_CMD_JOURNAL_STATS, 0, "journal stats", NULL},
    {"journal", NULL, FC_CMD_JOURNAL, 0,
     "journal [--vin VIN] [--since DURATION] [--unresolved]", NULL},
    {"reconcile", NULL, FC_CMD_RECONCILE, 0, "reconcile", NULL},
};
#define N_SUBCMDS (sizeof subcmds / sizeof subcmds[0])

/* Keeps the millisecond count exact in a double and in a uint64_t. */
#define MAX_WAIT_SECONDS 1e9

/* Far above any module's batch limit (a module refuses a batch over its
 * own with EINVAL); only keeps the number sane. */
#define MAX_BATCH_SIZE 1000000

/* SECONDS: a non-negative decimal number, fractions allowed ("2.5"). */
static int parse_seconds(const char *s, uint64_t *ms)
{
    char *end;
    double v;

    if (!isdigit((unsigned char)s[0]) && s[0] != '.')
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (*end != '\0' || errno != 0 || !isfinite(v) || v > MAX_WAIT_SECONDS)
        return -1;
    *ms = (uint64_t)(v * 1000.0 + 0.5);
    return 0;
}

/* Keeps a count of seconds, and epoch seconds plus it, far from int64_t's
 * end (about 31 years). */
#define MAX_WHOLE_SECONDS 1000000000

/* SECONDS: a whole number from min to MAX_WHOLE_SECONDS, digits only. */
static int parse_whole_seconds(const char *s, int64_t min, int64_t *out)
{
    size_t len = strspn(s, "0123456789");

    if (len == 0 || len > 10 || s[len] != '\0')
        return -1;
    *out = (int64_t)strtoll(s, NULL, 10);
    return *out >= min && *out <= MAX_WHOLE_SECONDS ? 0 : -1;
}

/* DURATION: a whole number with an optional unit, s (the default), m, h or
 * d: "90", "15m", "24h", "7d". */
static int parse_duration(const char *s, int64_t *out)
{
    static const char units[] = "smhd";
    static const int64_t unit_s[] = {1, 60, 3600, 86400};
    char num[16];
    size_t len = strspn(s, "0123456789");
    const char *u = s[len] ? strchr(units, s[len]) : units;

    if (len == 0 || len >= sizeof num || !u || (s[len] && s[len + 1]))
        return -1;
    memcpy(num, s, len);
    num[len] = '\0';
    if (parse_whole_seconds(num, 1, out) != 0)
        return -1;
    *out *= unit_s[u - units];
    return *out <= MAX_WHOLE_SECONDS ? 0 : -1;
}

/* N: a whole number from 1 to MAX_BATCH_SIZE, digits only. */
static int parse_batch_size(const char *s, size_t *n)
{
    size_t len = strspn(s, "0123456789");

    if (len == 0 || len > 7 || s[len] != '\0')
        return -1;
    *n = (size_t)strtoul(s, NULL, 10);
    return *n >= 1 && *n <= MAX_BATCH_SIZE ? 0 : -1;
}

#define COMMAND_NAMES                                                          \
    "send, confirm, status, modules, journal, reconcile or help"

/* The bit of option id in a set of seen options. */
static unsigned seen_bit(int id)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (rules[i].id == id)
            return 1u << i;
    return 0;
}

static void mark_seen(int id, unsigned *seen)
{
    *seen |= seen_bit(id);
}

/* Stores one option. Returns 0 or a usage error. */
static int take_option(struct fc_args *a, int c, char *arg,
                       const char *as_written)
{
    switch (c) {
    case 'm':
        a->module = arg;
        return 0;
    case 'c':
        a->config = arg;
        return 0;
    case 's':
        a->stack = arg;
        return 0;
    case 'v':
        a->verbose = true;
        return 0;
    case 'h':
        a->cmd = FC_CMD_HELP;
        return 0;
    case OPT_VERSION:
        a->cmd = FC_CMD_VERSION;
        return 0;
    case OPT_JSON:
        a->json = true;
        return 0;
    case OPT_YES:
        a->yes = true;
        return 0;
    case OPT_CODE:
        a->code = arg;
        return 0;
    case OPT_PROVIDER:
        a->provider = arg;
        return 0;
    case OPT_WAIT:
        a->wait = true;
        if (parse_seconds(arg, &a->wait_ms) != 0)
            return fc_usage_error("--wait takes a non-negative number of "
                                  "seconds, not '%s'",
                                  arg);
        return 0;
    case OPT_VINS_FILE:
    case OPT_IDS_FILE:
        a->list = arg;
        return 0;
    case OPT_BATCH_SIZE:
        if (parse_batch_size(arg, &a->batch_size) != 0)
            return fc_usage_error("--batch-size takes a whole number from 1 "
                                  "to %d, not '%s'",
                                  MAX_BATCH_SIZE, arg);
        return 0;
    case OPT_POLICY:
        a->policy = arg;
        return 0;
    case OPT_REASON:
        if (!arg[0])
            return fc_usage_error("--reason takes a text, not nothing");
        a->reason = arg;
        return 0;
    case OPT_DEADLINE:
        if (parse_whole_seconds(arg, 1, &a->deadline_s) != 0)
            return fc_usage_error("--deadline takes a whole number of "
                                  "seconds from 1 to %d, not '%s'",
                                  MAX_WHOLE_SECONDS, arg);
        return 0;
    case OPT_VIN:
        a->filter_vin = fc_vin_upcase(arg);
        return 0;
    case OPT_SINCE:
        if (parse_duration(arg, &a->since_s) != 0)
            return fc_usage_error("--since takes a duration such as 90s, "
                                  "15m, 24h or 7d, not '%s'",
                                  arg);
        return 0;
    case OPT_UNRESOLVED:
        a->unresolved = true;
        return 0;
    case OPT_OPENMETRICS:
        a->openmetrics = true;
        return 0;
    case OPT_CALL_BOUND:
        if (parse_whole_seconds(arg, 0, &a->call_bound_s) != 0)
            return fc_usage_error("--call-bound takes a whole number of "
                                  "seconds from 0 to %d, not '%s'",
                                  MAX_WHOLE_SECONDS, arg);
        return 0;
    case OPT_HOST_ID:
        if (!arg[0])
            return fc_usage_error("--host-id takes the host_id of a machine "
                                  "that is down, not an empty word");
        a->host_id = arg;
        return 0;
    case ':':
        return fc_usage_error("option '%s' needs an argument", as_written);
    default:
        return fc_usage_error("unknown option '%s'", as_written);
    }
}

/* The option getopt_long stopped at, as the user wrote it. */
static const char *offending(char **argv, char *buf)
{
    const char *last = argv[optind - 1];

    if (strncmp(last, "--", 2) == 0 || optopt <= 0 || optopt > 255)
        return last;
    buf[0] = '-';
    buf[1] = (char)optopt;
    buf[2] = '\0';
    return buf;
}

static int parse_options(int argc, char **argv, struct fc_args *a,
                         unsigned *seen)
{
    char buf[3];
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":m:c:s:vh", long_opts, NULL)) != -1) {
        int rc = take_option(a, c, optarg, offending(argv, buf));
        if (rc != 0)
            return rc;
        mark_seen(c, seen);
    }
    return 0;
}

/* The command that op[0] (and op[1], when n > 1) names; *words: how many
 * of them it took. */
static const struct subcmd *find_subcmd(char **op, int n, int *words)
{
    for (size_t i = 0; i < N_SUBCMDS; i++) {
        const struct subcmd *sc = &subcmds[i];
        if (strcmp(sc->name, op[0]) != 0)
            continue;
        if (!sc->word2) {
            *words = 1;
            return sc;
        }
        if (n > 1 && strcmp(sc->word2, op[1]) == 0) {
            *words = 2;
            return sc;
        }
    }
    return NULL;
}

static void take_operands(struct fc_args *a, char **op)
{
    if (a->cmd == FC_CMD_SEND && a->list) {
        a->command = op[0];
        return;
    }
    if (a->cmd == FC_CMD_SEND || a->cmd == FC_CMD_CONFIRM) {
        a->vin = fc_vin_upcase(op[0]);
        a->command = op[1];
    }
    if (a->cmd == FC_CMD_CONFIRM)
        a->code = op[2];
    if (a->cmd == FC_CMD_STATUS || a->cmd == FC_CMD_JOURNAL_SHOW)
        a->id = op[0];
}

/* Options that the chosen command does not take, and exclusive pairs. */
static int check_combinations(const struct fc_args *a, unsigned seen,
                              const char *cmd_name)
{
    for (size_t i = 0; i < N_RULES; i++)
        if ((seen & (1u << i)) && !(rules[i].cmds & CMD_BIT(a->cmd)))
            return fc_usage_error("%s does not apply to '%s'", rules[i].name,
                                  cmd_name);
    if (a->module && a->stack)
        return fc_usage_error("-m and -s exclude each other");
    if (a->config && !a->module)
        return fc_usage_error("-c needs -m (a stack file names each "
                              "provider's config itself)");
    if (a->yes && a->code)
        return fc_usage_error("--yes and --code exclude each other");
    if (a->list && (a->yes || a->code))
        return fc_usage_error(
            "%s does not apply to a batch: confirm has no batch form (each "
            "confirmation is a decision about one vehicle); confirm each "
            "with 'fleetcmd confirm VIN COMMAND CODE'",
            a->yes ? "--yes" : "--code");
    if (a->batch_size && !a->list)
        return fc_usage_error("--batch-size needs --vins-file or --ids-file");
    if (a->deadline_s && a->code)
        return fc_usage_error("--deadline does not apply to send --code: a "
                              "confirm keeps the deadline of its send");
    if (a->host_id && (seen & seen_bit(OPT_CALL_BOUND)))
        return fc_usage_error("--call-bound does not apply with --host-id: "
                              "the dead machine's unanswered commands are "
                              "marked unknown at once");
    return 0;
}

/* --help, help, COMMAND --help (whatever follows COMMAND), help COMMAND. */
static int take_help(struct fc_args *a, int argc, char **argv)
{
    int i = optind;

    a->cmd = FC_CMD_HELP;
    if (i < argc && strcmp(argv[i], "help") == 0)
        i++;
    if (i >= argc)
        return 0;
    if (!fc_usage_has_topic(argv[i]))
        return fc_usage_error("no help on '%s' (send, confirm, status, "
                              "modules, journal or reconcile)",
                              argv[i]);
    a->help_topic = argv[i];
    return 0;
}

int fc_args_parse(int argc, char **argv, struct fc_args *a)
{
    const struct subcmd *sc;
    unsigned seen = 0;
    int rc, n, words = 0;
    char name[32];

    memset(a, 0, sizeof *a);
    rc = parse_options(argc, argv, a, &seen);
    if (rc != 0 || a->cmd == FC_CMD_VERSION)
        return rc;
    if (a->cmd == FC_CMD_HELP ||
        (optind < argc && strcmp(argv[optind], "help") == 0))
        return take_help(a, argc, argv);
    if (optind >= argc)
        return fc_usage_error("no command given (" COMMAND_NAMES ")");
    sc = find_subcmd(argv + optind, argc - optind, &words);
    if (!sc)
        return fc_usage_error("unknown command '%s' (" COMMAND_NAMES ")",
                              argv[optind]);
    a->cmd = sc->cmd;
    snprintf(name, sizeof name, "%s%s%s", sc->name, sc->word2 ? " " : "",
             sc->word2 ? sc->word2 : "");
    rc = check_combinations(a, seen, name);
    if (rc != 0)
        return rc;
    n = argc - optind - words;
    if (n != sc->operands - (a->list ? 1 : 0))
        return fc_usage_error("usage: fleetcmd [OPTIONS] %s",
                              a->list ? sc->batch_synopsis : sc->synopsis);
    take_operands(a, argv + optind + words);
    if (a->cmd == FC_CMD_RECONCILE && !(seen_bit(OPT_CALL_BOUND) & seen))
        a->call_bound_s = FC_CALL_BOUND_DEFAULT;
    return 0;
}
