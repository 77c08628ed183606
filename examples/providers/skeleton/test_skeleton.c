/*
 * test_skeleton.c - the skeleton provider's own rules, through its table
 * as a host sees it (dlopen of the built skeleton.so). The contract's
 * general rules (bad input, threads, fork, reload) are fleetmod-conformance's
 * job; these are the skeleton's behaviours other tests rely on.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>
#include <msgpack.h>

#include <fleetmod/module.h>
#include <fleetmod/msgcheck.h>

#define VIN "WP0ZZZ99ZTS392124"
#define VIN2 "ZFA25000002345678"

struct fx {
    void *dl;
    const struct fleetmod_module *m;
    struct fleetmod_instance *inst;
    struct fleetmod_host host;
    char dir[64];
    char conf[128];
    char log[4096]; /* every log line, newline-separated */
    int info_lines, other_lines;
    msgpack_sbuffer out;
    msgpack_unpacked reply;
};

static void on_log(void *user, int level, const char *msg)
{
    struct fx *f = user;
    size_t len = strlen(f->log);

    if (level == LOG_INFO)
        f->info_lines++;
    else
        f->other_lines++;
    snprintf(f->log + len, sizeof f->log - len, "%s\n", msg);
}

/* Write text as the config file and make an instance of it. */
static fleetmod_rc start(struct fx *f, const char *text)
{
    FILE *fp = fopen(f->conf, "w");

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    f->log[0] = '\0';
    return f->m->init(&f->host, f->conf, &f->inst);
}

#define BASE_CONF                                                              \
    "[skeleton]\ncomplete_ms = 600000\n"                                       \
    "[vehicle " VIN "]\n"                                                      \
    "commands = location, lock_door, disable_ignition\n"                       \
    "confirm_commands = disable_ignition\n"                                    \
    "[vehicle " VIN2 "]\ncommands = location\n"

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    fleetmod_module_fn entry;

    assert_non_null(f);
    f->dl = dlopen(SKELETON_SO, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(f->dl);
    *(void **)&entry = dlsym(f->dl, FLEETMOD_MODULE_SYMBOL);
    f->m = entry();
    f->host = (struct fleetmod_host){sizeof f->host, f, on_log};
    snprintf(f->dir, sizeof f->dir, "/tmp/test_skeleton.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->conf, sizeof f->conf, "%s/skeleton.conf", f->dir);
    msgpack_sbuffer_init(&f->out);
    msgpack_unpacked_init(&f->reply);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    if (f->inst)
        f->m->shutdown(f->inst);
    unlink(f->conf);
    rmdir(f->dir);
    msgpack_sbuffer_destroy(&f->out);
    msgpack_unpacked_destroy(&f->reply);
    dlclose(f->dl);
    free(f);
    return 0;
}

static int setup_started(void **state)
{
    setup(state);
    return start(*state, BASE_CONF) == FLEETMOD_OK ? 0 : -1;
}

/* ---- requests and replies ------------------------------------------------ */

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

/* A request of string fields: n (key, value) pairs, then optionally a
 * batch key with its items (NULL-terminated) and a wait_ms. */
static fleetmod_rc call(struct fx *f, fleetmod_call_fn fn, size_t n,
                        const char *const *kv, const char *batch_key,
                        const char *const *items, uint64_t wait_ms)
{
    msgpack_sbuffer req;
    msgpack_packer pk;
    size_t n_items = 0, off = 0;

    while (items && items[n_items])
        n_items++;
    msgpack_sbuffer_init(&req);
    msgpack_packer_init(&pk, &req, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n + !!batch_key + !!wait_ms);
    for (size_t i = 0; i < 2 * n; i++)
        pack_str(&pk, kv[i]);
    if (batch_key) {
        pack_str(&pk, batch_key);
        msgpack_pack_array(&pk, n_items);
        for (size_t i = 0; i < n_items; i++)
            pack_str(&pk, items[i]);
    }
    if (wait_ms) {
        pack_str(&pk, "wait_ms");
        msgpack_pack_uint64(&pk, wait_ms);
    }
    msgpack_sbuffer_clear(&f->out);
    fleetmod_rc rc =
        fn(f->inst, req.data, req.size, msgpack_sbuffer_write, &f->out);
    msgpack_sbuffer_destroy(&req);
    assert_int_equal(
        msgpack_unpack_next(&f->reply, f->out.data, f->out.size, &off),
        MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, f->out.size);
    assert_int_equal(f->reply.data.type, MSGPACK_OBJECT_MAP);
    return rc;
}

static fleetmod_rc send1(struct fx *f, const char *vin, const char *command)
{
    const char *kv[] = {"vin", vin, "command", command};
    return call(f, f->m->send, 2, kv, NULL, NULL, 0);
}

static fleetmod_rc confirm1(struct fx *f, const char *command, const char *code)
{
    const char *kv[] = {"vin", VIN, "command", command, "code", code};
    return call(f, f->m->confirm, 3, kv, NULL, NULL, 0);
}

static fleetmod_rc status1(struct fx *f, const char *id, uint64_t wait_ms)
{
    const char *kv[] = {"id", id};
    return call(f, f->m->status, 1, kv, NULL, NULL, wait_ms);
}

/* The string at key of map (in a static buffer), or "" when absent. */
static const char *str_at(const msgpack_object *map, const char *key)
{
    static char buf[8][256];
    static int next;
    const msgpack_object *v = fleetmod_msg_map_get(map, key);
    char *out = buf[next++ % 8];

    out[0] = '\0';
    if (v && v->type == MSGPACK_OBJECT_STR)
        snprintf(out, 256, "%.*s", (int)v->via.str.size, v->via.str.ptr);
    return out;
}

static const char *rstr(struct fx *f, const char *key)
{
    return str_at(&f->reply.data, key);
}

static const char *error_name(const msgpack_object *map)
{
    const msgpack_object *e = fleetmod_msg_map_get(map, "error");
    return e ? str_at(e, "name") : "";
}

/* ---- send ------------------------------------------------------------------
 */

static void send_registers_a_pending_command_with_a_uuid(void **state)
{
    struct fx *f = *state;

    assert_int_equal(send1(f, VIN, "location"), FLEETMOD_OK);
    assert_string_equal(rstr(f, "provider"), "skeleton");
    assert_string_equal(rstr(f, "status"), "pending");
    assert_string_equal(rstr(f, "vin"), VIN);
    assert_string_equal(rstr(f, "command"), "location");
    assert_int_equal(strlen(rstr(f, "id")), 36);
    assert_int_equal(rstr(f, "id")[14], '4'); /* UUID version 4 */
    assert_non_null(fleetmod_msg_map_get(&f->reply.data, "created"));
    assert_false(fleetmod_msg_map_get(&f->reply.data, "terminal")->via.boolean);
}

static void send_echoes_request_id(void **state)
{
    struct fx *f = *state;
    const char *kv[] = {"vin",      VIN,          "command",
                        "location", "request_id", "job-42"};

    assert_int_equal(call(f, f->m->send, 3, kv, NULL, NULL, 0), FLEETMOD_OK);
    assert_string_equal(rstr(f, "request_id"), "job-42");
    assert_non_null(strstr(f->log, "request_id=job-42"));
}

static void unknown_vin_or_command_is_denied(void **state)
{
    struct fx *f = *state;

    assert_int_equal(send1(f, "1HGCM82633A004352", "location"),
                     FLEETMOD_EDENIED);
    assert_string_equal(error_name(&f->reply.data), "EDENIED");
    assert_int_equal(send1(f, VIN2, "lock_door"), FLEETMOD_EDENIED);
    assert_string_equal(
        str_at(fleetmod_msg_map_get(&f->reply.data, "error"), "delivered"),
        "no");
}

/* ---- confirmation -----------------------------------------------------------
 */

static void confirm_command_asks_for_a_six_digit_code(void **state)
{
    struct fx *f = *state;

    assert_int_equal(send1(f, VIN, "disable_ignition"), FLEETMOD_OK);
    assert_string_equal(rstr(f, "status"), "confirmation");
    assert_int_equal(strlen(rstr(f, "code")), 6);
    assert_int_equal(strspn(rstr(f, "code"), "0123456789"), 6);
    assert_true(strlen(rstr(f, "message")) > 0);
    assert_string_equal(rstr(f, "id"), "");
    /* The code is a secret of a kind: never in the log. */
    assert_null(strstr(f->log, rstr(f, "code")));
}

static void right_code_registers_the_command_once(void **state)
{
    struct fx *f = *state;
    char code[8];

    send1(f, VIN, "disable_ignition");
    snprintf(code, sizeof code, "%s", rstr(f, "code"));
    assert_int_equal(confirm1(f, "disable_ignition", code), FLEETMOD_OK);
    assert_string_equal(rstr(f, "status"), "pending");
    assert_int_equal(strlen(rstr(f, "id")), 36);
    assert_int_equal(confirm1(f, "disable_ignition", code), FLEETMOD_ECONFIRM);
    assert_string_equal(error_name(&f->reply.data), "ECONFIRM");
}

static void wrong_code_is_refused_and_ends_the_confirmation(void **state)
{
    struct fx *f = *state;
    char code[8], wrong[8];

    send1(f, VIN, "disable_ignition");
    snprintf(code, sizeof code, "%s", rstr(f, "code"));
    snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
    assert_int_equal(confirm1(f, "disable_ignition", wrong), FLEETMOD_ECONFIRM);
    assert_int_equal(confirm1(f, "disable_ignition", code), FLEETMOD_ECONFIRM);
}

static void confirm_without_send_is_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(confirm1(f, "disable_ignition", "123456"),
                     FLEETMOD_ECONFIRM);
    assert_int_equal(confirm1(f, "location", "123456"), FLEETMOD_ECONFIRM);
}

/* ---- status
 * ------------------------------------------------------------------- */

static void status_of_unknown_id_is_not_found(void **state)
{
    struct fx *f = *state;

    assert_int_equal(status1(f, "00000000-0000-4000-8000-000000000000", 0),
                     FLEETMOD_ENOTFOUND);
    assert_string_equal(error_name(&f->reply.data), "ENOTFOUND");
}

static void status_one_look_sees_pending(void **state)
{
    struct fx *f = *state;
    char id[40];

    send1(f, VIN, "lock_door");
    snprintf(id, sizeof id, "%s", rstr(f, "id"));
    assert_int_equal(status1(f, id, 0), FLEETMOD_OK);
    assert_string_equal(rstr(f, "status"), "pending");
    assert_string_equal(rstr(f, "id"), id);
    assert_null(fleetmod_msg_map_get(&f->reply.data, "executed"));
}

static void status_wait_returns_success_when_done(void **state)
{
    struct fx *f = *state;
    char id[40];

    assert_int_equal(start(f, "[skeleton]\ncomplete_ms = 50\n"
                              "[vehicle " VIN "]\ncommands = location\n"),
                     FLEETMOD_OK);
    send1(f, VIN, "location");
    snprintf(id, sizeof id, "%s", rstr(f, "id"));
    /* The wait ends when the command completes, long before 60 s. */
    assert_int_equal(status1(f, id, 60000), FLEETMOD_OK);
    assert_string_equal(rstr(f, "status"), "success");
    assert_true(fleetmod_msg_map_get(&f->reply.data, "terminal")->via.boolean);
    assert_non_null(fleetmod_msg_map_get(&f->reply.data, "executed"));
    assert_non_null(fleetmod_msg_map_get(&f->reply.data, "detail"));
}

/* ---- batches
 * --------------------------------------------------------------------- */

static void batch_send_answers_each_vehicle_in_order(void **state)
{
    struct fx *f = *state;
    const char *kv[] = {"command", "location"};
    const char *vins[] = {VIN, "1HGCM82633A004352", "BAD", VIN2, NULL};

    assert_int_equal(call(f, f->m->send, 1, kv, "vins", vins, 0), FLEETMOD_OK);
    assert_string_equal(rstr(f, "status"), "batch");
    const msgpack_object *r = fleetmod_msg_map_get(&f->reply.data, "results");
    assert_int_equal(r->via.array.size, 4);
    assert_string_equal(str_at(&r->via.array.ptr[0], "status"), "pending");
    assert_string_equal(error_name(&r->via.array.ptr[1]), "EDENIED");
    assert_string_equal(error_name(&r->via.array.ptr[2]), "EINVAL");
    assert_string_equal(str_at(&r->via.array.ptr[3], "vin"), VIN2);
}

static void batch_status_answers_each_id_in_order(void **state)
{
    struct fx *f = *state;
    const char *kv[] = {"request_id", "b1"};
    char id[40];

    send1(f, VIN, "location");
    snprintf(id, sizeof id, "%s", rstr(f, "id"));
    const char *ids[] = {"00000000-0000-4000-8000-000000000000", id, NULL};
    assert_int_equal(call(f, f->m->status, 1, kv, "ids", ids, 0), FLEETMOD_OK);
    assert_string_equal(rstr(f, "request_id"), "b1");
    const msgpack_object *r = fleetmod_msg_map_get(&f->reply.data, "results");
    assert_int_equal(r->via.array.size, 2);
    assert_string_equal(error_name(&r->via.array.ptr[0]), "ENOTFOUND");
    assert_string_equal(str_at(&r->via.array.ptr[1], "id"), id);
}

/* ---- configuration
 * --------------------------------------------------------------- */

/* init refuses text with ECONFIG and logs "FILE:LINE: ..." with want. */
static void refused(struct fx *f, const char *text, int line, const char *want)
{
    char where[200];

    assert_int_equal(start(f, text), FLEETMOD_ECONFIG);
    assert_null(f->inst);
    snprintf(where, sizeof where, "%s:%d: ", f->conf, line);
    assert_non_null(strstr(f->log, where));
    assert_non_null(strstr(f->log, want));
}

static void config_refusals_name_file_line_and_key(void **state)
{
    struct fx *f = *state;

    refused(f, "[skeleton]\ncomplete_ms = 10\ncolour = red\n", 3, "colour");
    refused(f, "[skeleton]\ncomplete_ms = soon\n", 2, "complete_ms");
    refused(f, "[other]\nkey = 1\n", 2, "[other]");
    refused(f, "[vehicle NOTAVIN]\ncommands = location\n", 2, "NOTAVIN");
    refused(f,
            "[vehicle " VIN "]\ncommands = location\n"
            "confirm_commands = lock_door\n",
            3, "lock_door");
    refused(f, "[vehicle " VIN "]\ncommands = Location\n", 2, "Location");
}

static void config_without_vehicles_is_refused(void **state)
{
    struct fx *f = *state;

    assert_int_equal(start(f, "[skeleton]\ncomplete_ms = 10\n"),
                     FLEETMOD_ECONFIG);
    assert_non_null(strstr(f->log, "no [vehicle VIN] section"));
}

static void shipped_config_loads(void **state)
{
    struct fx *f = *state;

    assert_int_equal(f->m->init(&f->host, SKELETON_CONF, &f->inst),
                     FLEETMOD_OK);
    assert_int_equal(send1(f, VIN, "unlock_door"), FLEETMOD_OK);
    assert_int_equal(send1(f, VIN2, "location"), FLEETMOD_OK);
}

static void every_call_logs_one_info_line(void **state)
{
    struct fx *f = *state;

    f->info_lines = f->other_lines = 0;
    send1(f, VIN, "location");
    send1(f, "BAD", "location");
    status1(f, "nope", 0);
    assert_int_equal(f->info_lines, 3);
    assert_int_equal(f->other_lines, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup_started, teardown)
        T(send_registers_a_pending_command_with_a_uuid),
        T(send_echoes_request_id),
        T(unknown_vin_or_command_is_denied),
        T(confirm_command_asks_for_a_six_digit_code),
        T(right_code_registers_the_command_once),
        T(wrong_code_is_refused_and_ends_the_confirmation),
        T(confirm_without_send_is_refused),
        T(status_of_unknown_id_is_not_found),
        T(status_one_look_sees_pending),
        T(batch_send_answers_each_vehicle_in_order),
        T(batch_status_answers_each_id_in_order),
        T(every_call_logs_one_info_line),
#undef T
        cmocka_unit_test_setup_teardown(status_wait_returns_success_when_done,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(config_refusals_name_file_line_and_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(config_without_vehicles_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(shipped_config_loads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
