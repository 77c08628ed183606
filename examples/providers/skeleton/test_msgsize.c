/*
 * test_msgsize.c - sk_msgpack_sizes_ok accepts what msgpack-c packs and
 * refuses what claims more than it holds, before msgpack-c would allocate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include "msgsize.h"

/* One object of every msgpack type, nested, packed by msgpack-c itself. */
static void pack_every_type(msgpack_sbuffer *sb)
{
    msgpack_packer pk;
    static const char big[70000];

    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str(&pk, 1);
    msgpack_pack_str_body(&pk, "k", 1);
    msgpack_pack_array(&pk, 14);
    msgpack_pack_nil(&pk);
    msgpack_pack_true(&pk);
    msgpack_pack_int64(&pk, -5);
    msgpack_pack_int64(&pk, INT64_MIN);
    msgpack_pack_uint64(&pk, UINT64_MAX);
    msgpack_pack_float(&pk, 1.5f);
    msgpack_pack_double(&pk, 2.5);
    msgpack_pack_str(&pk, 300); /* str16 */
    msgpack_pack_str_body(&pk, big, 300);
    msgpack_pack_str(&pk, sizeof big); /* str32 */
    msgpack_pack_str_body(&pk, big, sizeof big);
    msgpack_pack_bin(&pk, 3);
    msgpack_pack_bin_body(&pk, "abc", 3);
    msgpack_pack_ext(&pk, 4, 1); /* fixext4 */
    msgpack_pack_ext_body(&pk, "abcd", 4);
    msgpack_pack_ext(&pk, 5, 1); /* ext8 */
    msgpack_pack_ext_body(&pk, "abcde", 5);
    msgpack_pack_array(&pk, 0);
    msgpack_pack_map(&pk, 0);
}

static void accepts_every_type_and_refuses_every_truncation(void **state)
{
    msgpack_sbuffer sb;

    (void)state;
    msgpack_sbuffer_init(&sb);
    pack_every_type(&sb);
    assert_true(sk_msgpack_sizes_ok(sb.data, sb.size));
    for (size_t cut = 0; cut < sb.size; cut += 1 + cut / 64)
        assert_false(sk_msgpack_sizes_ok(sb.data, cut));
    msgpack_sbuffer_destroy(&sb);
}

static void refuses_claims_larger_than_the_message(void **state)
{
    (void)state;
    assert_false(sk_msgpack_sizes_ok("\xdf\xff\xff\xff\xff", 5));
    assert_false(sk_msgpack_sizes_ok("\xdd\x00\x00\x00\x02\xc0", 6));
    assert_false(sk_msgpack_sizes_ok("\xdb\x00\x00\x00\x02x", 6));
    assert_false(sk_msgpack_sizes_ok("\xc6\xff\xff\xff\xff", 5));
    /* An inner claim that fits the bytes left, but not together with the
     * item the outer array still owes. */
    assert_false(sk_msgpack_sizes_ok("\x92\x95\xc0\xc0\xc0\xc0\xc0", 7));
    assert_true(sk_msgpack_sizes_ok("\x92\x92\xc0\xc0\x91\xc0", 6));
    assert_false(sk_msgpack_sizes_ok("\xc1", 1));
    assert_false(sk_msgpack_sizes_ok("", 0));
}

static void nesting_stops_where_msgpack_c_stops(void **state)
{
    char deep[SK_MSGPACK_DEPTH + 2];

    (void)state;
    memset(deep, '\x91', sizeof deep);
    deep[SK_MSGPACK_DEPTH] = '\xc0'; /* 32 arrays around a nil */
    assert_true(sk_msgpack_sizes_ok(deep, SK_MSGPACK_DEPTH + 1));
    deep[SK_MSGPACK_DEPTH] = '\x91';
    deep[SK_MSGPACK_DEPTH + 1] = '\xc0'; /* 33 */
    assert_false(sk_msgpack_sizes_ok(deep, sizeof deep));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_every_type_and_refuses_every_truncation),
        cmocka_unit_test(refuses_claims_larger_than_the_message),
        cmocka_unit_test(nesting_stops_where_msgpack_c_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
