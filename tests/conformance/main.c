/*
 * fleetmod-conformance - check any provider module against the contract.
 *
 *   fleetmod-conformance [--vin VIN --command CMD] [--threads N]
 *                        [--reloads N] [--verbose] MODULE CONFIG
 *
 * MODULE is the module's file, CONFIG the ini file its init reads. With
 * --vin and --command the tool also sends that real command (and asks its
 * status), which must succeed; without them it sends only requests every
 * module must refuse, so it needs no backend. Prints one TAP-like line per
 * check, then "N passed, N failed"; exits 0 only when every check passed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "conformance.h"

/* A VIN of valid syntax for near-valid requests when none is given. */
#define SYNTAX_VIN "1HGCM82633A004352"

/* --help: the synopsis and what the tool does on stdout, exit 0; a usage
 * error: the synopsis on stderr, exit 64. */
static void usage(FILE *out, int status)
{
    fprintf(out, "usage: fleetmod-conformance [--vin VIN --command CMD] "
                 "[--threads N] [--reloads N] [--verbose] MODULE CONFIG\n");
    if (out == stdout)
        fputs("\nCheck the provider module MODULE (its file; CONFIG: the ini "
              "file its init\nreads) against the fleetmod contract. With "
              "--vin and --command it also\nsends that real command, which "
              "must succeed; without them only requests\nevery module must "
              "refuse, so it needs no backend. One TAP-like line per\ncheck, "
              "then \"N passed, N failed\"; exit 0 only when every check "
              "passed.\n",
              out);
    exit(status);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"vin", required_argument, NULL, 'v'},
        {"command", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'},
        {"reloads", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct target t = {.vin = SYNTAX_VIN};
    int threads = 8, reloads = 100, c;
    bool probe_vin = false;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'v':
            t.vin = optarg;
            probe_vin = true;
            break;
        case 'c':
            t.command = optarg;
            break;
        case 't':
            threads = atoi(optarg);
            break;
        case 'r':
            reloads = atoi(optarg);
            break;
        case 'V':
            log_verbose = true;
            break;
        case 'h':
            usage(stdout, 0);
            break;
        default:
            usage(stderr, 64);
        }
    }
    if (argc - optind != 2 || probe_vin != !!t.command || threads < 1 ||
        reloads < 0)
        usage(stderr, 64);
    t.path = argv[optind];
    t.config = argv[optind + 1];
    printf("# fleetmod-conformance %s %s\n", t.path, t.config);

    if (!check_load(&t))
        return tap_bail("the module's table cannot be used");
    if (!check_init(&t))
        return tap_bail("no instance to test");
    check_malformed(&t);
    check_unknown_id(&t);
    check_write_failure(&t);
    if (t.command)
        check_probe(&t);
    check_threads(&t, threads, 200);
    check_fork(&t);
    check_shutdown(&t);
    check_log();
    check_reload(&t, reloads);
    return tap_summary();
}
