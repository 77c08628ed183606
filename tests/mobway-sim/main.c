/* mobway-sim: a local stand-in for the Mobway vehicle-command API
 * (https://api.mobway.cloud), written from its public documents only, for
 * tests and benchmarks of clients. See usage() for the whole interface. */
#include "faults.h"
#include "sim.h"
#include "token.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands are forgotten after an hour, and at most this many are kept
 * (the oldest go first), so a long benchmark runs in bounded memory. */
#define COMMAND_TTL_MS (3600 * 1000)
#define COMMAND_CAP 131072

static void usage(FILE *out)
{
    fputs(
        "NAME\n"
        "    mobway-sim - local simulator of the Mobway vehicle-command API\n"
        "\n"
        "SYNOPSIS\n"
        "    mobway-sim [--host 127.0.0.1] [--port N] [--port-file PATH]\n"
        "               [--fixtures FILE] [--cert PEM --key PEM]\n"
        "               [--complete-ms N] [--token-ttl S] [--code-ttl S]\n"
        "               [--fault SPEC]... [--quiet]\n"
        "\n"
        "DESCRIPTION\n"
        "    Serves POST /token, POST /vehicle-command and\n"
        "    GET /vehicle-command/{id} as the Mobway documents describe them,\n"
        "    so that clients can be tested with no account and no vehicle.\n"
        "    Runs until SIGINT or SIGTERM, then exits 0. Logs one line per\n"
        "    request on stderr: \"mobway-sim: POST /token 200\" (\"closed\"\n"
        "    when it closed the connection without an answer).\n"
        "\n"
        "OPTIONS\n"
        "    --host ADDR        address to listen on (default 127.0.0.1)\n"
        "    --port N           port (default 8080; 0 picks a free one)\n"
        "    --port-file PATH   once listening, write the port to PATH\n"
        "                       (written to PATH.tmp, then renamed)\n"
        "    --fixtures FILE    companies and vehicles (ini, format below);\n"
        "                       default: the built-in fixtures\n"
        "    --cert PEM --key PEM\n"
        "                       serve HTTPS with this certificate and key\n"
        "    --complete-ms N    a command stays Pending N ms after it ran\n"
        "                       (default 2000)\n"
        "    --token-ttl S      bearer token lifetime (default 3600)\n"
        "    --code-ttl S       ignition confirmation code lifetime\n"
        "                       (default 300)\n"
        "    --fault NAME=VALUE inject a fault (repeatable; see FAULTS)\n"
        "    --quiet            print nothing but fatal errors (no line per\n"
        "                       request on stderr)\n"
        "    --help             this text\n"
        "\n"
        "ROUTES\n"
        "    POST /token        form client_id & client_secret, or username &\n"
        "                       password -> {\"token\", \"expiration\"}\n"
        "    POST /vehicle-command\n"
        "                       Authorization: Bearer, X-Signature, JSON body\n"
        "                       {\"vin\", \"command\"[, \"code\"]} -> Pending, "
        "or\n"
        "                       Confirmation {\"code\", \"message\"} for\n"
        "                       enable_ignition/disable_ignition; the second\n"
        "                       step (same body plus \"code\") confirms and\n"
        "                       answers with the first step's id\n"
        "    GET /vehicle-command/{id}\n"
        "                       Confirmation, Pending, then Success (detail\n"
        "                       per command) or Error (failing vehicle)\n"
        "    GET /_sim/stats    counters: requests per route and status\n"
        "                       (\"closed\": no answer), "
        "connections_accepted,\n"
        "                       tls_handshakes, commands_registered,\n"
        "                       executions per id, max_executions\n"
        "    GET|POST /_sim/faults  read or set faults: "
        "{\"reset-after\":100},\n"
        "                       {\"clear\":true}\n"
        "    POST /_sim/reset   zero the counters, forget all commands\n"
        "\n"
        "    Times are UTC-3 \"YYYY-MM-DD HH:MM:SS\". X-Signature is the\n"
        "    lowercase hex HMAC-SHA256, keyed with the company's sign_secret,\n"
        "    of {\"command\":\"...\",\"vin\":\"...\"} escaped as Python's\n"
        "    json.dumps(..., separators=(\",\", \":\"), sort_keys=True) does.\n"
        "\n"
        "HTTP STATUS\n"
        "    200  Pending, Confirmation, a status, a token\n"
        "    400  Confirmation invalid (wrong, expired or unknown code)\n"
        "    401  bearer token missing, invalid or expired; unknown client\n"
        "         credentials on /token (401 never means the signature)\n"
        "    403  Sign-secret not found. (the signature is valid for this\n"
        "         body under another company's sign_secret)\n"
        "         X-Signature invalid. (missing, garbled or matching no\n"
        "         sign_secret)\n"
        "    404  VIN not found or unauthorized access.\n"
        "         Command not found or unauthorized access. (also for an\n"
        "         unknown, expired or other company's command id)\n"
        "    409  Confirmation already used\n"
        "    422  Invalid VIN. ... / Invalid command. ... (missing, empty or\n"
        "         not a string); a /token call without a credential pair\n"
        "    429  ratelimit fault, with Retry-After: 1\n"
        "    502  Failed to send command to the OEM. (fail = oem_send_fail)\n"
        "         Failed to initiate command with the OEM or retrieve\n"
        "         status URL. (fail = oem_init_fail)\n"
        "    503  status5xx fault\n"
        "    Errors are JSON {\"detail\": \"<text>\"}.\n"
        "\n"
        "FAULTS\n"
        "    Only POST /vehicle-command is affected. VALUE is a percentage of\n"
        "    requests (0-100) except for latency and hold.\n"
        "    latency=MS       delay the answer by MS (other connections go "
        "on)\n"
        "    ratelimit=P      429 {\"detail\"} with Retry-After: 1\n"
        "    status5xx=P      503 {\"detail\"}\n"
        "    reset-before=P   close the connection; nothing registered\n"
        "    reset-after=P    register and execute the command, then close\n"
        "                     the connection without answering\n"
        "    malformed=P      register and execute, answer 200 with a body\n"
        "                     that is not JSON\n"
        "    oversize=P       register and execute, answer 200 with 2 MiB\n"
        "    hold=MS          register and execute, then hold the answer MS\n"
        "                     (a client killed meanwhile: a command that ran\n"
        "                     and was never answered)\n"
        "    ratelimit, status5xx and reset-before strike before any check;\n"
        "    the last three only when a command was executed.\n"
        "\n"
        "FIXTURES\n"
        "    An ini file:\n"
        "      [company NAME]\n"
        "      client_id = ID\n"
        "      client_secret = SECRET\n"
        "      sign_secret = KEY\n"
        "      [vehicle VIN]          (below its company)\n"
        "      company = NAME\n"
        "      commands = location, diagnostics, lock_door, unlock_door,\n"
        "                 enable_ignition, disable_ignition  (any subset)\n"
        "      fail = error | oem_send_fail | oem_init_fail   (optional)\n"
        "    Built in: company demo (demo-client / demo-secret, sign_secret\n"
        "    demo-sign-secret) with 6AHFT68CKAF501652 (all six commands),\n"
        "    9BWZZZ377VT004251 (location, lock_door, unlock_door) and\n"
        "    1HGCM82633A004352 (diagnostics, always ends in Error).\n"
        "\n"
        "    Commands are kept for an hour, at most 131072 of them.\n",
        out);
}

enum { OPT_PORT_FILE = 256, OPT_COMPLETE_MS, OPT_TOKEN_TTL, OPT_CODE_TTL };

static const struct option long_options[] = {
    {"host", required_argument, NULL, 'h'},
    {"port", required_argument, NULL, 'p'},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"fixtures", required_argument, NULL, 'f'},
    {"cert", required_argument, NULL, 'c'},
    {"key", required_argument, NULL, 'k'},
    {"complete-ms", required_argument, NULL, OPT_COMPLETE_MS},
    {"token-ttl", required_argument, NULL, OPT_TOKEN_TTL},
    {"code-ttl", required_argument, NULL, OPT_CODE_TTL},
    {"fault", required_argument, NULL, 'F'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'H'},
    {NULL, 0, NULL, 0},
};

static int number(const char *name, const char *text, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > max) {
        fprintf(stderr, "mobway-sim: --%s wants a number from 0 to %ld\n", name,
                max);
        return -1;
    }
    *out = v;
    return 0;
}

/* 0: run; 1: exit 0 (--help); -1: exit 2. */
static int parse_args(int argc, char **argv, struct sim_config *cfg)
{
    long port = 8080;
    int opt;
    int rc = 0;
    while (rc == 0 &&
           (opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        switch (opt) {
        case 'h':
            cfg->host = optarg;
            break;
        case 'p':
            rc = number("port", optarg, 65535, &port);
            break;
        case OPT_PORT_FILE:
            cfg->port_file = optarg;
            break;
        case 'f':
            cfg->fixtures = optarg;
            break;
        case 'c':
            cfg->cert = optarg;
            break;
        case 'k':
            cfg->key = optarg;
            break;
        case OPT_COMPLETE_MS:
            rc = number("complete-ms", optarg, 86400000, &cfg->complete_ms);
            break;
        case OPT_TOKEN_TTL:
            rc = number("token-ttl", optarg, 86400 * 365, &cfg->token_ttl_s);
            break;
        case OPT_CODE_TTL:
            rc = number("code-ttl", optarg, 86400, &cfg->code_ttl_s);
            break;
        case 'F':
            if (faults_parse_spec(optarg) < 0) {
                fprintf(stderr, "mobway-sim: bad --fault '%s'\n", optarg);
                rc = -1;
            }
            break;
        case 'q':
            cfg->quiet = true;
            break;
        case 'H':
            usage(stdout);
            return 1;
        default:
            rc = -1;
        }
    }
    if (rc == 0 && (optind < argc || !cfg->cert != !cfg->key)) {
        fprintf(stderr, "mobway-sim: %s\n",
                optind < argc ? "unexpected argument"
                              : "--cert and --key go together");
        rc = -1;
    }
    cfg->port = (unsigned)port;
    return rc;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (!f)
        return NULL;
    FILE *mem = open_memstream(&text, &len);
    char buf[4096];
    size_t n;
    while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    if (mem)
        fclose(mem);
    fclose(f);
    return text;
}

/* Written under a temporary name and renamed, so a reader never sees a
 * half-written port. */
static int write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", port);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return -1;
    return 0;
}

static int serve(struct sim *s)
{
    char err[512];
    char *cert = s->cfg.cert ? read_file(s->cfg.cert) : NULL;
    char *key = s->cfg.key ? read_file(s->cfg.key) : NULL;
    int rc = -1;
    if (s->cfg.cert && (!cert || !key))
        snprintf(err, sizeof err, "cannot read %s or %s", s->cfg.cert,
                 s->cfg.key);
    else if (server_start(s, cert, key, err, sizeof err) == 0)
        rc = 0;
    free(cert);
    free(key);
    unsigned port = rc == 0 ? server_port(s) : 0;
    if (rc == 0 && s->cfg.port_file &&
        write_port_file(s->cfg.port_file, port) < 0) {
        snprintf(err, sizeof err, "cannot write %s", s->cfg.port_file);
        rc = -1;
    }
    if (rc < 0) {
        fprintf(stderr, "mobway-sim: %s\n", err);
        return -1;
    }
    if (!s->cfg.quiet)
        fprintf(stderr, "mobway-sim: listening on %s://%s:%u\n",
                s->cfg.cert ? "https" : "http", s->cfg.host, port);
    sigset_t wait_for;
    sigemptyset(&wait_for);
    sigaddset(&wait_for, SIGINT);
    sigaddset(&wait_for, SIGTERM);
    int sig;
    sigwait(&wait_for, &sig);
    return 0;
}

int main(int argc, char **argv)
{
    struct sim s = {.cfg = {.host = "127.0.0.1",
                            .complete_ms = 2000,
                            .token_ttl_s = 3600,
                            .code_ttl_s = 300}};
    int args = parse_args(argc, argv, &s.cfg);
    if (args != 0)
        return args > 0 ? 0 : 2;
    char err[512];
    if (fixtures_load(&s.fx, s.cfg.fixtures, err, sizeof err) < 0) {
        fprintf(stderr, "mobway-sim: %s\n", err);
        return 2;
    }
    /* Block the stop signals in every thread, main waits for them with
     * sigwait; a broken client connection must not kill the process. */
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = 1;
    s.store = store_new(COMMAND_CAP, COMMAND_TTL_MS);
    if (!s.store || token_init() < 0)
        fprintf(stderr, "mobway-sim: out of memory or randomness\n");
    else if (serve(&s) == 0)
        rc = 0;
    server_stop(&s);
    store_free(s.store);
    fixtures_free(&s.fx);
    return rc;
}
