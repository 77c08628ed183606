/*
 * test_json.c - fleetmod_msg_to_json renders every msgpack type as
 * compact JSON, in the message's order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include <fleetmod/host.h>

static msgpack_sbuffer sb;
static msgpack_packer pk;

static int setup(void **state)
{
    (void)state;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    msgpack_sbuffer_destroy(&sb);
    return 0;
}

static void str(const char *s)
{
    msgpack_pack_str(&pk, strlen(s));
    msgpack_pack_str_body(&pk, s, strlen(s));
}

/* The JSON of what was packed so far equals want. */
static void assert_json(const char *want)
{
    char *got = fleetmod_msg_to_json(sb.data, sb.size);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void scalars_keep_their_types(void **state)
{
    (void)state;
    msgpack_pack_array(&pk, 9);
    msgpack_pack_nil(&pk);
    msgpack_pack_true(&pk);
    msgpack_pack_false(&pk);
    msgpack_pack_int(&pk, -7);
    msgpack_pack_uint64(&pk, UINT64_C(9223372036854775807));
    msgpack_pack_double(&pk, 1.0);
    msgpack_pack_float(&pk, 0.5f);
    msgpack_pack_double(&pk, -23.5613);
    str("text");
    assert_json("[null,true,false,-7,9223372036854775807,1.0,0.5,-23.5613,"
                "\"text\"]");
}

static void integers_beyond_int64_become_reals(void **state)
{
    (void)state;
    msgpack_pack_uint64(&pk, UINT64_MAX);
    assert_json("1.8446744073709552e19");
}

static void reals_read_back_exactly(void **state)
{
    (void)state;
    msgpack_pack_array(&pk, 3);
    msgpack_pack_double(&pk, 0.1 + 0.2);
    msgpack_pack_double(&pk, 1.5);
    msgpack_pack_double(&pk, 1e300);
    assert_json("[0.30000000000000004,1.5,1.0000000000000001e300]");
}

static void nan_and_infinity_become_null(void **state)
{
    (void)state;
    msgpack_pack_array(&pk, 2);
    msgpack_pack_double(&pk, 0.0 / 0.0);
    msgpack_pack_double(&pk, 1.0 / 0.0);
    assert_json("[null,null]");
}

static void maps_keep_message_order_and_nest(void **state)
{
    (void)state;
    msgpack_pack_map(&pk, 3);
    str("z");
    msgpack_pack_int(&pk, 1);
    str("a");
    msgpack_pack_map(&pk, 1);
    str("list");
    msgpack_pack_array(&pk, 2);
    msgpack_pack_array(&pk, 0);
    msgpack_pack_map(&pk, 0);
    str("m");
    msgpack_pack_nil(&pk);
    assert_json("{\"z\":1,\"a\":{\"list\":[[],{}]},\"m\":null}");
}

static void non_string_keys_render_as_json_text(void **state)
{
    (void)state;
    msgpack_pack_map(&pk, 4);
    msgpack_pack_int(&pk, 1);
    str("one");
    msgpack_pack_true(&pk);
    str("yes");
    msgpack_pack_array(&pk, 2);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_int(&pk, 2);
    str("pair");
    msgpack_pack_nil(&pk);
    msgpack_pack_double(&pk, 2.5);
    assert_json("{\"1\":\"one\",\"true\":\"yes\",\"[1,2]\":\"pair\","
                "\"null\":2.5}");
}

/* Each level of keys in keys would escape the text below it again: 40
 * levels in under 100 bytes asked for gigabytes before keys in keys were
 * cut to a placeholder. */
static void keys_in_keys_are_cut_so_the_text_stays_small(void **state)
{
    (void)state;
    msgpack_pack_map(&pk, 1);
    msgpack_pack_map(&pk, 1); /* a key that is a map ... */
    msgpack_pack_map(&pk, 1); /* ... whose key is a map: "<map>" */
    str("deep");
    str("v");
    str("w");
    str("x");
    assert_json("{\"{\\\"<map>\\\":\\\"w\\\"}\":\"x\"}");

    msgpack_sbuffer_clear(&sb);
    for (int i = 0; i < 31; i++)
        msgpack_pack_map(&pk, 1);
    msgpack_pack_nil(&pk);
    for (int i = 0; i < 31; i++)
        msgpack_pack_nil(&pk);
    char *json = fleetmod_msg_to_json(sb.data, sb.size);
    assert_non_null(json);
    assert_true(strlen(json) < 4096);
    free(json);
}

static void utf8_passes_through_and_escapes_stay_json(void **state)
{
    (void)state;
    msgpack_pack_map(&pk, 1);
    str("mensagem");
    str("Veículo não encontrado \"x\"\n\xe2\x82\xac");
    assert_json("{\"mensagem\":\"Veículo não encontrado \\\"x\\\"\\n€\"}");
}

static void invalid_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
    msgpack_pack_str(&pk, 4);
    msgpack_pack_str_body(&pk, "a\xff\xc3z", 4);
    assert_json("\"a\xef\xbf\xbd\xef\xbf\xbdz\"");
}

static void embedded_nul_is_escaped(void **state)
{
    (void)state;
    msgpack_pack_str(&pk, 3);
    msgpack_pack_str_body(&pk, "a\0b", 3);
    assert_json("\"a\\u0000b\"");
}

static void bin_becomes_base64(void **state)
{
    (void)state;
    msgpack_pack_array(&pk, 3);
    msgpack_pack_bin(&pk, 5);
    msgpack_pack_bin_body(&pk, "hello", 5);
    msgpack_pack_bin(&pk, 4);
    msgpack_pack_bin_body(&pk, "\xff\x00\x10\x80", 4);
    msgpack_pack_bin(&pk, 0);
    assert_json("[\"aGVsbG8=\",\"/wAQgA==\",\"\"]");
}

static void ext_becomes_a_described_object(void **state)
{
    (void)state;
    msgpack_pack_ext(&pk, 3, 7);
    msgpack_pack_ext_body(&pk, "abc", 3);
    assert_json("{\"ext\":7,\"data\":\"YWJj\"}");
}

static void nesting_is_bounded(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++)
        msgpack_pack_array(&pk, 1);
    msgpack_pack_int(&pk, 1);
    char *deep = fleetmod_msg_to_json(sb.data, sb.size);
    assert_non_null(deep);
    assert_int_equal(strlen(deep), 32 * 2 + 1);
    free(deep);

    msgpack_sbuffer_clear(&sb);
    for (int i = 0; i < 33; i++)
        msgpack_pack_array(&pk, 1);
    msgpack_pack_int(&pk, 1);
    assert_null(fleetmod_msg_to_json(sb.data, sb.size));
}

static void anything_but_one_object_is_null(void **state)
{
    (void)state;
    assert_null(fleetmod_msg_to_json("", 0));
    assert_null(fleetmod_msg_to_json("\x92\x01", 2)); /* truncated */
    assert_null(fleetmod_msg_to_json("\x01\x02", 2)); /* two objects */
    assert_null(fleetmod_msg_to_json("\xc1", 1));     /* never used */
    assert_null(fleetmod_msg_to_json("\xdb\xff\xff\xff\xff", 5));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(scalars_keep_their_types),
        T(integers_beyond_int64_become_reals),
        T(reals_read_back_exactly),
        T(nan_and_infinity_become_null),
        T(maps_keep_message_order_and_nest),
        T(non_string_keys_render_as_json_text),
        T(keys_in_keys_are_cut_so_the_text_stays_small),
        T(utf8_passes_through_and_escapes_stay_json),
        T(invalid_utf8_becomes_replacement_characters),
        T(embedded_nul_is_escaped),
        T(bin_becomes_base64),
        T(ext_becomes_a_described_object),
        T(nesting_is_bounded),
        T(anything_but_one_object_is_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
