/*
 * test_msgcheck.c - fleetmod/msgcheck.h, the one check of untrusted
 * msgpack: it accepts what msgpack-c packs, refuses what claims more than
 * it holds before msgpack-c would allocate for it, stops nesting where
 * msgpack-c stops, and reads a map's keys as every module does. Header
 * only: this program links msgpack-c and cmocka, nothing of libfleetmod.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#include <fleetmod/msgcheck.h>

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
    assert_int_equal(fleetmod_msg_check(sb.data, sb.size), sb.size);
    for (size_t cut = 0; cut < sb.size; cut += 1 + cut / 64)
        assert_int_equal(fleetmod_msg_check(sb.data, cut), 0);
    msgpack_sbuffer_destroy(&sb);
}

static void refuses_claims_larger_than_the_message(void **state)
{
    (void)state;
    assert_int_equal(fleetmod_msg_check("\xdf\xff\xff\xff\xff", 5), 0);
    assert_int_equal(fleetmod_msg_check("\xdd\x00\x00\x00\x02\xc0", 6), 0);
    assert_int_equal(fleetmod_msg_check("\xdb\x00\x00\x00\x02x", 6), 0);
    assert_int_equal(fleetmod_msg_check("\xc6\xff\xff\xff\xff", 5), 0);
    /* An inner claim that fits the bytes left, but not together with the
     * item the outer array still owes. */
    assert_int_equal(fleetmod_msg_check("\x92\x95\xc0\xc0\xc0\xc0\xc0", 7), 0);
    assert_int_equal(fleetmod_msg_check("\x92\x92\xc0\xc0\x91\xc0", 6), 6);
    assert_int_equal(fleetmod_msg_check("\xc1", 1), 0);
    assert_int_equal(fleetmod_msg_check("", 0), 0);
}

static void the_length_is_that_of_the_first_object(void **state)
{
    (void)state;
    /* {} then a stray byte: the object is 1 byte long. */
    assert_int_equal(fleetmod_msg_check("\x80\xc0", 2), 1);
    assert_int_equal(fleetmod_msg_check("\x81\xa1k\xc3\x90", 5), 4);
}

static void nesting_stops_where_msgpack_c_stops(void **state)
{
    char deep[FLEETMOD_MSG_MAX_DEPTH + 2];

    (void)state;
    memset(deep, '\x91', sizeof deep);
    deep[FLEETMOD_MSG_MAX_DEPTH] = '\xc0'; /* 32 arrays around a nil */
    assert_int_equal(fleetmod_msg_check(deep, FLEETMOD_MSG_MAX_DEPTH + 1),
                     FLEETMOD_MSG_MAX_DEPTH + 1);
    deep[FLEETMOD_MSG_MAX_DEPTH] = '\x91';
    deep[FLEETMOD_MSG_MAX_DEPTH + 1] = '\xc0'; /* 33 */
    assert_int_equal(fleetmod_msg_check(deep, sizeof deep), 0);
}

/* msgpack-c refuses a 33rd container even when it is empty, as out of
 * memory: the check refuses it first, so that the reader says EINVAL. */
static void an_empty_container_counts_towards_the_nesting(void **state)
{
    char deep[FLEETMOD_MSG_MAX_DEPTH + 1];
    msgpack_zone zone;
    msgpack_object obj;

    (void)state;
    memset(deep, '\x91', sizeof deep);
    deep[FLEETMOD_MSG_MAX_DEPTH] = '\x80'; /* 32 arrays around {} */
    assert_int_equal(fleetmod_msg_check(deep, sizeof deep), 0);
    deep[FLEETMOD_MSG_MAX_DEPTH] = '\x90'; /* ... around [] */
    assert_int_equal(fleetmod_msg_check(deep, sizeof deep), 0);
    assert_true(msgpack_zone_init(&zone, 256));
    assert_int_equal(fleetmod_msg_unpack(deep, sizeof deep, &zone, &obj),
                     FLEETMOD_EINVAL);
    /* 31 arrays around [] is 32 containers: msgpack-c's limit, accepted. */
    assert_int_equal(
        fleetmod_msg_unpack(deep + 1, sizeof deep - 1, &zone, &obj),
        FLEETMOD_OK);
    msgpack_zone_destroy(&zone);
}

/* unpack: exactly one object, else EINVAL; what the check passes, msgpack-c
 * unpacks. */
static void unpack_takes_exactly_one_object(void **state)
{
    msgpack_zone zone;
    msgpack_object obj;

    (void)state;
    assert_true(msgpack_zone_init(&zone, 256));
    assert_int_equal(fleetmod_msg_unpack("\x81\xa1k\x01", 4, &zone, &obj),
                     FLEETMOD_OK);
    assert_int_equal(obj.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(fleetmod_msg_unpack("\x80\x80", 2, &zone, &obj),
                     FLEETMOD_EINVAL);
    assert_int_equal(fleetmod_msg_unpack("", 0, &zone, &obj), FLEETMOD_EINVAL);
    assert_int_equal(
        fleetmod_msg_unpack("\xdf\xff\xff\xff\xff", 5, &zone, &obj),
        FLEETMOD_EINVAL);
    msgpack_zone_destroy(&zone);
}

/* A key given twice: the last one, so that a host routing on a key and
 * the module acting on it read the same value. */
static void map_get_reads_the_last_of_a_repeated_key(void **state)
{
    msgpack_zone zone;
    msgpack_object obj;
    const msgpack_object *v;

    (void)state;
    assert_true(msgpack_zone_init(&zone, 256));
    /* {"k": 1, 2: 3, "k": 2} */
    assert_int_equal(
        fleetmod_msg_unpack("\x83\xa1k\x01\x02\x03\xa1k\x02", 9, &zone, &obj),
        FLEETMOD_OK);
    v = fleetmod_msg_map_get(&obj, "k");
    assert_non_null(v);
    assert_int_equal(v->via.u64, 2);
    assert_null(fleetmod_msg_map_get(&obj, "x"));
    assert_null(fleetmod_msg_map_get(&obj.via.map.ptr[0].val, "k"));
    assert_null(fleetmod_msg_map_get(NULL, "k"));
    msgpack_zone_destroy(&zone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_every_type_and_refuses_every_truncation),
        cmocka_unit_test(refuses_claims_larger_than_the_message),
        cmocka_unit_test(the_length_is_that_of_the_first_object),
        cmocka_unit_test(nesting_stops_where_msgpack_c_stops),
        cmocka_unit_test(an_empty_container_counts_towards_the_nesting),
        cmocka_unit_test(unpack_takes_exactly_one_object),
        cmocka_unit_test(map_get_reads_the_last_of_a_repeated_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
