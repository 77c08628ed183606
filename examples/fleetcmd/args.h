/*
 * args.h - fleetcmd's command line, parsed and validated before anything is
 * loaded: a usage error never costs a dlopen or a network request.
 */
#ifndef FLEETCMD_ARGS_H
#define FLEETCMD_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status of a usage error (sysexits.h EX_USAGE). */
#define FC_EXIT_USAGE 64

/* The batch limit of a module that states none (module.h); without
 * --batch-size a batch call carries the most its module or stack takes. */
#define FC_BATCH_SIZE_DEFAULT FLEETMOD_BATCH_DEFAULT

enum fc_cmd {
    FC_CMD_NONE,
    FC_CMD_SEND,
    FC_CMD_CONFIRM,
    FC_CMD_STATUS,
    FC_CMD_MODULES,
    FC_CMD_HELP,
    FC_CMD_VERSION,
    FC_CMD_JOURNAL,        /* journal: the commands, newest first */
    FC_CMD_JOURNAL_SHOW,   /* journal show ID */
    FC_CMD_JOURNAL_VERIFY, /* journal verify */
    FC_CMD_JOURNAL_STATS,  /* journal stats */
    FC_CMD_RECONCILE
};

/* reconcile without --call-bound: a row still "sending" with no provider
 * id is taken for lost once it is older than this. Far above any module's
 * own bound on a call (Mobway's timeout_ms is 10 s by default), so a send
 * still under way in another process is never taken for lost. */
#define FC_CALL_BOUND_DEFAULT 300

/* Everything the command line said. Strings point into argv; a VIN is
 * upper-cased there (vin.h). */
struct fc_args {
    enum fc_cmd cmd;
    const char *module;     /* -m: a module name or path */
    const char *config;     /* -c: the module's ini file */
    const char *stack;      /* -s: a stack file */
    bool json;              /* --json: one JSON object per reply on stdout */
    bool verbose;           /* -v: every module log line on stderr */
    const char *vin;        /* send, confirm */
    const char *command;    /* send, confirm */
    const char *code;       /* confirm; send --code */
    const char *id;         /* status */
    const char *provider;   /* --provider: confirm, status */
    bool yes;               /* send --yes */
    bool wait;              /* --wait was given */
    uint64_t wait_ms;       /* --wait SECONDS, in milliseconds */
    const char *list;       /* --vins-file (send), --ids-file (status): a
                               batch; "-" is stdin */
    size_t batch_size;      /* --batch-size: items per batch call; 0: the
                               target's limit (fc_batch_size) */
    const char *help_topic; /* help: the command whose page to show; NULL:
                               the whole manual */
    const char *policy;     /* --policy FILE (NULL: the default, if any) */
    const char *reason;     /* --reason TEXT: send, confirm */
    int64_t deadline_s;     /* --deadline SECONDS from now; 0: none */
    const char *filter_vin; /* journal --vin */
    int64_t since_s;        /* journal --since DURATION, in seconds; 0: all */
    bool unresolved;        /* journal --unresolved */
    bool openmetrics;       /* journal stats --openmetrics */
    int64_t call_bound_s;   /* reconcile --call-bound */
    const char *host_id;    /* reconcile --host-id: a dead machine's */
};

/* Parse argv into *out. Returns 0, or FC_EXIT_USAGE after printing one line
 * saying what is wrong and a hint to --help on stderr. */
int fc_args_parse(int argc, char **argv, struct fc_args *out);

#endif
