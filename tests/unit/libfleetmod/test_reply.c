/*
 * test_reply.c - libfleetmod's message helpers: fleetmod_request_pack and
 * fleetmod_reply_decode, the 1.1 builder and reply map that carry any key,
 * including replies made of garbage. Covers reply.c (most of it: every
 * reply a module may write, and garbage), request.c, msgbuild.c (the
 * builder) and replymap.c (the reply map); one file because their tests
 * share the message writer below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include <fleetmod/host.h>
#include "../../lib/msgmap.h"

/* A msgpack writer for building test messages. */
struct msg {
    msgpack_sbuffer sb;
    msgpack_packer pk;
};

static void msg_init(struct msg *m)
{
    msgpack_sbuffer_init(&m->sb);
    msgpack_packer_init(&m->pk, &m->sb, msgpack_sbuffer_write);
}

static void str(struct msg *m, const char *s)
{
    msgpack_pack_str(&m->pk, strlen(s));
    msgpack_pack_str_body(&m->pk, s, strlen(s));
}

static void kv(struct msg *m, const char *k, const char *v)
{
    str(m, k);
    str(m, v);
}

static fleetmod_rc decode(struct msg *m, struct fleetmod_reply *r)
{
    return fleetmod_reply_decode(m->sb.data, m->sb.size, r);
}

static void assert_str_value(const msgpack_object *o, const char *want)
{
    assert_non_null(o);
    assert_int_equal(o->type, MSGPACK_OBJECT_STR);
    assert_int_equal(o->via.str.size, strlen(want));
    assert_memory_equal(o->via.str.ptr, want, strlen(want));
}

static void request_pack_carries_every_field_set(void **state)
{
    (void)state;
    const char *vins[] = {"A1", "B2"};
    struct fleetmod_request req = {.command = "lock_door",
                                   .code = "123456",
                                   .id = "c0ffee",
                                   .request_id = "r-1",
                                   .provider = "mobway",
                                   .wait_ms = 30000,
                                   .vins = vins,
                                   .n_vins = 2};
    struct fleetmod_buf b = {0};
    assert_int_equal(fleetmod_request_pack(&req, &b), FLEETMOD_OK);

    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, b.data, b.len, &off),
                     MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, b.len);
    assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(u.data.via.map.size, 7);
    assert_str_value(msgmap_get(&u.data, "command"), "lock_door");
    assert_str_value(msgmap_get(&u.data, "code"), "123456");
    assert_str_value(msgmap_get(&u.data, "id"), "c0ffee");
    assert_str_value(msgmap_get(&u.data, "request_id"), "r-1");
    assert_str_value(msgmap_get(&u.data, "provider"), "mobway");
    const msgpack_object *w = msgmap_get(&u.data, "wait_ms");
    assert_int_equal(w->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(w->via.u64, 30000);
    const msgpack_object *v = msgmap_get(&u.data, "vins");
    assert_int_equal(v->type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(v->via.array.size, 2);
    assert_str_value(&v->via.array.ptr[1], "B2");
    assert_null(msgmap_get(&u.data, "vin"));
    msgpack_unpacked_destroy(&u);
    fleetmod_buf_free(&b);
}

static void request_pack_of_nothing_is_an_empty_map(void **state)
{
    (void)state;
    struct fleetmod_request req = {0};
    struct fleetmod_buf b = {0};
    assert_int_equal(fleetmod_request_pack(&req, &b), FLEETMOD_OK);
    assert_int_equal(b.len, 1);
    assert_int_equal((unsigned char)b.data[0], 0x80);
    fleetmod_buf_free(&b);
}

static void pack_full_reply(struct msg *m)
{
    msgpack_pack_map(&m->pk, 16);
    kv(m, "provider", "mobway");
    kv(m, "status", "failed");
    str(m, "terminal");
    msgpack_pack_true(&m->pk);
    kv(m, "id", "uuid-1");
    kv(m, "vin", "9BWZZZ377VT004251");
    kv(m, "command", "unlock_door");
    kv(m, "request_id", "r-7");
    kv(m, "code", "654321");
    kv(m, "message", "Confirme o comando");
    str(m, "detail");
    msgpack_pack_map(&m->pk, 1);
    kv(m, "speed", "0");
    str(m, "created");
    msgpack_pack_int64(&m->pk, 1700000000);
    str(m, "updated");
    msgpack_pack_int64(&m->pk, -5);
    str(m, "executed");
    msgpack_pack_uint64(&m->pk, 1700000100);
    str(m, "future_key");
    msgpack_pack_array(&m->pk, 0);
    str(m, "error");
    msgpack_pack_map(&m->pk, 6);
    str(m, "code");
    msgpack_pack_int(&m->pk, FLEETMOD_EDENIED);
    kv(m, "name", "EDENIED");
    kv(m, "message", "Veículo não encontrado");
    str(m, "http_status");
    msgpack_pack_int(&m->pk, 403);
    kv(m, "delivered", "no");
    str(m, "retry_after_ms");
    msgpack_pack_int(&m->pk, 1500);
    str(m, "results");
    msgpack_pack_nil(&m->pk);
}

static void reply_decode_reads_every_key(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    pack_full_reply(&m);
    assert_int_equal(decode(&m, &r), FLEETMOD_OK);
    assert_string_equal(r.provider, "mobway");
    assert_string_equal(r.status, "failed");
    assert_true(r.terminal);
    assert_string_equal(r.id, "uuid-1");
    assert_string_equal(r.vin, "9BWZZZ377VT004251");
    assert_string_equal(r.command, "unlock_door");
    assert_string_equal(r.request_id, "r-7");
    assert_string_equal(r.code, "654321");
    assert_string_equal(r.message, "Confirme o comando");
    assert_null(r.detail_text);
    assert_true(r.has_detail_map);
    assert_true(r.has_created && r.has_updated && r.has_executed);
    assert_int_equal(r.created, 1700000000);
    assert_int_equal(r.updated, -5);
    assert_int_equal(r.executed, 1700000100);
    assert_true(r.has_error);
    assert_int_equal(r.error.code, FLEETMOD_EDENIED);
    assert_string_equal(r.error.name, "EDENIED");
    assert_string_equal(r.error.message, "Veículo não encontrado");
    assert_int_equal(r.error.http_status, 403);
    assert_string_equal(r.error.delivered, "no");
    assert_int_equal(r.error.retry_after_ms, 1500);
    assert_int_equal(r.n_results, 0);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void reply_error_fills_name_and_message(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 4);
    kv(&m, "provider", "p");
    kv(&m, "status", "failed");
    kv(&m, "detail", "Timeout at provider");
    str(&m, "error");
    msgpack_pack_map(&m.pk, 1);
    str(&m, "code");
    msgpack_pack_int(&m.pk, FLEETMOD_EUNREACHABLE);
    assert_int_equal(decode(&m, &r), FLEETMOD_OK);
    assert_string_equal(r.detail_text, "Timeout at provider");
    assert_false(r.has_detail_map);
    assert_false(r.terminal);
    assert_string_equal(r.error.name, "EUNREACHABLE");
    assert_string_equal(r.error.message,
                        fleetmod_strerror(FLEETMOD_EUNREACHABLE));
    assert_int_equal(r.error.http_status, 0);
    assert_null(r.error.delivered);
    assert_int_equal(r.error.retry_after_ms, -1);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void reply_mistyped_values_count_as_absent(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 6);
    kv(&m, "provider", "p");
    kv(&m, "status", "pending");
    kv(&m, "terminal", "yes");
    kv(&m, "created", "yesterday");
    str(&m, "vin");
    msgpack_pack_int(&m.pk, 5);
    str(&m, "error");
    msgpack_pack_array(&m.pk, 0);
    assert_int_equal(decode(&m, &r), FLEETMOD_OK);
    assert_false(r.terminal);
    assert_false(r.has_created);
    assert_null(r.vin);
    assert_false(r.has_error);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void batch_item(struct msg *m, const char *vin, int rc)
{
    msgpack_pack_map(&m->pk, rc != 0 ? 4 : 3);
    kv(m, "provider", "p");
    kv(m, "status", rc != 0 ? "failed" : "pending");
    kv(m, "vin", vin);
    if (rc != 0) {
        str(m, "error");
        msgpack_pack_map(&m->pk, 1);
        str(m, "code");
        msgpack_pack_int(&m->pk, rc);
    }
}

static void reply_batch_results_decode_in_order(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 4);
    kv(&m, "provider", "p");
    kv(&m, "status", "batch");
    str(&m, "terminal");
    msgpack_pack_true(&m.pk);
    str(&m, "results");
    msgpack_pack_array(&m.pk, 2);
    batch_item(&m, "V1", 0);
    batch_item(&m, "V2", FLEETMOD_EDENIED);
    assert_int_equal(decode(&m, &r), FLEETMOD_OK);
    assert_string_equal(r.status, "batch");
    assert_int_equal(r.n_results, 2);
    assert_string_equal(r.results[0].vin, "V1");
    assert_false(r.results[0].has_error);
    assert_string_equal(r.results[1].vin, "V2");
    assert_true(r.results[1].has_error);
    assert_string_equal(r.results[1].error.name, "EDENIED");
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void reply_batch_item_without_status_is_invalid(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 3);
    kv(&m, "provider", "p");
    kv(&m, "status", "batch");
    str(&m, "results");
    msgpack_pack_array(&m.pk, 2);
    batch_item(&m, "V1", 0);
    msgpack_pack_int(&m.pk, 7);
    assert_int_equal(decode(&m, &r), FLEETMOD_EINVAL);
    assert_null(r.results);
    assert_int_equal(r.n_results, 0);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void reply_needs_provider_and_status_strings(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 2);
    str(&m, "provider");
    msgpack_pack_int(&m.pk, 1);
    kv(&m, "status", "pending");
    assert_int_equal(decode(&m, &r), FLEETMOD_EINVAL);
    assert_null(r.provider);
    assert_null(r.status);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);

    msg_init(&m);
    msgpack_pack_array(&m.pk, 0);
    assert_int_equal(decode(&m, &r), FLEETMOD_EINVAL);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void reply_with_trailing_bytes_is_invalid(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 2);
    kv(&m, "provider", "p");
    kv(&m, "status", "pending");
    msgpack_pack_nil(&m.pk);
    assert_int_equal(decode(&m, &r), FLEETMOD_EINVAL);
    fleetmod_reply_free(&r);
    msgpack_sbuffer_destroy(&m.sb);
}

static void every_truncation_of_a_reply_is_invalid(void **state)
{
    (void)state;
    struct msg m;
    struct fleetmod_reply r;
    msg_init(&m);
    pack_full_reply(&m);
    for (size_t len = 0; len < m.sb.size; len++) {
        struct fleetmod_reply_map *map = (void *)1;
        assert_int_equal(fleetmod_reply_decode(m.sb.data, len, &r),
                         FLEETMOD_EINVAL);
        fleetmod_reply_free(&r);
        assert_int_equal(fleetmod_reply_map_decode(m.sb.data, len, &map),
                         FLEETMOD_EINVAL);
        assert_null(map);
    }
    msgpack_sbuffer_destroy(&m.sb);
}

/* Headers that claim far more than the message holds. */
static void huge_claimed_sizes_are_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } cases[] = {
        {"\xdf\xff\xff\xff\xff", 5},              /* map32 of 4G pairs */
        {"\xdd\xff\xff\xff\xff\xc0", 6},          /* array32 of 4G */
        {"\x81\xa1k\xdb\xff\xff\xff\xff", 8},     /* str32 of 4 GiB */
        {"\x81\xa1k\xc6\xff\xff\xff\xff", 8},     /* bin32 */
        {"\x81\xa1k\xc9\xff\xff\xff\xff\x01", 9}, /* ext32 */
        {"\x81\xa1k\xde\xff\xff\xc0\xc0", 8},     /* map16 in a map */
        {"\x82\xa1k\xc0", 4},                     /* map missing a pair */
        {"\xc1", 1},                              /* never-used byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fleetmod_reply r;
        assert_int_equal(
            fleetmod_reply_decode(cases[i].bytes, cases[i].len, &r),
            FLEETMOD_EINVAL);
        fleetmod_reply_free(&r);
        struct fleetmod_reply_map *map;
        assert_int_equal(
            fleetmod_reply_map_decode(cases[i].bytes, cases[i].len, &map),
            FLEETMOD_EINVAL);
    }
}

static void deep_nesting_is_invalid(void **state)
{
    (void)state;
    char buf[200000];
    buf[0] = (char)0x81; /* a map whose value nests 100000 arrays */
    buf[1] = (char)0xa1;
    buf[2] = 'k';
    memset(buf + 3, 0x91, sizeof buf - 4);
    buf[sizeof buf - 1] = (char)0xc0;
    struct fleetmod_reply r;
    assert_int_equal(fleetmod_reply_decode(buf, sizeof buf, &r),
                     FLEETMOD_EINVAL);
    fleetmod_reply_free(&r);
}

/* A deterministic generator, so that a failure can be replayed. */
static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void random_bytes_never_crash(void **state)
{
    (void)state;
    uint32_t seed = 1;
    unsigned char buf[96];
    int ok = 0;
    for (int i = 0; i < 20000; i++) {
        size_t len = next_random(&seed) % sizeof buf;
        for (size_t j = 0; j < len; j++)
            buf[j] = (unsigned char)next_random(&seed);
        /* A map header first makes deeper paths reachable. */
        if (len > 0 && i % 2 == 0)
            buf[0] = (unsigned char)(0x80 | (buf[0] & 0x0f));
        struct fleetmod_reply r;
        fleetmod_rc rc = fleetmod_reply_decode((char *)buf, len, &r);
        assert_true(rc == FLEETMOD_OK || rc == FLEETMOD_EINVAL);
        ok += rc == FLEETMOD_OK;
        fleetmod_reply_free(&r);
        struct fleetmod_reply_map *map = NULL;
        rc = fleetmod_reply_map_decode((char *)buf, len, &map);
        assert_true(rc == FLEETMOD_OK || rc == FLEETMOD_EINVAL);
        assert_true((rc == FLEETMOD_OK) == !!map);
        fleetmod_reply_map_free(map);
        free(fleetmod_msg_to_json((char *)buf, len));
    }
    assert_true(ok < 20000);
}

/* The keys the journal adds to requests, which struct fleetmod_request
 * has no member for, reach the message with their types. */
static void builder_packs_any_key_with_its_type(void **state)
{
    (void)state;
    const char *vins[] = {"A1", "B2"};
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    assert_non_null(b);
    assert_int_equal(fleetmod_msg_builder_set_str(b, "command", "unlock"),
                     FLEETMOD_OK);
    assert_int_equal(fleetmod_msg_builder_set_strs(b, "vins", vins, 2),
                     FLEETMOD_OK);
    assert_int_equal(fleetmod_msg_builder_set_int(b, "deadline", -5),
                     FLEETMOD_OK);
    assert_int_equal(fleetmod_msg_builder_set_str(b, "requester", "ops"),
                     FLEETMOD_OK);
    assert_int_equal(fleetmod_msg_builder_set_str(b, "reason", "recall 7"),
                     FLEETMOD_OK);
    assert_int_equal(fleetmod_msg_builder_set_bool(b, "dry_run", true),
                     FLEETMOD_OK);
    /* Set again: the new value, in the key's first place. */
    assert_int_equal(fleetmod_msg_builder_set_str(b, "command", "lock_door"),
                     FLEETMOD_OK);
    struct fleetmod_buf out = {0};
    assert_int_equal(fleetmod_msg_builder_pack(b, &out), FLEETMOD_OK);
    fleetmod_msg_builder_free(b);

    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, out.data, out.len, &off),
                     MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, out.len);
    assert_int_equal(u.data.via.map.size, 6);
    assert_str_value(&u.data.via.map.ptr[0].key, "command");
    assert_str_value(&u.data.via.map.ptr[0].val, "lock_door");
    const msgpack_object *v = msgmap_get(&u.data, "vins");
    assert_int_equal(v->type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(v->via.array.size, 2);
    assert_str_value(&v->via.array.ptr[1], "B2");
    const msgpack_object *d = msgmap_get(&u.data, "deadline");
    assert_int_equal(d->type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
    assert_int_equal(d->via.i64, -5);
    assert_str_value(msgmap_get(&u.data, "requester"), "ops");
    assert_str_value(msgmap_get(&u.data, "reason"), "recall 7");
    const msgpack_object *f = msgmap_get(&u.data, "dry_run");
    assert_int_equal(f->type, MSGPACK_OBJECT_BOOLEAN);
    assert_true(f->via.boolean);
    msgpack_unpacked_destroy(&u);
    fleetmod_buf_free(&out);
}

static void builder_refuses_what_it_cannot_pack(void **state)
{
    (void)state;
    const char *holes[] = {"A1", NULL};
    struct fleetmod_msg_builder *b = fleetmod_msg_builder_new();
    struct fleetmod_buf out = {0};
    assert_int_equal(fleetmod_msg_builder_set_str(b, NULL, "x"),
                     FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_msg_builder_set_str(b, "", "x"), FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_msg_builder_set_str(b, "vin", NULL),
                     FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_msg_builder_set_strs(b, "vins", holes, 2),
                     FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_msg_builder_set_int(NULL, "k", 1),
                     FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_msg_builder_pack(NULL, &out), FLEETMOD_EINVAL);
    /* Nothing refused was kept. */
    assert_int_equal(fleetmod_msg_builder_pack(b, &out), FLEETMOD_OK);
    assert_int_equal(out.len, 1);
    assert_int_equal((unsigned char)out.data[0], 0x80);
    fleetmod_buf_free(&out);
    fleetmod_msg_builder_free(b);
    fleetmod_msg_builder_free(NULL);
}

/* The keys the journal adds to replies, which struct fleetmod_reply has
 * no member for, read by name, nested and per batch item, after the
 * bytes are gone. */
static void reply_map_reads_any_key_by_name(void **state)
{
    (void)state;
    struct msg m;
    msg_init(&m);
    msgpack_pack_map(&m.pk, 8);
    kv(&m, "provider", "stack");
    kv(&m, "status", "batch");
    kv(&m, "journal", "j-42");
    str(&m, "duplicate");
    msgpack_pack_true(&m.pk);
    str(&m, "late");
    msgpack_pack_false(&m.pk);
    str(&m, "deadline");
    msgpack_pack_int64(&m.pk, 1700000000);
    str(&m, "error");
    msgpack_pack_map(&m.pk, 2);
    kv(&m, "name", "EDENIED");
    str(&m, "code");
    msgpack_pack_int(&m.pk, 4);
    str(&m, "results");
    msgpack_pack_array(&m.pk, 2);
    msgpack_pack_map(&m.pk, 1);
    kv(&m, "vin", "A1");
    msgpack_pack_map(&m.pk, 2);
    kv(&m, "vin", "B2");
    kv(&m, "late", "not a bool");

    struct fleetmod_reply_map *r;
    assert_int_equal(fleetmod_reply_map_decode(m.sb.data, m.sb.size, &r),
                     FLEETMOD_OK);
    memset(m.sb.data, 0, m.sb.size);
    msgpack_sbuffer_destroy(&m.sb);

    bool flag = false;
    int64_t n = 0;
    assert_string_equal(fleetmod_reply_get_str(r, "journal"), "j-42");
    assert_true(fleetmod_reply_get_bool(r, "duplicate", &flag) && flag);
    assert_true(fleetmod_reply_get_bool(r, "late", &flag) && !flag);
    assert_true(fleetmod_reply_get_int(r, "deadline", &n));
    assert_int_equal(n, 1700000000);
    assert_string_equal(fleetmod_reply_get_str(r, "error.name"), "EDENIED");
    assert_true(fleetmod_reply_get_int(r, "error.code", &n));
    assert_int_equal(n, 4);
    /* Absent and mistyped read alike, and leave *out alone. */
    assert_null(fleetmod_reply_get_str(r, "deadline"));
    assert_null(fleetmod_reply_get_str(r, "nothing"));
    assert_null(fleetmod_reply_get_str(r, "error.name.deeper"));
    n = 7;
    assert_false(fleetmod_reply_get_int(r, "journal", &n));
    assert_int_equal(n, 7);

    assert_int_equal(fleetmod_reply_count(r, "results"), 2);
    assert_int_equal(fleetmod_reply_count(r, "journal"), 0);
    const struct fleetmod_reply_map *item =
        fleetmod_reply_item(r, "results", 1);
    assert_string_equal(fleetmod_reply_get_str(item, "vin"), "B2");
    assert_false(fleetmod_reply_get_bool(item, "late", &flag));
    assert_null(fleetmod_reply_item(r, "results", 2));
    assert_null(fleetmod_reply_get_str(NULL, "vin"));
    fleetmod_reply_map_free(r);
}

static void reply_map_needs_one_map(void **state)
{
    (void)state;
    struct fleetmod_reply_map *r = (void *)1;
    assert_int_equal(fleetmod_reply_map_decode("\x91\xc0", 2, &r),
                     FLEETMOD_EINVAL);
    assert_null(r);
    assert_int_equal(fleetmod_reply_map_decode("\x80\x80", 2, &r),
                     FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_reply_map_decode(NULL, 0, &r), FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_reply_map_decode("\x80", 1, &r), FLEETMOD_OK);
    assert_int_equal(fleetmod_reply_count(r, "results"), 0);
    fleetmod_reply_map_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_pack_carries_every_field_set),
        cmocka_unit_test(request_pack_of_nothing_is_an_empty_map),
        cmocka_unit_test(reply_decode_reads_every_key),
        cmocka_unit_test(reply_error_fills_name_and_message),
        cmocka_unit_test(reply_mistyped_values_count_as_absent),
        cmocka_unit_test(reply_batch_results_decode_in_order),
        cmocka_unit_test(reply_batch_item_without_status_is_invalid),
        cmocka_unit_test(reply_needs_provider_and_status_strings),
        cmocka_unit_test(reply_with_trailing_bytes_is_invalid),
        cmocka_unit_test(every_truncation_of_a_reply_is_invalid),
        cmocka_unit_test(huge_claimed_sizes_are_invalid),
        cmocka_unit_test(deep_nesting_is_invalid),
        cmocka_unit_test(random_bytes_never_crash),
        cmocka_unit_test(builder_packs_any_key_with_its_type),
        cmocka_unit_test(builder_refuses_what_it_cannot_pack),
        cmocka_unit_test(reply_map_reads_any_key_by_name),
        cmocka_unit_test(reply_map_needs_one_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
