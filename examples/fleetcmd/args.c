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
    OPT_BATCH_SIZE
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
    {NULL, 0, NULL, 0}};

#define CMD_BIT(c) (1u << (c))
#define CALLS                                                                  \
    (CMD_BIT(FC_CMD_SEND) | CMD_BIT(FC_CMD_CONFIRM) | CMD_BIT(FC_CMD_STATUS))

/* Options that only some commands take; the others apply to all. */
static const struct opt_rule {
    const char *name;
    int id;
    unsigned cmds;
} rules[] = {
    {"-c", 'c', CALLS},
    {"--wait", OPT_WAIT, CALLS},
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
 * batch_synopsis. */
static const struct subcmd {
    const char *name;
    enum fc_cmd cmd;
    int operands;
    const char *synopsis;
    const char *batch_synopsis;
} subcmds[] = {
    {"send", FC_CMD_SEND, 2, "send VIN COMMAND",
     "send --vins-file FILE COMMAND"},
    {"confirm", FC_CMD_CONFIRM, 3, "confirm VIN COMMAND CODE", NULL},
    {"status", FC_CMD_STATUS, 1, "status ID", "status --ids-file FILE"},
    {"modules", FC_CMD_MODULES, 0, "modules", NULL},
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

/* N: a whole number from 1 to MAX_BATCH_SIZE, digits only. */
static int parse_batch_size(const char *s, size_t *n)
{
    size_t len = strspn(s, "0123456789");

    if (len == 0 || len > 7 || s[len] != '\0')
        return -1;
    *n = (size_t)strtoul(s, NULL, 10);
    return *n >= 1 && *n <= MAX_BATCH_SIZE ? 0 : -1;
}

static void mark_seen(int id, unsigned *seen)
{
    for (size_t i = 0; i < N_RULES; i++)
        if (rules[i].id == id)
            *seen |= 1u << i;
}

/* Stores one option. Returns 0 or a usage error. */
static int take_option(struct fc_args *a, int c, const char *arg,
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

static const struct subcmd *find_subcmd(const char *name)
{
    for (size_t i = 0; i < N_SUBCMDS; i++)
        if (strcmp(subcmds[i].name, name) == 0)
            return &subcmds[i];
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
    if (a->cmd == FC_CMD_STATUS)
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
        return fc_usage_error("no help on '%s' (send, confirm, status or "
                              "modules)",
                              argv[i]);
    a->help_topic = argv[i];
    return 0;
}

int fc_args_parse(int argc, char **argv, struct fc_args *a)
{
    const struct subcmd *sc;
    unsigned seen = 0;
    int rc, n;

    memset(a, 0, sizeof *a);
    rc = parse_options(argc, argv, a, &seen);
    if (rc != 0 || a->cmd == FC_CMD_VERSION)
        return rc;
    if (a->cmd == FC_CMD_HELP ||
        (optind < argc && strcmp(argv[optind], "help") == 0))
        return take_help(a, argc, argv);
    if (optind >= argc)
        return fc_usage_error("no command given (send, confirm, status, "
                              "modules or help)");
    sc = find_subcmd(argv[optind]);
    if (!sc)
        return fc_usage_error("unknown command '%s' (send, confirm, status, "
                              "modules or help)",
                              argv[optind]);
    a->cmd = sc->cmd;
    rc = check_combinations(a, seen, sc->name);
    if (rc != 0)
        return rc;
    n = argc - optind - 1;
    if (n != sc->operands - (a->list ? 1 : 0))
        return fc_usage_error("usage: fleetcmd [OPTIONS] %s",
                              a->list ? sc->batch_synopsis : sc->synopsis);
    take_operands(a, argv + optind + 1);
    return 0;
}
