/*
 * test_mobway.c - mobway.so, loaded with dlopen as any host would, driven
 * against a running mobway-sim (tests/mobway/run.sh starts it).
 *
 *   test_mobway MODULE SIM_URL SUITE [CA_FILE]
 *
 * SUITE "main" (a sim with tests/mobway/fixtures.ini and --complete-ms)
 * or "expiry" (a sim with --token-ttl 2 --code-ttl 1). Requests are built
 * and replies read with msgpack-c; the simulator's faults and counters are
 * driven over its /_sim routes with libcurl and jansson. Prints one line
 * per check and closes with "N passed, N failed".
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <fleetmod/module.h>
#include <jansson.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../lib/msgmap.h"
#include "../lib/msgreq.h"

static const struct fleetmod_module *mod;
static const char *sim_url, *ca_file;
static char dir[64];
static int passed, failed;

#define CHECK(cond, ...)                                                       \
    do {                                                                       \
        if (cond) {                                                            \
            passed++;                                                          \
        } else {                                                               \
            failed++;                                                          \
            printf("not ok - %s:%d: %s: ", __func__, __LINE__, #cond);         \
            printf(__VA_ARGS__);                                               \
            printf("\n");                                                      \
        }                                                                      \
    } while (0)

/* ------------------------------------------------------------ the module */

static void host_log(void *user, int level, const char *msg)
{
    (void)user;
    if (getenv("MOBWAY_TEST_VERBOSE") || level <= 3)
        fprintf(stderr, "  log[%d] %s\n", level, msg);
}

static const struct fleetmod_host host = {sizeof host, NULL, host_log};

/* The instances' timeout_ms: 3 s, or MOBWAY_IT_TIMEOUT_MS (the memcheck
 * run's is longer: under valgrind a TLS handshake alone can take a
 * second). connect_timeout_ms is a third of it. */
static long timeout_ms = 3000;

/* Writes a config: the common keys plus extra lines. */
static char *config(const char *name, const char *extra)
{
    static char path[128];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.conf", dir, name);
    f = fopen(path, "w");
    fprintf(f,
            "[mobway]\nbase_url = %s\n%s%s%s\nconnect_timeout_ms = %ld\n"
            "timeout_ms = %ld\npoll_initial_ms = 50\npoll_max_ms = 400\n%s",
            sim_url, strncmp(sim_url, "http:", 5) ? "" : "allow_http = true\n",
            ca_file ? "ca_file = " : "", ca_file ? ca_file : "", timeout_ms / 3,
            timeout_ms, extra);
    fclose(f);
    chmod(path, 0600);
    return path;
}

static struct fleetmod_instance *open_inst(const char *name, const char *extra)
{
    struct fleetmod_instance *inst = NULL;
    fleetmod_rc rc = mod->init(&host, config(name, extra), &inst);

    if (rc != FLEETMOD_OK)
        printf("# init %s failed: %d\n", name, rc);
    return inst;
}

static const char *demo_creds(void)
{
    static char s[256];
    snprintf(s, sizeof s,
             "client_id = demo-client\nclient_secret_file = %s/cs\n"
             "sign_secret_file = %s/ss\n",
             dir, dir);
    return s;
}

/* A reply as a msgpack object. */
struct reply {
    msgpack_sbuffer buf;
    msgpack_unpacked msg;
    fleetmod_rc rc;
};

static void call_raw(fleetmod_call_fn fn, struct fleetmod_instance *inst,
                     const char *req, size_t len, struct reply *r)
{
    msgpack_sbuffer_init(&r->buf);
    msgpack_unpacked_init(&r->msg);
    r->rc = fn(inst, req, len, msgpack_sbuffer_write, &r->buf);
    if (msgpack_unpack_next(&r->msg, r->buf.data, r->buf.size, NULL) !=
            MSGPACK_UNPACK_SUCCESS ||
        r->msg.data.type != MSGPACK_OBJECT_MAP)
        printf("# reply is not one map\n");
}

static void call(fleetmod_call_fn fn, struct fleetmod_instance *inst,
                 struct reply *r, ...)
{
    msgpack_sbuffer req;
    va_list ap;

    msgpack_sbuffer_init(&req);
    va_start(ap, r);
    msgreq_build(&req, ap);
    va_end(ap);
    call_raw(fn, inst, req.data, req.size, r);
    msgpack_sbuffer_destroy(&req);
}

static void done(struct reply *r)
{
    msgpack_unpacked_destroy(&r->msg);
    msgpack_sbuffer_destroy(&r->buf);
}

/* A bool member: 1 or 0, -1 when it is missing or not a bool. */
static int truth(const msgpack_object *m, const char *key)
{
    const msgpack_object *v = msgmap_get(m, key);
    return v && v->type == MSGPACK_OBJECT_BOOLEAN ? v->via.boolean : -1;
}

/* A string member as a C string ("" when absent); valid until the next
 * call with the same slot. */
static const char *str(const msgpack_object *m, const char *key)
{
    static char bufs[4][2048];
    static int slot;
    const msgpack_object *v = msgmap_get(m, key);
    char *b = bufs[slot++ % 4];

    b[0] = '\0';
    if (v && v->type == MSGPACK_OBJECT_STR)
        snprintf(b, 2048, "%.*s", (int)v->via.str.size, v->via.str.ptr);
    return b;
}

static int64_t num(const msgpack_object *m, const char *key)
{
    const msgpack_object *v = msgmap_get(m, key);
    if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)v->via.u64;
    if (v && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return v->via.i64;
    return -1;
}

#define R(r) (&(r)->msg.data)
#define ERR(r) msgmap_get(R(r), "error")

/* ------------------------------------------------------------ simulator */

static size_t collect(char *d, size_t s, size_t n, void *u)
{
    char **buf = u;
    size_t old = *buf ? strlen(*buf) : 0;
    *buf = realloc(*buf, old + s * n + 1);
    memcpy(*buf + old, d, s * n);
    (*buf)[old + s * n] = '\0';
    return s * n;
}

static json_t *sim(const char *path, const char *post)
{
    CURL *e = curl_easy_init();
    char url[256], *body = NULL;
    json_t *j;

    snprintf(url, sizeof url, "%s%s", sim_url, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    if (ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
    if (post)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, post);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    curl_easy_perform(e);
    curl_easy_cleanup(e);
    j = body ? json_loads(body, 0, NULL) : NULL;
    free(body);
    return j;
}

static void faults(const char *json)
{
    json_decref(sim("/_sim/faults", json));
}

static json_int_t stat_int(const char *key)
{
    json_t *s = sim("/_sim/stats", NULL);
    json_int_t v = json_integer_value(json_object_get(s, key));
    json_decref(s);
    return v;
}

static json_int_t route_count(const char *route)
{
    json_t *s = sim("/_sim/stats", NULL), *v;
    const char *k;
    json_int_t n = 0;

    json_object_foreach(json_object_get(json_object_get(s, "requests"), route),
                        k, v) n += json_integer_value(v);
    json_decref(s);
    return n;
}

/* ---------------------------------------------------------------- checks */

static struct fleetmod_instance *inst; /* the demo account */

#define VIN_ALL "6AHFT68CKAF501652"
#define VIN_DOORS "9BWZZZ377VT004251"
#define VIN_ERROR "1HGCM82633A004352"

/* send, then status with wait_ms until success. */
static void command_succeeds(const char *vin, const char *command)
{
    struct reply s, st;
    char id[64];

    call(mod->send, inst, &s, "vin", vin, "command", command, "request_id",
         "rq-1", NULL);
    CHECK(s.rc == FLEETMOD_OK, "%s: rc %d %s", command, s.rc,
          str(ERR(&s), "message"));
    CHECK(strcmp(str(R(&s), "status"), "pending") == 0, "%s",
          str(R(&s), "status"));
    CHECK(strcmp(str(R(&s), "request_id"), "rq-1") == 0, "echo");
    CHECK(num(R(&s), "created") > 1600000000, "created");
    snprintf(id, sizeof id, "%s", str(R(&s), "id"));
    CHECK(strlen(id) == 36, "id %s", id);
    call(mod->status, inst, &st, "id", id, "#wait_ms", "20000", NULL);
    CHECK(st.rc == FLEETMOD_OK && strcmp(str(R(&st), "status"), "success") == 0,
          "%s: status %s rc %d", command, str(R(&st), "status"), st.rc);
    CHECK(truth(R(&st), "terminal") == 1, "terminal");
    CHECK(num(R(&st), "updated") > 1600000000, "updated");
    CHECK(num(R(&st), "executed") > 1600000000, "executed");
    CHECK(msgmap_get(R(&st), "detail") &&
              msgmap_get(R(&st), "detail")->type == MSGPACK_OBJECT_MAP,
          "detail map");
    if (strcmp(command, "location") == 0) {
        const msgpack_object *lat =
            msgmap_get(msgmap_get(R(&st), "detail"), "latitude");
        CHECK(lat && lat->type == MSGPACK_OBJECT_FLOAT64,
              "latitude stays a float");
    }
    done(&s);
    done(&st);
}

static void all_six_commands(void)
{
    command_succeeds(VIN_ALL, "location");
    command_succeeds(VIN_ALL, "diagnostics");
    command_succeeds(VIN_ALL, "lock_door");
    command_succeeds(VIN_DOORS, "unlock_door");
}

/* Ignition: confirmation with code and message, then confirm. */
static void ignition_two_steps(const char *command)
{
    struct reply s, c, again, st;
    char code[16], id[64];

    call(mod->send, inst, &s, "vin", VIN_ALL, "command", command, NULL);
    CHECK(s.rc == FLEETMOD_OK &&
              strcmp(str(R(&s), "status"), "confirmation") == 0,
          "%s: %s rc %d", command, str(R(&s), "status"), s.rc);
    snprintf(code, sizeof code, "%s", str(R(&s), "code"));
    CHECK(strlen(code) == 6 && strspn(code, "0123456789") == 6, "code");
    CHECK(strlen(str(R(&s), "message")) > 10, "message");
    CHECK(truth(R(&s), "terminal") == 0, "not terminal");
    call(mod->confirm, inst, &c, "vin", VIN_ALL, "command", command, "code",
         code, NULL);
    CHECK(c.rc == FLEETMOD_OK && strcmp(str(R(&c), "status"), "pending") == 0,
          "confirm: %s rc %d %s", str(R(&c), "status"), c.rc,
          str(ERR(&c), "message"));
    snprintf(id, sizeof id, "%s", str(R(&c), "id"));
    call(mod->status, inst, &st, "id", id, "#wait_ms", "20000", NULL);
    CHECK(strcmp(str(R(&st), "status"), "success") == 0, "%s",
          str(R(&st), "status"));
    call(mod->confirm, inst, &again, "vin", VIN_ALL, "command", command, "code",
         code, NULL);
    CHECK(again.rc == FLEETMOD_ECONFIRM, "used code: rc %d", again.rc);
    CHECK(strcmp(str(ERR(&again), "message"), "Confirmation already used") == 0,
          "%s", str(ERR(&again), "message"));
    CHECK(strcmp(str(ERR(&again), "delivered"), "no") == 0, "delivered");
    done(&s);
    done(&c);
    done(&again);
    done(&st);
}

static void expect_error(struct fleetmod_instance *in, const char *vin,
                         const char *command, fleetmod_rc rc, const char *text,
                         const char *delivered)
{
    struct reply r;

    call(mod->send, in, &r, "vin", vin, "command", command, NULL);
    CHECK(r.rc == rc, "%s %s: rc %d, want %d (%s)", vin, command, r.rc, rc,
          str(ERR(&r), "message"));
    CHECK(num(ERR(&r), "code") == rc, "error.code");
    CHECK(strcmp(str(R(&r), "status"), "failed") == 0, "status failed");
    if (text)
        CHECK(strcmp(str(ERR(&r), "message"), text) == 0, "message '%s'",
              str(ERR(&r), "message"));
    CHECK(strcmp(str(ERR(&r), "delivered"), delivered) == 0, "delivered %s",
          str(ERR(&r), "delivered"));
    done(&r);
}

static void wrong_code(void)
{
    struct reply s, c;

    call(mod->send, inst, &s, "vin", VIN_ALL, "command", "disable_ignition",
         NULL);
    call(mod->confirm, inst, &c, "vin", VIN_ALL, "command", "disable_ignition",
         "code", strcmp(str(R(&s), "code"), "000000") ? "000000" : "111111",
         NULL);
    CHECK(c.rc == FLEETMOD_ECONFIRM, "rc %d", c.rc);
    CHECK(strcmp(str(ERR(&c), "message"), "Confirmation invalid") == 0, "%s",
          str(ERR(&c), "message"));
    done(&s);
    done(&c);
}

static void seed_error_texts(void)
{
    /* Another company's sign secret, and one of no company: each
     * refused with the API's own text. */
    static const struct {
        const char *name, *file, *text;
    } signs[] = {{"other-sign", "other", "Sign-secret not found."},
                 {"wrong-sign", "wrong", "X-Signature invalid."}};
    char extra[512];

    expect_error(inst, "WVWZZZ1JZXW000003", "location", FLEETMOD_EDENIED,
                 "VIN not found or unauthorized access.", "no");
    expect_error(inst, VIN_DOORS, "diagnostics", FLEETMOD_EDENIED,
                 "Command not found or unauthorized access.", "no");
    expect_error(inst, "2T1BURHE0JC000001", "lock_door", FLEETMOD_EPROVIDER,
                 "Failed to send command to the OEM.", "yes");
    expect_error(inst, "3VWFE21C04M000002", "lock_door", FLEETMOD_EPROVIDER,
                 "Failed to initiate command with the OEM or retrieve "
                 "status URL.",
                 "yes");
    for (size_t i = 0; i < sizeof signs / sizeof *signs; i++) {
        snprintf(extra, sizeof extra,
                 "client_id = demo-client\nclient_secret_file = %s/cs\n"
                 "sign_secret_file = %s/%s\n",
                 dir, dir, signs[i].file);
        struct fleetmod_instance *in = open_inst(signs[i].name, extra);
        expect_error(in, VIN_ALL, "location", FLEETMOD_EAUTH, signs[i].text,
                     "no");
        mod->shutdown(in);
    }
}

static void vehicle_error_is_status_error(void)
{
    struct reply s, st;
    char id[64];

    call(mod->send, inst, &s, "vin", VIN_ERROR, "command", "diagnostics", NULL);
    snprintf(id, sizeof id, "%s", str(R(&s), "id"));
    call(mod->status, inst, &st, "id", id, "#wait_ms", "20000", NULL);
    CHECK(st.rc == FLEETMOD_OK && strcmp(str(R(&st), "status"), "error") == 0,
          "status %s rc %d", str(R(&st), "status"), st.rc);
    CHECK(truth(R(&st), "terminal") == 1, "terminal");
    done(&s);
    done(&st);
}

static void unknown_id_is_not_found(void)
{
    struct reply r;

    call(mod->status, inst, &r, "id", "8619b2df-1d68-40e1-8760-cf36f06d00b5",
         NULL);
    CHECK(r.rc == FLEETMOD_ENOTFOUND, "rc %d", r.rc);
    CHECK(num(ERR(&r), "http_status") == 404, "http_status");
    done(&r);
}

static void bad_requests_are_einval(void)
{
    struct reply r;

    expect_error(inst, "6AHFT68CKAF50165O", "location", FLEETMOD_EINVAL, NULL,
                 "no");
    expect_error(inst, VIN_ALL, "Location", FLEETMOD_EINVAL, NULL, "no");
    call(mod->confirm, inst, &r, "vin", VIN_ALL, "command", "enable_ignition",
         "code", "12345", NULL);
    CHECK(r.rc == FLEETMOD_EINVAL, "5-digit code: rc %d", r.rc);
    done(&r);
    call_raw(mod->send, inst, "\xdf\xff\xff\xff\xff", 5, &r);
    CHECK(r.rc == FLEETMOD_EINVAL, "huge claimed map: rc %d", r.rc);
    done(&r);
}

/* Each fault on the command POST, with a warm token. */
static void fault_maps(const char *fault, fleetmod_rc rc, const char *delivered)
{
    char json[128];

    snprintf(json, sizeof json, "{\"clear\":true,\"%s\":100}", fault);
    faults(json);
    expect_error(inst, VIN_ALL, "lock_door", rc, NULL, delivered);
    faults("{\"clear\":true}");
}

static void faults_map_to_rc(void)
{
    struct reply r;

    fault_maps("status5xx", FLEETMOD_EUNKNOWN, "unknown");
    fault_maps("reset-before", FLEETMOD_EUNKNOWN, "unknown");
    fault_maps("reset-after", FLEETMOD_EUNKNOWN, "unknown");
    fault_maps("malformed", FLEETMOD_EUNKNOWN, "unknown");
    fault_maps("oversize", FLEETMOD_EUNKNOWN, "unknown");
    fault_maps("ratelimit", FLEETMOD_ERATELIMIT, "no");
    faults("{\"clear\":true,\"ratelimit\":100}");
    call(mod->send, inst, &r, "vin", VIN_ALL, "command", "lock_door", NULL);
    CHECK(num(ERR(&r), "retry_after_ms") == 1000, "retry_after_ms %lld",
          (long long)num(ERR(&r), "retry_after_ms"));
    CHECK(num(ERR(&r), "http_status") == 429, "http_status");
    done(&r);
    {
        char latency[64];
        snprintf(latency, sizeof latency, "{\"clear\":true,\"latency\":%ld}",
                 timeout_ms + 1000);
        faults(latency);
    }
    expect_error(inst, VIN_ALL, "lock_door", FLEETMOD_EUNKNOWN, NULL,
                 "unknown");
    faults("{\"clear\":true}");
    /* the delayed command still registers once its latency is up (1 s
     * after our timeout): let it, so that it is not counted by the next
     * check */
    sleep(2);
}

/* Sends n lock_door; returns how many answered OK, checks the others
 * are EUNKNOWN (delivered unknown). */
static int send_many(int n)
{
    int ok = 0;

    for (int i = 0; i < n; i++) {
        struct reply r;
        call(mod->send, inst, &r, "vin", VIN_ALL, "command", "lock_door", NULL);
        ok += r.rc == FLEETMOD_OK;
        CHECK(r.rc == FLEETMOD_OK || r.rc == FLEETMOD_EUNKNOWN, "rc %d", r.rc);
        done(&r);
    }
    return ok;
}

/* The libcurl resend trap: under reset-after on warm keep-alive
 * connections, each send registers exactly one command (a silent resend
 * would register two), and under status5xx only the answered ones ran. */
static void no_double_execution(void)
{
    json_int_t before = stat_int("commands_registered");
    int n = 20, ok;

    faults("{\"clear\":true,\"reset-after\":50}");
    ok = send_many(n);
    CHECK(ok > 0 && ok < n, "reset-after 50%%: %d of %d answered", ok, n);
    CHECK(stat_int("commands_registered") - before == n,
          "reset-after: %lld registered for %d sends",
          (long long)(stat_int("commands_registered") - before), n);
    before = stat_int("commands_registered");
    faults("{\"clear\":true,\"status5xx\":50}");
    ok = send_many(n);
    CHECK(stat_int("commands_registered") - before == ok,
          "status5xx: %lld registered, %d answered",
          (long long)(stat_int("commands_registered") - before), ok);
    faults("{\"clear\":true}");
    CHECK(stat_int("max_executions") <= 1, "max_executions %lld",
          (long long)stat_int("max_executions"));
}

static void unreachable_is_safe_to_retry(void)
{
    char extra[512];
    struct fleetmod_instance *in;
    struct reply r;

    const char *saved = sim_url;

    snprintf(extra, sizeof extra,
             "token = t\nsign_secret = s\nretry_unreachable = 2\n");
    /* port 1 of loopback: nothing listens there */
    sim_url = strncmp(saved, "https", 5) ? "http://127.0.0.1:1"
                                         : "https://127.0.0.1:1";
    in = open_inst("unreachable", extra);
    sim_url = saved;
    call(mod->send, in, &r, "vin", VIN_ALL, "command", "location", NULL);
    CHECK(r.rc == FLEETMOD_EUNREACHABLE, "rc %d", r.rc);
    CHECK(strcmp(str(ERR(&r), "delivered"), "no") == 0, "delivered");
    done(&r);
    mod->shutdown(in);
}

static void fixed_token_rejected_is_eauth(void)
{
    char extra[256];
    struct fleetmod_instance *in;

    snprintf(extra, sizeof extra,
             "token = not-a-token\nsign_secret_file = "
             "%s/ss\n",
             dir);
    in = open_inst("fixed", extra);
    expect_error(in, VIN_ALL, "location", FLEETMOD_EAUTH, NULL, "no");
    mod->shutdown(in);
}

static void batches(void)
{
    msgpack_sbuffer req;
    msgpack_packer pk;
    struct reply r, st;
    const msgpack_object *res;
    const char *vins[] = {VIN_ALL, VIN_DOORS, VIN_ERROR};
    char ids[2][64];

    msgpack_sbuffer_init(&req);
    msgpack_packer_init(&pk, &req, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "vins", 4);
    msgpack_pack_array(&pk, 3);
    for (int i = 0; i < 3; i++)
        msgpack_pack_str_with_body(&pk, vins[i], strlen(vins[i]));
    msgpack_pack_str_with_body(&pk, "command", 7);
    msgpack_pack_str_with_body(&pk, "location", 8);
    call_raw(mod->send, inst, req.data, req.size, &r);
    res = msgmap_get(R(&r), "results");
    CHECK(r.rc == FLEETMOD_OK && strcmp(str(R(&r), "status"), "batch") == 0,
          "rc %d", r.rc);
    CHECK(res && res->type == MSGPACK_OBJECT_ARRAY && res->via.array.size == 3,
          "results");
    if (!res || res->via.array.size != 3)
        return;
    CHECK(strcmp(str(&res->via.array.ptr[0], "status"), "pending") == 0,
          "item 0");
    CHECK(strcmp(str(&res->via.array.ptr[1], "vin"), VIN_DOORS) == 0, "order");
    CHECK(num(msgmap_get(&res->via.array.ptr[2], "error"), "code") ==
              FLEETMOD_EDENIED,
          "item 2 denied");
    for (int i = 0; i < 2; i++)
        snprintf(ids[i], 64, "%s", str(&res->via.array.ptr[i], "id"));
    msgpack_sbuffer_clear(&req);
    msgpack_pack_map(&pk, 2);
    msgpack_pack_str_with_body(&pk, "ids", 3);
    msgpack_pack_array(&pk, 2);
    for (int i = 0; i < 2; i++)
        msgpack_pack_str_with_body(&pk, ids[i], strlen(ids[i]));
    msgpack_pack_str_with_body(&pk, "wait_ms", 7);
    msgpack_pack_uint32(&pk, 5000);
    call_raw(mod->status, inst, req.data, req.size, &st);
    res = msgmap_get(R(&st), "results");
    CHECK(res && res->via.array.size == 2 &&
              strcmp(str(&res->via.array.ptr[0], "status"), "success") == 0 &&
              strcmp(str(&res->via.array.ptr[1], "status"), "success") == 0,
          "batch status");
    done(&r);
    done(&st);
    msgpack_sbuffer_destroy(&req);
}

static void fork_child_gets_einternal(void)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        struct reply r;
        call(mod->send, inst, &r, "vin", VIN_ALL, "command", "location", NULL);
        _exit(r.rc == FLEETMOD_EINTERNAL ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d",
          status);
}

/* --token-ttl 2 --code-ttl 1: renewal mid-run and expired codes. */
static void token_expiry(void)
{
    json_int_t tokens = route_count("POST /token");
    struct reply s, c;

    for (int i = 0; i < 2; i++) {
        call(mod->send, inst, &s, "vin", VIN_ALL, "command", "location", NULL);
        CHECK(s.rc == FLEETMOD_OK, "send %d: rc %d %s", i, s.rc,
              str(ERR(&s), "message"));
        done(&s);
        if (i == 0)
            sleep(3); /* past the 2 s token */
    }
    CHECK(route_count("POST /token") - tokens == 2, "tokens fetched %lld",
          (long long)(route_count("POST /token") - tokens));
    call(mod->send, inst, &s, "vin", VIN_ALL, "command", "enable_ignition",
         NULL);
    sleep(2);
    call(mod->confirm, inst, &c, "vin", VIN_ALL, "command", "enable_ignition",
         "code", str(R(&s), "code"), NULL);
    CHECK(c.rc == FLEETMOD_ECONFIRM, "expired code: rc %d", c.rc);
    done(&s);
    done(&c);
}

static void write_secret(const char *name, const char *value)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    fprintf(f, "%s\n", value);
    fclose(f);
    chmod(path, 0600);
}

int main(int argc, char **argv)
{
    void *dl;
    fleetmod_module_fn entry;
    bool main_suite;

    /* line-buffered, so that a crash cannot swallow the lines before it */
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (getenv("MOBWAY_IT_TIMEOUT_MS"))
        timeout_ms = atol(getenv("MOBWAY_IT_TIMEOUT_MS"));
    if (timeout_ms < 300) {
        fprintf(stderr, "test_mobway: MOBWAY_IT_TIMEOUT_MS must be >= 300\n");
        return 2;
    }

    if (argc < 4) {
        fprintf(stderr, "usage: test_mobway MODULE SIM_URL SUITE [CA]\n");
        return 2;
    }
    sim_url = argv[2];
    main_suite = strcmp(argv[3], "main") == 0;
    ca_file = argc > 4 ? argv[4] : NULL;
    curl_global_init(CURL_GLOBAL_ALL);
    dl = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    entry = dl ? (fleetmod_module_fn)dlsym(dl, FLEETMOD_MODULE_SYMBOL) : NULL;
    if (!entry || !(mod = entry())) {
        printf("cannot load %s: %s\n0 passed, 1 failed\n", argv[1], dlerror());
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/mw-it-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    mkdtemp(dir);
    write_secret("cs", "demo-secret");
    write_secret("ss", "demo-sign-secret");
    write_secret("other", "other-sign-secret");
    write_secret("wrong", "not-the-sign-secret");
    inst = open_inst("demo", demo_creds());
    if (!inst) {
        printf("0 passed, 1 failed\n");
        return 1;
    }
    if (main_suite) {
        all_six_commands();
        ignition_two_steps("enable_ignition");
        ignition_two_steps("disable_ignition");
        wrong_code();
        seed_error_texts();
        vehicle_error_is_status_error();
        unknown_id_is_not_found();
        bad_requests_are_einval();
        faults_map_to_rc();
        no_double_execution();
        unreachable_is_safe_to_retry();
        fixed_token_rejected_is_eauth();
        batches();
        fork_child_gets_einternal();
    } else {
        token_expiry();
    }
    mod->shutdown(inst);
    dlclose(dl);
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            failed++;
    }
    curl_global_cleanup();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
