/*
 * test_stack.c - stacks: the stack file's rules and errors, routing
 * across providers (fall-through only on EDENIED from a sufficient
 * provider; status only on ENOTFOUND), replies carrying the section name,
 * and many threads routing through one stack. Covers stack.c and the
 * files it is split into: stack_config.c, stack_route.c, stack_reply.c
 * and stack_batch.c.
 *
 * The providers are instances of the test module fake.so, each labelled
 * by its config value; a VIN or id containing "[LABEL:deny]",
 * "[LABEL:unreach]" or "[LABEL:notfound]" makes that instance answer so
 * (tests/unit/libfleetmod/modules/fake.c). Every call is logged, so each
 * test counts which instance was called.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <msgpack.h>
#include <pthread.h>
#include <sys/stat.h>

#include <fleetmod/host.h>

#include "modules/fixture.h"

#define FAKE TEST_MODULES "/fake.so"
/* fake.so with max_batch 2500 in its table. */
#define FAKE_BIG TEST_MODULES "/fake_big.so"
#define BIG_BATCH 2500

/* Calls per label ("a" .. "z") and kind, and the items of its batch
 * calls, from the modules' log lines ("LABEL CALL [ITEMS]"). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int calls[26][3];
static int batched[26][3];
static int biggest[26][3]; /* the most items of one batch call */

static void count_call(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    char label[64], kind[16];
    int n = 0;
    if (sscanf(msg, "%63s %15s %d", label, kind, &n) < 2 || label[1] != '\0')
        return;
    int k = strcmp(kind, "send") == 0      ? 0
            : strcmp(kind, "confirm") == 0 ? 1
                                           : 2;
    pthread_mutex_lock(&lock);
    calls[label[0] - 'a'][k]++;
    batched[label[0] - 'a'][k] += n;
    if (n > biggest[label[0] - 'a'][k])
        biggest[label[0] - 'a'][k] = n;
    pthread_mutex_unlock(&lock);
}

static int sends(char label)
{
    return calls[label - 'a'][0];
}

static int statuses(char label)
{
    return calls[label - 'a'][2];
}

/* The VINs or ids the batch calls to label carried, all told. */
static int sent_items(char label)
{
    return batched[label - 'a'][0];
}

static int asked_items(char label)
{
    return batched[label - 'a'][2];
}

static const struct fleetmod_host host = {
    .struct_size = sizeof(struct fleetmod_host), .log = count_call};

static char *dir;
/* The bytes of the last reply, for what struct fleetmod_reply leaves
 * out. */
static struct fleetmod_buf last;
static char err[FLEETMOD_ERR_MAX];
static char stack_path[4096];

static int setup(void **state)
{
    (void)state;
    memset(calls, 0, sizeof calls);
    memset(batched, 0, sizeof batched);
    memset(biggest, 0, sizeof biggest);
    dir = fixture_tmpdir();
    fixture_path(stack_path, sizeof stack_path, dir, "stack.conf");
    return dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fixture_rmtree(dir);
    fleetmod_buf_free(&last);
    unsetenv("FLEETMOD_MODULE_PATH");
    return 0;
}

#define assert_contains(haystack, needle)                                      \
    do {                                                                       \
        if (!strstr((haystack), (needle)))                                     \
            fail_msg("\"%s\" does not contain \"%s\"", (haystack), (needle));  \
    } while (0)

static fleetmod_rc try_open(const char *text, struct fleetmod_stack **s)
{
    assert_int_equal(fixture_write(dir, "stack.conf", text), 0);
    err[0] = '\0';
    return fleetmod_stack_open(stack_path, &host, s, err, sizeof err);
}

static struct fleetmod_stack *open_stack(const char *text)
{
    struct fleetmod_stack *s = NULL;
    if (try_open(text, &s) != FLEETMOD_OK)
        fail_msg("stack refused: %s", err);
    return s;
}

/* The open must fail with rc, and err must say where and what. */
static void assert_refused(const char *text, fleetmod_rc rc, const char *where,
                           const char *what)
{
    struct fleetmod_stack *s = (void *)1;
    assert_int_equal(try_open(text, &s), rc);
    assert_null(s);
    assert_contains(err, stack_path);
    assert_contains(err, where);
    assert_contains(err, what);
}

typedef fleetmod_rc (*stack_fn)(struct fleetmod_stack *, const char *, size_t,
                                fleetmod_write_fn, void *);

/* Pack req, call fn, decode the reply into r. */
static fleetmod_rc call(struct fleetmod_stack *s, stack_fn fn,
                        struct fleetmod_request req, struct fleetmod_reply *r)
{
    struct fleetmod_buf in = {0};
    assert_int_equal(fleetmod_request_pack(&req, &in), FLEETMOD_OK);
    fleetmod_buf_free(&last);
    fleetmod_rc rc = fn(s, in.data, in.len, fleetmod_buf_write, &last);
    assert_int_equal(fleetmod_reply_decode(last.data, last.len, r),
                     FLEETMOD_OK);
    if (r->has_error)
        assert_int_equal(r->error.code, rc);
    fleetmod_buf_free(&in);
    return rc;
}

/* The wait_ms that result i of the last (batch) reply carries: what the
 * fake module got in its request. -1 when absent. */
static int64_t echoed_wait_ms(size_t i)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, last.data, last.len, NULL),
                     MSGPACK_UNPACK_SUCCESS);
    int64_t wait = -1;
    const msgpack_object_map *top = &u.data.via.map;
    for (uint32_t k = 0; k < top->size; k++) {
        const msgpack_object *key = &top->ptr[k].key;
        if (key->via.str.size != 7 || memcmp(key->via.str.ptr, "results", 7))
            continue;
        const msgpack_object_map *m = &top->ptr[k].val.via.array.ptr[i].via.map;
        for (uint32_t j = 0; j < m->size; j++) {
            if (m->ptr[j].key.via.str.size == 7 &&
                memcmp(m->ptr[j].key.via.str.ptr, "wait_ms", 7) == 0)
                wait = (int64_t)m->ptr[j].val.via.u64;
        }
    }
    msgpack_unpacked_destroy(&u);
    return wait;
}

static fleetmod_rc send_vin(struct fleetmod_stack *s, const char *vin,
                            struct fleetmod_reply *r)
{
    return call(s, fleetmod_stack_send,
                (struct fleetmod_request){.vin = vin, .command = "lock_door"},
                r);
}

#define SECTION(name, extra)                                                   \
    "[" name "]\nmodule = " FAKE "\nconfig = " name "\n" extra

static void sufficient_falls_through_on_denied(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    assert_int_equal(send_vin(s, "V[a:deny]", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    assert_string_equal(r.id, "b-1");
    assert_int_equal(sends('a'), 1);
    assert_int_equal(sends('b'), 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void required_is_the_default_and_stops(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION("a", "") SECTION("b", ""));
    assert_int_equal(send_vin(s, "V[a:deny]", &r), FLEETMOD_EDENIED);
    assert_string_equal(r.provider, "a");
    assert_int_equal(sends('b'), 0);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void sufficient_stops_on_any_other_error(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    assert_int_equal(send_vin(s, "V[a:unreach]", &r), FLEETMOD_EUNREACHABLE);
    assert_string_equal(r.provider, "a");
    assert_int_equal(sends('b'), 0);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void last_denial_is_relayed(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION(
        "a", "control = sufficient\n") SECTION("b", "control = sufficient\n"));
    assert_int_equal(send_vin(s, "V[a:deny][b:deny]", &r), FLEETMOD_EDENIED);
    assert_string_equal(r.provider, "b");
    assert_int_equal(sends('a'), 1);
    assert_int_equal(sends('b'), 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void vins_globs_choose_the_provider(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION("a", "vins = 6AH*, 9BW*\n")
                                              SECTION("b", "vins = XY?1\n"));
    assert_int_equal(send_vin(s, "XYZ1", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a'), 0);
    assert_int_equal(send_vin(s, "9bw123", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "a");
    fleetmod_reply_free(&r);
    assert_int_equal(send_vin(s, "ZZZ", &r), FLEETMOD_EDENIED);
    assert_string_equal(r.provider, "stack");
    assert_contains(r.error.message, "no provider of the stack takes VIN ZZZ");
    assert_string_equal(r.error.delivered, "no");
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a') + sends('b'), 2);
    fleetmod_stack_close(s);
}

static void fall_through_skips_providers_not_taking_the_vin(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n")
                       SECTION("b", "vins = 9BW*\n") SECTION("c", ""));
    assert_int_equal(send_vin(s, "6AH[a:deny]", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "c");
    assert_int_equal(sends('b'), 0);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static fleetmod_rc send_batch(struct fleetmod_stack *s, const char *const *vins,
                              size_t n, struct fleetmod_reply *r)
{
    return call(s, fleetmod_stack_send,
                (struct fleetmod_request){.vins = vins,
                                          .n_vins = n,
                                          .command = "lock_door",
                                          .request_id = "r1"},
                r);
}

/* Each result's provider, in order, e.g. "a,b,stack". Valid until the
 * calling thread's next call. */
static const char *providers(const struct fleetmod_reply *r)
{
    static _Thread_local char out[256];
    out[0] = '\0';
    for (size_t i = 0; i < r->n_results; i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s",
                 i > 0 ? "," : "", r->results[i].provider);
    return out;
}

static void batch_to_one_provider_names_it_everywhere(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"6AH1", "6AH2[a:deny]"};
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "vins = 6AH*\n") SECTION("b", ""));
    assert_int_equal(send_batch(s, vins, 2, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "a");
    assert_string_equal(r.status, "batch");
    assert_true(r.terminal);
    assert_string_equal(r.request_id, "r1");
    assert_string_equal(providers(&r), "a,a");
    assert_string_equal(r.results[1].error.name, "EDENIED");
    assert_int_equal(sends('a'), 1);
    assert_int_equal(sends('b'), 0);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void
mixed_batch_makes_one_call_per_provider_in_request_order(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"B1", "A1", "C1", "A2", "B2"};
    struct fleetmod_stack *s = open_stack(SECTION("a", "vins = A*\n") SECTION(
        "b", "vins = B*\n") SECTION("c", ""));
    assert_int_equal(send_batch(s, vins, 5, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "stack");
    assert_string_equal(r.status, "batch");
    assert_string_equal(r.request_id, "r1");
    assert_int_equal(r.n_results, 5);
    assert_string_equal(providers(&r), "b,a,c,a,b");
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(r.results[i].vin, vins[i]);
        assert_string_equal(r.results[i].status, "pending");
        /* The other keys of the request reached each provider. */
        assert_string_equal(r.results[i].command, "lock_door");
    }
    assert_int_equal(sends('a'), 1);
    assert_int_equal(sends('b'), 1);
    assert_int_equal(sends('c'), 1);
    assert_int_equal(sent_items('a'), 2);
    assert_int_equal(sent_items('b'), 2);
    assert_int_equal(sent_items('c'), 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void batch_denials_fall_through_grouped_like_single_sends(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"1[a:deny]", "2", "3[a:deny][b:deny]", "4[a:deny]",
                          "5[a:deny][b:deny]"};
    struct fleetmod_stack *s = open_stack(
        SECTION("a", "control = sufficient\n")
            SECTION("b", "control = sufficient\n") SECTION("c", "vins = 3*\n"));
    assert_int_equal(send_batch(s, vins, 5, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "stack");
    /* 5 has no provider after b: b's denial is its answer, as for a
     * single send. */
    assert_string_equal(providers(&r), "b,a,c,b,b");
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(r.results[i].status, "pending");
    assert_string_equal(r.results[4].error.name, "EDENIED");
    assert_string_equal(r.results[4].vin, vins[4]);
    assert_int_equal(sends('a'), 1);
    assert_int_equal(sends('b'), 1);
    assert_int_equal(sends('c'), 1);
    assert_int_equal(sent_items('a'), 5);
    assert_int_equal(sent_items('b'), 4);
    assert_int_equal(sent_items('c'), 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void batch_denials_of_a_required_provider_are_final(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"1[a:deny]", "2", "3[a:unreach]"};
    struct fleetmod_stack *s = open_stack(SECTION("a", "") SECTION("b", ""));
    assert_int_equal(send_batch(s, vins, 3, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "a");
    assert_string_equal(providers(&r), "a,a,a");
    assert_string_equal(r.results[0].error.name, "EDENIED");
    assert_string_equal(r.results[1].status, "pending");
    assert_string_equal(r.results[2].error.name, "EUNREACHABLE");
    assert_int_equal(sends('b'), 0);
    fleetmod_reply_free(&r);

    /* A sufficient provider: only the denial goes on. */
    fleetmod_stack_close(s);
    s = open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    assert_int_equal(send_batch(s, vins, 3, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "b,a,a");
    assert_string_equal(r.results[2].error.name, "EUNREACHABLE");
    assert_int_equal(sent_items('b'), 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void batch_vin_no_provider_takes_is_denied_alone(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"A1", "ZZZ"};
    struct fleetmod_stack *s = open_stack(SECTION("a", "vins = A*\n"));
    assert_int_equal(send_batch(s, vins, 2, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "stack");
    assert_string_equal(providers(&r), "a,stack");
    assert_string_equal(r.results[0].status, "pending");
    const struct fleetmod_reply *no = &r.results[1];
    assert_string_equal(no->status, "failed");
    assert_true(no->terminal);
    assert_string_equal(no->vin, "ZZZ");
    assert_string_equal(no->command, "lock_door");
    assert_int_equal(no->error.code, FLEETMOD_EDENIED);
    assert_string_equal(no->error.delivered, "no");
    assert_contains(no->error.message, "no provider of the stack takes");
    assert_int_equal(sent_items('a'), 1);
    fleetmod_reply_free(&r);

    /* Nothing for anyone: every item, and no call at all. */
    const char *none[] = {"X1", "X2"};
    assert_int_equal(send_batch(s, none, 2, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "stack");
    assert_string_equal(providers(&r), "stack,stack");
    assert_int_equal(sends('a'), 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void batch_call_failing_as_a_whole_fails_only_its_items(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *unreach[] = {"A1[a:batchunreach]", "B1", "A2"};
    const char *garbage[] = {"A1[a:batchgarbage]", "B1"};
    struct fleetmod_stack *s = open_stack(
        SECTION("a", "control = sufficient\nvins = A*\n") SECTION("b", ""));
    assert_int_equal(send_batch(s, unreach, 3, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "a,b,a");
    for (size_t i = 0; i < 3; i += 2) {
        const struct fleetmod_reply *it = &r.results[i];
        assert_string_equal(it->status, "failed");
        assert_string_equal(it->vin, unreach[i]);
        assert_int_equal(it->error.code, FLEETMOD_EUNREACHABLE);
        /* The module's own error map, as it wrote it. */
        assert_string_equal(it->error.message,
                            "fake: the whole batch is unreachable");
        assert_string_equal(it->error.delivered, "no");
    }
    assert_string_equal(r.results[1].status, "pending");
    assert_int_equal(sent_items('b'), 1);
    fleetmod_reply_free(&r);

    assert_int_equal(send_batch(s, garbage, 2, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "a,b");
    assert_int_equal(r.results[0].error.code, FLEETMOD_EINTERNAL);
    assert_string_equal(r.results[0].error.delivered, "unknown");
    assert_string_equal(r.results[1].status, "pending");
    assert_int_equal(sent_items('b'), 2);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void batch_call_denied_as_a_whole_passes_its_items_on(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"A1[a:batchdeny]", "A2"};
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    /* Nothing was delivered: the items go on, as two single sends would. */
    assert_int_equal(send_batch(s, vins, 2, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "b,b");
    assert_string_equal(r.results[0].status, "pending");
    assert_string_equal(r.results[1].status, "pending");
    assert_int_equal(sent_items('b'), 2);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void batch_call_denied_as_a_whole_by_required_is_final(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"A1[a:batchdeny]", "A2"};
    /* A required provider's denial is final, for the batch as for one. */
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = required\n") SECTION("b", ""));
    assert_int_equal(send_batch(s, vins, 2, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "a,a");
    assert_int_equal(r.results[0].error.code, FLEETMOD_EDENIED);
    assert_int_equal(r.results[1].error.code, FLEETMOD_EDENIED);
    assert_int_equal(sent_items('b'), 0);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void status_batch_asks_on_only_for_ids_not_found(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *ids[] = {"1[a:notfound]", "2", "3[a:notfound][b:notfound]",
                         "4[a:notfound][b:unreach]",
                         "5[a:notfound][b:notfound][c:notfound]"};
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "") SECTION("b", "") SECTION("c", ""));
    assert_int_equal(
        call(s, fleetmod_stack_status,
             (struct fleetmod_request){.ids = ids, .n_ids = 5, .wait_ms = 5000},
             &r),
        FLEETMOD_OK);
    assert_string_equal(r.status, "batch");
    assert_string_equal(r.provider, "stack");
    assert_string_equal(providers(&r), "b,a,c,b,c");
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(r.results[i].id, ids[i]);
        /* Each call waits at most what is left of the request's wait. */
        assert_in_range(echoed_wait_ms(i), 0, 5000);
    }
    assert_string_equal(r.results[3].error.name, "EUNREACHABLE");
    assert_string_equal(r.results[4].error.name, "ENOTFOUND");
    assert_int_equal(statuses('a'), 1);
    assert_int_equal(statuses('b'), 1);
    assert_int_equal(statuses('c'), 1);
    assert_int_equal(asked_items('a'), 5);
    assert_int_equal(asked_items('b'), 4);
    assert_int_equal(asked_items('c'), 2);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void status_batch_with_provider_asks_that_section_only(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *ids[] = {"1[b:notfound]", "2"};
    struct fleetmod_stack *s = open_stack(SECTION("a", "") SECTION("b", ""));
    assert_int_equal(
        call(s, fleetmod_stack_status,
             (struct fleetmod_request){.ids = ids, .n_ids = 2, .provider = "b"},
             &r),
        FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    assert_string_equal(providers(&r), "b,b");
    assert_string_equal(r.results[0].error.name, "ENOTFOUND");
    assert_int_equal(statuses('a'), 0);
    assert_int_equal(asked_items('b'), 2);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void malformed_batches_are_refused_whole(void **state)
{
    (void)state;
    static const char *many[1001];
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION("a", ""));
    for (size_t i = 0; i < 1001; i++)
        many[i] = "V";
    assert_int_equal(send_batch(s, many, 1001, &r), FLEETMOD_EINVAL);
    assert_string_equal(r.provider, "stack");
    assert_contains(r.error.message, "1 to 1000");
    fleetmod_reply_free(&r);
    assert_int_equal(call(s, fleetmod_stack_status,
                          (struct fleetmod_request){.ids = many, .n_ids = 1001},
                          &r),
                     FLEETMOD_EINVAL);
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a') + statuses('a'), 0);
    assert_int_equal(send_batch(s, many, 1000, &r), FLEETMOD_OK);
    assert_int_equal(sent_items('a'), 1000);
    fleetmod_reply_free(&r);

    assert_int_equal(
        call(s, fleetmod_stack_send,
             (struct fleetmod_request){.vin = "V", .vins = many, .n_vins = 2},
             &r),
        FLEETMOD_EINVAL);
    assert_contains(r.error.message, "both vin and vins");
    fleetmod_reply_free(&r);
    assert_int_equal(call(s, fleetmod_stack_confirm,
                          (struct fleetmod_request){
                              .vins = many, .n_vins = 2, .code = "123456"},
                          &r),
                     FLEETMOD_EINVAL);
    assert_contains(r.error.message, "confirm has no batch form");
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a'), 1);
    assert_int_equal(calls[0][1], 0);
    fleetmod_stack_close(s);
}

/* VINs "A0000".."A<n>" into vins (each in its own slot of text). */
static void numbered_vins(const char **vins, char (*text)[8], size_t n,
                          size_t n_a)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(text[i], sizeof *text, "%c%05zu", i < n_a ? 'A' : 'B', i);
        vins[i] = text[i];
    }
}

static void batch_is_split_by_each_providers_max_batch(void **state)
{
    (void)state;
    static const char *vins[BIG_BATCH + 1];
    static char text[BIG_BATCH + 1][8];
    struct fleetmod_reply r;
    /* a states 2500 in its table; b (fake.so, a 1.0 table) states nothing,
     * so it takes FLEETMOD_BATCH_DEFAULT. */
    struct fleetmod_stack *s = open_stack(
        "[a]\nmodule = " FAKE_BIG "\nconfig = a\nvins = A*\n" SECTION("b", ""));
    assert_int_equal(fleetmod_stack_max_batch(s), BIG_BATCH);
    numbered_vins(vins, text, BIG_BATCH, 100);
    assert_int_equal(send_batch(s, vins, BIG_BATCH, &r), FLEETMOD_OK);
    assert_int_equal(r.n_results, BIG_BATCH);
    for (size_t i = 0; i < BIG_BATCH; i++) {
        assert_string_equal(r.results[i].vin, vins[i]);
        assert_string_equal(r.results[i].provider, i < 100 ? "a" : "b");
        assert_false(r.results[i].has_error);
    }
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a'), 1);
    assert_int_equal(sent_items('a'), 100);
    /* b's 2400 items: 1000, 1000 and 400, never more than its default. */
    assert_int_equal(sends('b'), 3);
    assert_int_equal(sent_items('b'), BIG_BATCH - 100);
    assert_int_equal(biggest['b' - 'a'][0], FLEETMOD_BATCH_DEFAULT);

    /* All for a: one call of all 2500. */
    numbered_vins(vins, text, BIG_BATCH, BIG_BATCH);
    assert_int_equal(send_batch(s, vins, BIG_BATCH, &r), FLEETMOD_OK);
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a'), 2);
    assert_int_equal(biggest[0][0], BIG_BATCH);

    /* Over the largest provider's limit: refused whole, nothing sent. */
    numbered_vins(vins, text, BIG_BATCH + 1, 0);
    assert_int_equal(send_batch(s, vins, BIG_BATCH + 1, &r), FLEETMOD_EINVAL);
    assert_string_equal(r.provider, "stack");
    assert_contains(r.error.message, "1 to 2500");
    fleetmod_reply_free(&r);
    assert_int_equal(sends('a') + sends('b'), 5);
    fleetmod_stack_close(s);
}

static void stack_of_providers_without_max_batch_takes_the_default(void **state)
{
    (void)state;
    struct fleetmod_stack *s = open_stack(SECTION("a", "") SECTION("b", ""));
    assert_int_equal(fleetmod_stack_max_batch(s), FLEETMOD_BATCH_DEFAULT);
    fleetmod_stack_close(s);
}

static void calls_on_no_stack_are_einval_with_a_reply(void **state)
{
    (void)state;
    /* cppcheck 2.10 takes a table of function pointers for unset */
    /* cppcheck-suppress uninitvar */
    const stack_fn fns[] = {fleetmod_stack_send, fleetmod_stack_confirm,
                            fleetmod_stack_status};
    for (size_t i = 0; i < 3; i++) {
        struct fleetmod_reply r;
        fleetmod_buf_free(&last);
        assert_int_equal(fns[i](NULL, "\x80", 1, fleetmod_buf_write, &last),
                         FLEETMOD_EINVAL);
        assert_int_equal(fleetmod_reply_decode(last.data, last.len, &r),
                         FLEETMOD_OK);
        assert_string_equal(r.provider, "stack");
        assert_int_equal(r.error.code, FLEETMOD_EINVAL);
        fleetmod_reply_free(&r);
        assert_int_equal(fns[i](NULL, "\x80", 1, NULL, NULL), FLEETMOD_EINVAL);
    }
}

/* Each provider's section, in stack order, e.g. "a,b,c". */
static const char *sections(const struct fleetmod_stack *s)
{
    static char out[256];
    struct fleetmod_stack_entry e;
    out[0] = '\0';
    for (size_t i = 0; fleetmod_stack_entry(s, i, &e); i++)
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s",
                 i > 0 ? "," : "", e.section);
    return out;
}

/* dir/SUB/NAME with text, SUB made when missing. */
static void write_in(const char *sub, const char *name, const char *text)
{
    char d[1024], f[2048];
    assert_true((size_t)snprintf(d, sizeof d, "%s/%s", dir, sub) < sizeof d);
    mkdir(d, 0755);
    assert_true((size_t)snprintf(f, sizeof f, "%s/%s", d, name) < sizeof f);
    FILE *out = fopen(f, "w");
    assert_non_null(out);
    assert_true(fputs(text, out) >= 0);
    assert_int_equal(fclose(out), 0);
}

/* The open must fail with ECONFIG, err naming the drop-in file and
 * saying what. */
static void assert_dropin_refused(const char *where, const char *what)
{
    struct fleetmod_stack *s = (void *)1;
    assert_int_equal(try_open(SECTION("a", ""), &s), FLEETMOD_ECONFIG);
    assert_null(s);
    assert_contains(err, dir);
    assert_contains(err, where);
    assert_contains(err, what);
}

static void dropin_files_add_sections_in_name_order(void **state)
{
    (void)state;
    write_in("stack.d", "20-c.conf", SECTION("c", ""));
    write_in("stack.d", "10-b.conf", SECTION("b", ""));
    /* Not drop-ins: another suffix, a hidden file, a directory. */
    write_in("stack.d", "x.conf.disabled", "[x]\nmodule = nowhere\n");
    write_in("stack.d", ".y.conf", "[y]\nmodule = nowhere\n");
    write_in("stack.d/z.conf", "inside", "");
    struct fleetmod_stack *s = open_stack(SECTION("a", ""));
    assert_string_equal(sections(s), "a,b,c");
    fleetmod_stack_close(s);

    /* A drop-in's section is routed like any other. */
    s = open_stack(SECTION("a", "control = sufficient\n"));
    struct fleetmod_reply r;
    assert_int_equal(send_vin(s, "V[a:deny]", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void dropin_errors_name_their_file(void **state)
{
    (void)state;
    write_in("stack.d", "mobway.conf", SECTION("a", ""));
    assert_dropin_refused("stack.d/mobway.conf:1:",
                          "duplicate section [a], first at ");
    assert_contains(err, "stack.conf:1");
    write_in("stack.d", "mobway.conf", SECTION("b", "control = maybe\n"));
    assert_dropin_refused("stack.d/mobway.conf:4: [b]", "expected required or");
}

static void a_stack_named_otherwise_reads_its_own_dropins(void **state)
{
    (void)state;
    char lab[4096];
    struct fleetmod_stack *s = NULL;
    write_in("lab.d", "b.conf", SECTION("b", ""));
    write_in("stack.d", "c.conf", SECTION("c", ""));
    assert_int_equal(fixture_write(dir, "lab.conf", SECTION("a", "")), 0);
    fixture_path(lab, sizeof lab, dir, "lab.conf");
    assert_int_equal(fleetmod_stack_open(lab, &host, &s, err, sizeof err),
                     FLEETMOD_OK);
    assert_string_equal(sections(s), "a,b");
    fleetmod_stack_close(s);
}

static void disabled_sections_are_checked_then_left_out(void **state)
{
    (void)state;
    struct fleetmod_stack *s = open_stack(SECTION("a", "enabled = false\n")
                                              SECTION("b", "enabled = true\n"));
    assert_string_equal(sections(s), "b");
    fleetmod_stack_close(s);
    assert_refused(SECTION("a", "enabled = no\n"), FLEETMOD_ECONFIG, ":4: [a]",
                   "enabled = no: expected false or true");
    /* Its module is never loaded: a missing one does not matter. */
    s = open_stack(
        "[a]\nmodule = /nonexistent.so\nenabled = false\n" SECTION("b", ""));
    assert_string_equal(sections(s), "b");
    fleetmod_stack_close(s);
}

/* A fresh install: the stack file is the commented-out example and the
 * provider package's drop-in is disabled. The error says what to do. */
static void a_stack_without_enabled_provider_says_what_to_do(void **state)
{
    (void)state;
    write_in("stack.d", "mobway.conf",
             "; shipped disabled\n[mobway]\nmodule = mobway\n"
             "enabled = false\n");
    assert_refused("; [mobway]\n; module = mobway\n", FLEETMOD_ECONFIG,
                   "stack.d/mobway.conf:2",
                   "no provider section enabled: [mobway] in ");
    assert_contains(err, "enabled = false; set it to true there");
    assert_contains(err, "fleetcmd -m mobway");

    write_in("stack.d", "mobway.conf", "; nothing either\n");
    assert_refused("; nothing\n", FLEETMOD_ECONFIG, "stack.d/*.conf",
                   "no provider section in it or in ");
    assert_contains(err, "fleetcmd -m NAME");
}

/* The last reply, read by key. */
static struct fleetmod_reply_map *last_map(void)
{
    struct fleetmod_reply_map *m = NULL;
    assert_int_equal(fleetmod_reply_map_decode(last.data, last.len, &m),
                     FLEETMOD_OK);
    return m;
}

static void assert_refusal(const struct fleetmod_reply_map *m, size_t i,
                           const char *provider, const char *message)
{
    const struct fleetmod_reply_map *r = fleetmod_reply_item(m, "refusals", i);
    assert_non_null(r);
    assert_string_equal(fleetmod_reply_get_str(r, "provider"), provider);
    assert_string_equal(fleetmod_reply_get_str(r, "name"), "EDENIED");
    assert_string_equal(fleetmod_reply_get_str(r, "message"), message);
}

static void answer_carries_the_refusals_it_fell_through(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n")
                       SECTION("b", "control = sufficient\n") SECTION("c", ""));
    assert_int_equal(send_vin(s, "V[a:deny][b:deny]", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "c");
    fleetmod_reply_free(&r);
    struct fleetmod_reply_map *m = last_map();
    assert_int_equal(fleetmod_reply_count(m, "refusals"), 2);
    /* fake's denials carry no name or message: the rc's own. */
    assert_refusal(m, 0, "a", fleetmod_strerror(FLEETMOD_EDENIED));
    assert_refusal(m, 1, "b", fleetmod_strerror(FLEETMOD_EDENIED));
    fleetmod_reply_map_free(m);

    /* Answered at once: no refusals. */
    assert_int_equal(send_vin(s, "V", &r), FLEETMOD_OK);
    fleetmod_reply_free(&r);
    m = last_map();
    assert_int_equal(fleetmod_reply_count(m, "refusals"), 0);
    fleetmod_reply_map_free(m);

    /* The last denial relayed still says who refused before it. */
    assert_int_equal(send_vin(s, "V[a:deny][b:deny][c:deny]", &r),
                     FLEETMOD_EDENIED);
    assert_string_equal(r.provider, "c");
    fleetmod_reply_free(&r);
    m = last_map();
    assert_int_equal(fleetmod_reply_count(m, "refusals"), 2);
    assert_refusal(m, 1, "b", fleetmod_strerror(FLEETMOD_EDENIED));
    fleetmod_reply_map_free(m);
    fleetmod_stack_close(s);
}

static void batch_items_carry_their_own_refusals(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    const char *vins[] = {"A[a:deny]", "B", "C"};
    struct fleetmod_stack *s = open_stack(
        SECTION("a", "control = sufficient\nvins = A*, B*\n")
            SECTION("x", "control = sufficient\nvins = C*\n") SECTION("b", ""));
    assert_int_equal(send_batch(s, vins, 3, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "b,a,x");
    fleetmod_reply_free(&r);
    struct fleetmod_reply_map *m = last_map();
    const struct fleetmod_reply_map *item =
        fleetmod_reply_item(m, "results", 0);
    assert_int_equal(fleetmod_reply_count(item, "refusals"), 1);
    assert_refusal(item, 0, "a", fleetmod_strerror(FLEETMOD_EDENIED));
    assert_int_equal(
        fleetmod_reply_count(fleetmod_reply_item(m, "results", 1), "refusals"),
        0);
    fleetmod_reply_map_free(m);

    /* A whole call denied: its items carry the module's own text. */
    const char *whole[] = {"A[a:batchdeny]"};
    assert_int_equal(send_batch(s, whole, 1, &r), FLEETMOD_OK);
    assert_string_equal(providers(&r), "b");
    fleetmod_reply_free(&r);
    m = last_map();
    item = fleetmod_reply_item(m, "results", 0);
    assert_refusal(item, 0, "a", "fake: the whole batch is denied");
    fleetmod_reply_map_free(m);
    fleetmod_stack_close(s);
}

static void status_falls_through_only_on_notfound(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION("a", "") SECTION("b", ""));
    assert_int_equal(call(s, fleetmod_stack_status,
                          (struct fleetmod_request){.id = "x[a:notfound]"}, &r),
                     FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    assert_int_equal(statuses('a'), 1);
    assert_int_equal(statuses('b'), 1);
    fleetmod_reply_free(&r);

    assert_int_equal(call(s, fleetmod_stack_status,
                          (struct fleetmod_request){.id = "x[a:unreach]"}, &r),
                     FLEETMOD_EUNREACHABLE);
    assert_string_equal(r.provider, "a");
    assert_int_equal(statuses('b'), 1);
    fleetmod_reply_free(&r);

    assert_int_equal(
        call(s, fleetmod_stack_status,
             (struct fleetmod_request){.id = "x[a:notfound][b:notfound]"}, &r),
        FLEETMOD_ENOTFOUND);
    assert_string_equal(r.provider, "b");
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void confirm_and_status_follow_the_provider_key(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION("a", "") SECTION("b", ""));
    assert_int_equal(call(s, fleetmod_stack_confirm,
                          (struct fleetmod_request){
                              .vin = "V", .code = "123456", .provider = "b"},
                          &r),
                     FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    fleetmod_reply_free(&r);
    assert_int_equal(
        call(s, fleetmod_stack_status,
             (struct fleetmod_request){.id = "b-1", .provider = "b"}, &r),
        FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    fleetmod_reply_free(&r);
    assert_int_equal(calls['a' - 'a'][1] + statuses('a'), 0);

    assert_int_equal(call(s, fleetmod_stack_status,
                          (struct fleetmod_request){.id = "b-1",
                                                    .provider = "zzz",
                                                    .request_id = "r9"},
                          &r),
                     FLEETMOD_EINVAL);
    assert_string_equal(r.provider, "stack");
    assert_string_equal(r.request_id, "r9");
    assert_contains(r.error.message, "no provider zzz");
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void confirm_without_provider_routes_like_send(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    assert_int_equal(
        call(s, fleetmod_stack_confirm,
             (struct fleetmod_request){.vin = "V[a:deny]", .code = "123456"},
             &r),
        FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    assert_int_equal(calls['a' - 'a'][1], 1);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void invalid_module_reply_becomes_einternal(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack *s = open_stack(SECTION("a", ""));
    assert_int_equal(send_vin(s, "V[a:garbage]", &r), FLEETMOD_EINTERNAL);
    assert_string_equal(r.provider, "a");
    assert_string_equal(r.status, "failed");
    assert_string_equal(r.error.delivered, "unknown");
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void malformed_requests_get_an_einval_reply(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"", 0},
        {"\x91\xa1x", 3},            /* an array */
        {"\xdf\xff\xff\xff\xff", 5}, /* a map claiming 4G pairs */
        {"\x81\xa3vin\x05", 6},      /* vin not a string */
        {"\x81\xa4vins\x90", 7},     /* empty batch */
        {"\x80", 1},                 /* no vin */
    };
    struct fleetmod_stack *s = open_stack(SECTION("a", ""));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct fleetmod_buf out = {0};
        struct fleetmod_reply r;
        assert_int_equal(fleetmod_stack_send(s, bad[i].bytes, bad[i].len,
                                             fleetmod_buf_write, &out),
                         FLEETMOD_EINVAL);
        assert_int_equal(fleetmod_reply_decode(out.data, out.len, &r),
                         FLEETMOD_OK);
        assert_string_equal(r.provider, "stack");
        assert_string_equal(r.status, "failed");
        assert_true(r.terminal);
        assert_string_equal(r.error.name, "EINVAL");
        fleetmod_reply_free(&r);
        fleetmod_buf_free(&out);
    }
    assert_int_equal(sends('a'), 0);
    fleetmod_stack_close(s);
}

static void bad_stack_files_say_where(void **state)
{
    (void)state;
    assert_refused(SECTION("a", "") SECTION("b", "") SECTION("a", ""),
                   FLEETMOD_ECONFIG,
                   ":7:", "duplicate section [a], first at line 1");
    assert_refused(SECTION("a", "modle = x\n"), FLEETMOD_ECONFIG, ":4: [a]",
                   "unknown key modle");
    assert_refused(SECTION("a", "config = again\n"), FLEETMOD_ECONFIG,
                   ":4: [a]", "duplicate key config");
    assert_refused(SECTION("a", "control = maybe\n"), FLEETMOD_ECONFIG,
                   ":4: [a]",
                   "control = maybe: expected required or "
                   "sufficient");
    assert_refused(SECTION("a", "optional = yes\n"), FLEETMOD_ECONFIG,
                   ":4: [a]", "expected false or true");
    assert_refused(SECTION("a", "vins = ,\n"), FLEETMOD_ECONFIG, ":4: [a]",
                   "vins is empty");
    assert_refused(SECTION("a", "") "[b]\nconfig = b\n", FLEETMOD_ECONFIG,
                   ":4: [b]", "missing key module");
    assert_refused(SECTION("a", "") "[b]\n", FLEETMOD_ECONFIG, ":4: [b]",
                   "missing key module");
    assert_refused("module = x\n" SECTION("a", ""), FLEETMOD_ECONFIG,
                   ":1:", "key module outside a section");
    assert_refused("; nothing\n", FLEETMOD_ECONFIG, ":", "no provider section");
    assert_refused(SECTION("a", "this is not ini\n"), FLEETMOD_ECONFIG,
                   ":4:", "syntax error");
}

static void provider_failures_name_the_section(void **state)
{
    (void)state;
    setenv("FLEETMOD_MODULE_PATH", dir, 1);
    assert_refused(SECTION("a", "") "[b]\nmodule = nosuch\n", FLEETMOD_ECONFIG,
                   ":4: [b]", "module nosuch not found");
    assert_refused(SECTION("a", "") "[b]\nmodule = " FAKE
                                    "\nconfig = initrc=3\n",
                   FLEETMOD_EAUTH, ":4: [b]",
                   "module fake (" FAKE ") did not start with initrc=3: ");
    assert_refused("[a]\nmodule = " TEST_MODULES "/broken_abi.so\n",
                   FLEETMOD_ECONFIG, ":1: [a]", "abi_version is 2");
}

static void missing_stack_file_is_named(void **state)
{
    (void)state;
    struct fleetmod_stack *s = (void *)1;
    assert_int_equal(fleetmod_stack_open("/nonexistent/stack.conf", &host, &s,
                                         err, sizeof err),
                     FLEETMOD_ECONFIG);
    assert_null(s);
    assert_contains(err, "/nonexistent/stack.conf: No such file");
}

static void optional_provider_failure_keeps_the_stack(void **state)
{
    (void)state;
    struct fleetmod_reply r;
    struct fleetmod_stack_entry e;
    char want[FLEETMOD_ERR_MAX];
    struct fleetmod_stack *s = open_stack(
        "[a]\nmodule = " FAKE "\nconfig = initrc=2\noptional = true\n"
        "control = sufficient\n" SECTION("b", ""));
    assert_int_equal(fleetmod_stack_size(s), 2);
    assert_true(fleetmod_stack_entry(s, 0, &e));
    assert_string_equal(e.section, "a");
    assert_string_equal(e.state, "failed");
    assert_null(e.module);
    assert_contains(e.error, fleetmod_strerror(FLEETMOD_ECONFIG));
    assert_true(fleetmod_stack_entry(s, 1, &e));
    assert_string_equal(e.state, "ready");
    assert_string_equal(e.module->name, "fake");
    assert_string_equal(e.module_path, FAKE);
    assert_null(e.error);
    assert_false(fleetmod_stack_entry(s, 2, &e));

    assert_int_equal(send_vin(s, "V", &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "b");
    fleetmod_reply_free(&r);
    assert_int_equal(call(s, fleetmod_stack_status,
                          (struct fleetmod_request){.id = "1", .provider = "a"},
                          &r),
                     FLEETMOD_ECONFIG);
    assert_string_equal(r.provider, "a");
    /* the provider, then the open error once (it says "did not start") */
    snprintf(want, sizeof want,
             "provider a: module fake (" FAKE ") did not start with "
             "initrc=2: %s",
             fleetmod_strerror(FLEETMOD_ECONFIG));
    assert_string_equal(r.error.message, want);
    fleetmod_reply_free(&r);
    fleetmod_stack_close(s);
}

static void default_stack_path_is_under_sysconfdir(void **state)
{
    (void)state;
    const char *p = fleetmod_default_stack_path();
    const char *tail = "/fleetmod/stack.conf";
    assert_true(strlen(p) > strlen(tail));
    assert_string_equal(p + strlen(p) - strlen(tail), tail);
}

#define THREADS 8
#define SENDS 200

static void *sender(void *arg)
{
    struct fleetmod_stack *s = arg;
    int wrong = 0;
    for (int i = 0; i < SENDS; i++) {
        char vin[32];
        struct fleetmod_request req = {.vin = vin};
        struct fleetmod_buf in = {0}, out = {0};
        struct fleetmod_reply r;
        snprintf(vin, sizeof vin, "%d%s", i, i % 2 ? "[a:deny]" : "");
        fleetmod_rc rc = fleetmod_request_pack(&req, &in);
        rc = rc ? rc
                : fleetmod_stack_send(s, in.data, in.len, fleetmod_buf_write,
                                      &out);
        rc = rc ? rc : fleetmod_reply_decode(out.data, out.len, &r);
        wrong +=
            rc != FLEETMOD_OK || strcmp(r.provider, i % 2 ? "b" : "a") != 0;
        fleetmod_reply_free(&r);
        fleetmod_buf_free(&in);
        fleetmod_buf_free(&out);
    }
    return (void *)(intptr_t)wrong;
}

/* Run fn on s from THREADS threads at once; the sum of what they
 * returned (their wrong replies). */
static intptr_t run_threads(void *(*fn)(void *), struct fleetmod_stack *s)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, fn, s), 0);
    intptr_t wrong = 0;
    for (int i = 0; i < THREADS; i++) {
        void *w;
        pthread_join(t[i], &w);
        wrong += (intptr_t)w;
    }
    return wrong;
}

static void eight_threads_route_through_one_stack(void **state)
{
    (void)state;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    assert_int_equal(run_threads(sender, s), 0);
    assert_int_equal(sends('a'), THREADS * SENDS);
    assert_int_equal(sends('b'), THREADS * SENDS / 2);
    fleetmod_stack_close(s);
}

#define BATCHES 50

static void *batch_sender(void *arg)
{
    struct fleetmod_stack *s = arg;
    const char *vins[] = {"1", "2[a:deny]", "3"};
    struct fleetmod_request req = {.vins = vins, .n_vins = 3};
    int wrong = 0;
    for (int i = 0; i < BATCHES; i++) {
        struct fleetmod_buf in = {0}, out = {0};
        struct fleetmod_reply r;
        fleetmod_rc rc = fleetmod_request_pack(&req, &in);
        rc = rc ? rc
                : fleetmod_stack_send(s, in.data, in.len, fleetmod_buf_write,
                                      &out);
        rc = rc ? rc : fleetmod_reply_decode(out.data, out.len, &r);
        wrong += rc != FLEETMOD_OK || strcmp(providers(&r), "a,b,a") != 0;
        fleetmod_reply_free(&r);
        fleetmod_buf_free(&in);
        fleetmod_buf_free(&out);
    }
    return (void *)(intptr_t)wrong;
}

static void eight_threads_route_batches_through_one_stack(void **state)
{
    (void)state;
    struct fleetmod_stack *s =
        open_stack(SECTION("a", "control = sufficient\n") SECTION("b", ""));
    assert_int_equal(run_threads(batch_sender, s), 0);
    assert_int_equal(sends('a'), THREADS * BATCHES);
    assert_int_equal(sends('b'), THREADS * BATCHES);
    assert_int_equal(sent_items('a'), 3 * THREADS * BATCHES);
    assert_int_equal(sent_items('b'), THREADS * BATCHES);
    fleetmod_stack_close(s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(sufficient_falls_through_on_denied),
        T(required_is_the_default_and_stops),
        T(sufficient_stops_on_any_other_error),
        T(last_denial_is_relayed),
        T(vins_globs_choose_the_provider),
        T(fall_through_skips_providers_not_taking_the_vin),
        T(batch_to_one_provider_names_it_everywhere),
        T(mixed_batch_makes_one_call_per_provider_in_request_order),
        T(batch_denials_fall_through_grouped_like_single_sends),
        T(batch_denials_of_a_required_provider_are_final),
        T(batch_vin_no_provider_takes_is_denied_alone),
        T(batch_call_failing_as_a_whole_fails_only_its_items),
        T(batch_call_denied_as_a_whole_passes_its_items_on),
        T(batch_call_denied_as_a_whole_by_required_is_final),
        T(status_batch_asks_on_only_for_ids_not_found),
        T(status_batch_with_provider_asks_that_section_only),
        T(malformed_batches_are_refused_whole),
        T(batch_is_split_by_each_providers_max_batch),
        T(stack_of_providers_without_max_batch_takes_the_default),
        T(calls_on_no_stack_are_einval_with_a_reply),
        T(dropin_files_add_sections_in_name_order),
        T(dropin_errors_name_their_file),
        T(a_stack_named_otherwise_reads_its_own_dropins),
        T(disabled_sections_are_checked_then_left_out),
        T(a_stack_without_enabled_provider_says_what_to_do),
        T(answer_carries_the_refusals_it_fell_through),
        T(batch_items_carry_their_own_refusals),
        T(status_falls_through_only_on_notfound),
        T(confirm_and_status_follow_the_provider_key),
        T(confirm_without_provider_routes_like_send),
        T(invalid_module_reply_becomes_einternal),
        T(malformed_requests_get_an_einval_reply),
        T(bad_stack_files_say_where),
        T(provider_failures_name_the_section),
        T(missing_stack_file_is_named),
        T(optional_provider_failure_keeps_the_stack),
        T(default_stack_path_is_under_sysconfdir),
        T(eight_threads_route_through_one_stack),
        T(eight_threads_route_batches_through_one_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
