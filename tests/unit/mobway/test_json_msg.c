/*
 * test_json_msg.c - JSON to msgpack keeps every type: float stays float
 * (even 44.0), int stays int, null stays nil, strings keep embedded NULs,
 * maps keep their order, nesting is kept up to a depth limit and refused
 * past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json_msg.h"

struct packed {
    msgpack_sbuffer buf;
    msgpack_unpacked msg;
};

/* Packs the JSON text and unpacks the result; returns mw_json_pack's rc. */
static int roundtrip(struct packed *p, const char *json, unsigned depth)
{
    json_error_t err;
    json_t *v = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    msgpack_packer pk;
    int rc;

    assert_non_null(v);
    msgpack_sbuffer_init(&p->buf);
    msgpack_packer_init(&pk, &p->buf, msgpack_sbuffer_write);
    rc = mw_json_pack(&pk, v, depth);
    json_decref(v);
    msgpack_unpacked_init(&p->msg);
    if (rc == 0)
        assert_int_equal(
            msgpack_unpack_next(&p->msg, p->buf.data, p->buf.size, NULL),
            MSGPACK_UNPACK_SUCCESS);
    return rc;
}

static void done(struct packed *p)
{
    msgpack_unpacked_destroy(&p->msg);
    msgpack_sbuffer_destroy(&p->buf);
}

static void scalars_keep_their_types(void **state)
{
    struct packed p;
    msgpack_object *a;

    (void)state;
    assert_int_equal(roundtrip(&p,
                               "[44.0, 43.47, 7, -3, null, true, false, "
                               "\"x\", 10E-30, 9223372036854775807]",
                               MW_JSON_MAX_DEPTH),
                     0);
    assert_int_equal(p.msg.data.type, MSGPACK_OBJECT_ARRAY);
    a = p.msg.data.via.array.ptr;
    assert_int_equal(a[0].type, MSGPACK_OBJECT_FLOAT64);
    assert_true(a[0].via.f64 == 44.0);
    assert_int_equal(a[1].type, MSGPACK_OBJECT_FLOAT64);
    assert_true(a[1].via.f64 == 43.47);
    assert_int_equal(a[2].type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(a[2].via.u64, 7);
    assert_int_equal(a[3].type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
    assert_int_equal(a[3].via.i64, -3);
    assert_int_equal(a[4].type, MSGPACK_OBJECT_NIL);
    assert_int_equal(a[5].type, MSGPACK_OBJECT_BOOLEAN);
    assert_true(a[5].via.boolean);
    assert_int_equal(a[6].type, MSGPACK_OBJECT_BOOLEAN);
    assert_false(a[6].via.boolean);
    assert_int_equal(a[7].type, MSGPACK_OBJECT_STR);
    assert_int_equal(a[8].type, MSGPACK_OBJECT_FLOAT64);
    assert_true(a[8].via.f64 == 10E-30);
    assert_int_equal(a[9].via.u64, 9223372036854775807u);
    done(&p);
}

static void strings_keep_nul_and_utf8(void **state)
{
    struct packed p;

    (void)state;
    assert_int_equal(roundtrip(&p, "\"a\\u0000b\\u00e9\"", 1), 0);
    assert_int_equal(p.msg.data.type, MSGPACK_OBJECT_STR);
    assert_int_equal(p.msg.data.via.str.size, 5);
    assert_memory_equal(p.msg.data.via.str.ptr, "a\0b\xc3\xa9", 5);
    done(&p);
}

static void objects_keep_order_and_nesting(void **state)
{
    struct packed p;
    msgpack_object_kv *kv;

    (void)state;
    assert_int_equal(roundtrip(&p,
                               "{\"z\": {\"hv\": {\"value\": 153.14, "
                               "\"flag\": \"out of range\"}}, \"a\": [], "
                               "\"m\": {}}",
                               MW_JSON_MAX_DEPTH),
                     0);
    assert_int_equal(p.msg.data.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(p.msg.data.via.map.size, 3);
    kv = p.msg.data.via.map.ptr;
    assert_memory_equal(kv[0].key.via.str.ptr, "z", 1);
    assert_memory_equal(kv[1].key.via.str.ptr, "a", 1);
    assert_memory_equal(kv[2].key.via.str.ptr, "m", 1);
    assert_int_equal(kv[1].val.type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(kv[1].val.via.array.size, 0);
    assert_int_equal(kv[2].val.type, MSGPACK_OBJECT_MAP);
    kv = kv[0].val.via.map.ptr[0].val.via.map.ptr;
    assert_int_equal(kv[0].val.type, MSGPACK_OBJECT_FLOAT64);
    assert_int_equal(kv[1].val.type, MSGPACK_OBJECT_STR);
    done(&p);
}

/* "[[[...1...]]]" nested n deep. */
static void nested(char *out, int n)
{
    memset(out, '[', (size_t)n);
    out[n] = '1';
    memset(out + n + 1, ']', (size_t)n);
    out[2 * n + 1] = '\0';
}

static void depth_limit_is_exact(void **state)
{
    char json[2 * 64 + 2];
    struct packed p;
    msgpack_object *o;

    (void)state;
    /* MW_JSON_MAX_DEPTH - 1 arrays plus the scalar: exactly at the limit */
    nested(json, MW_JSON_MAX_DEPTH - 1);
    assert_int_equal(roundtrip(&p, json, MW_JSON_MAX_DEPTH), 0);
    o = &p.msg.data;
    for (int i = 0; i < MW_JSON_MAX_DEPTH - 1; i++) {
        assert_int_equal(o->type, MSGPACK_OBJECT_ARRAY);
        o = o->via.array.ptr;
    }
    assert_int_equal(o->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    done(&p);
    nested(json, MW_JSON_MAX_DEPTH);
    assert_int_equal(roundtrip(&p, json, MW_JSON_MAX_DEPTH), -1);
    done(&p);
}

static int failing_write(void *data, const char *buf, size_t len)
{
    (void)data;
    (void)buf;
    (void)len;
    return -1;
}

static void write_failure_is_reported(void **state)
{
    json_t *v = json_pack("{s:i}", "a", 1);
    msgpack_packer pk;

    (void)state;
    msgpack_packer_init(&pk, NULL, failing_write);
    assert_int_equal(mw_json_pack(&pk, v, MW_JSON_MAX_DEPTH), -2);
    json_decref(v);
}

/* Only integers beyond int64 outside strings become strings; the text
 * inside strings (escaped quotes included) and every other number stay. */
static void load_keeps_big_integers_as_strings(void **state)
{
    static const char text[] =
        "[18446744073709551616, -9223372036854775809, "
        "9223372036854775807, -9223372036854775808, 1e300, "
        "\"a\\\" 99999999999999999999\", 123456789012345678901.5]";
    json_t *v;

    (void)state;
    /* a real too large for a double stays an error, as in jansson */
    assert_null(mw_json_load("[1e999, 99999999999999999999]", 29));
    assert_null(mw_json_load("[1, ", 4));
    v = mw_json_load(text, strlen(text));
    assert_non_null(v);
    assert_string_equal(json_string_value(json_array_get(v, 0)),
                        "18446744073709551616");
    assert_string_equal(json_string_value(json_array_get(v, 1)),
                        "-9223372036854775809");
    assert_true(json_integer_value(json_array_get(v, 2)) == INT64_MAX);
    assert_true(json_integer_value(json_array_get(v, 3)) == INT64_MIN);
    assert_true(json_is_real(json_array_get(v, 4)));
    assert_string_equal(json_string_value(json_array_get(v, 5)),
                        "a\" 99999999999999999999");
    assert_true(json_is_real(json_array_get(v, 6)));
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_keep_their_types),
        cmocka_unit_test(strings_keep_nul_and_utf8),
        cmocka_unit_test(objects_keep_order_and_nesting),
        cmocka_unit_test(depth_limit_is_exact),
        cmocka_unit_test(write_failure_is_reported),
        cmocka_unit_test(load_keeps_big_integers_as_strings),
    };
    return cmocka_run_group_tests_name("mobway json_msg", tests, NULL, NULL);
}
