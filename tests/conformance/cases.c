/*
 * cases.c - requests every module must refuse with EINVAL.
 *
 * Two kinds: byte strings that are not one msgpack map (empty, random,
 * truncated, oversized, lying about their sizes), and maps one step away
 * from a valid request (a field missing, mistyped, or with a value that
 * fails the contract's syntax). The near-valid ones start from a base
 * request per call and change one field each.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

const char *const call_names[3] = {"send", "confirm", "status"};

/* One field of a request map. type: 's' str, 'i' the int 7, 'm' the int
 * -1, 'n' nil, 'a' an array holding s, 'e' an empty array, 'I' an array
 * holding the int 7, '-' leave the field out. */
struct field {
    const char *key;
    char type;
    const char *s;
};

#define MAX_FIELDS 6

struct list {
    struct req *v;
    size_t n, cap;
};

/* A new case described by fmt; group names the TAP line it counts
 * towards (NULL: a line of its own). */
__attribute__((format(printf, 3, 4))) static msgpack_sbuffer *
add(struct list *l, const char *group, const char *fmt, ...)
{
    va_list ap;
    char *desc;

    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort(); /* a test tool out of memory has nothing to report */
    }
    va_start(ap, fmt);
    if (vasprintf(&desc, fmt, ap) < 0)
        abort();
    va_end(ap);
    l->v[l->n].desc = desc;
    l->v[l->n].group = strdup(group ? group : desc);
    if (!l->v[l->n].group)
        abort();
    msgpack_sbuffer_init(&l->v[l->n].buf);
    return &l->v[l->n++].buf;
}

void cases_free(struct req *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)cases[i].desc);
        free((char *)cases[i].group);
        msgpack_sbuffer_destroy(&cases[i].buf);
    }
    free(cases);
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str(pk, strlen(s));
    msgpack_pack_str_body(pk, s, strlen(s));
}

static void pack_value(msgpack_packer *pk, const struct field *f)
{
    switch (f->type) {
    case 's':
        pack_str(pk, f->s);
        break;
    case 'i':
        msgpack_pack_int(pk, 7);
        break;
    case 'm':
        msgpack_pack_int(pk, -1);
        break;
    case 'n':
        msgpack_pack_nil(pk);
        break;
    case 'a':
        msgpack_pack_array(pk, 1);
        pack_str(pk, f->s);
        break;
    case 'e':
        msgpack_pack_array(pk, 0);
        break;
    case 'I':
        msgpack_pack_array(pk, 1);
        msgpack_pack_int(pk, 7);
        break;
    }
}

/* Pack fields (those not marked '-') as one map; extra_pairs more key/value
 * pairs are announced for the caller to append. */
static void pack_fields(msgpack_sbuffer *buf, const struct field *f, size_t n,
                        size_t extra_pairs)
{
    msgpack_packer pk;
    size_t count = extra_pairs;

    msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
    for (size_t i = 0; i < n; i++)
        count += f[i].type != '-';
    msgpack_pack_map(&pk, count);
    for (size_t i = 0; i < n; i++) {
        if (f[i].type == '-')
            continue;
        pack_str(&pk, f[i].key);
        pack_value(&pk, &f[i]);
    }
}

void req_pack(msgpack_sbuffer *buf, size_t n, const char *const *kv)
{
    struct field f[MAX_FIELDS];

    for (size_t i = 0; i < n && i < MAX_FIELDS; i++)
        f[i] = (struct field){kv[2 * i], 's', kv[2 * i + 1]};
    pack_fields(buf, f, n < MAX_FIELDS ? n : MAX_FIELDS, 0);
}

/* The valid request of each call that the near-valid cases start from. */
static size_t base(enum call call, const char *vin, struct field *f)
{
    switch (call) {
    case CALL_SEND:
        f[0] = (struct field){"vin", 's', vin};
        f[1] = (struct field){"command", 's', "location"};
        return 2;
    case CALL_CONFIRM:
        f[0] = (struct field){"vin", 's', vin};
        f[1] = (struct field){"command", 's', "disable_ignition"};
        f[2] = (struct field){"code", 's', "123456"};
        return 3;
    case CALL_STATUS:
        f[0] = (struct field){"id", 's', UNKNOWN_ID};
        return 1;
    }
    return 0;
}

/* The base request with key changed to change (added when absent),
 * counted towards group (NULL: its own line). */
static void one_change(struct list *l, enum call call, const char *vin,
                       struct field change, const char *group, const char *what)
{
    struct field f[MAX_FIELDS];
    size_t n = base(call, vin, f), i;

    for (i = 0; i < n && strcmp(f[i].key, change.key) != 0; i++)
        ;
    f[i] = change;
    n += i == n;
    pack_fields(add(l, group, "%s: %s", call_names[call], what), f, n, 0);
}

/* Each required field missing, or of the wrong type. */
static void wrong_fields(struct list *l, enum call call, const char *vin)
{
    struct field f[MAX_FIELDS];
    size_t n = base(call, vin, f);
    static const struct {
        char type;
        const char *what;
    } wrong[] = {
        {'-', "missing"}, {'i', "an integer"}, {'n', "nil"}, {'a', "an array"}};

    for (size_t i = 0; i < n; i++) {
        for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
            char what[64];
            snprintf(what, sizeof what, "\"%s\" %s", f[i].key, wrong[w].what);
            one_change(l, call, vin,
                       (struct field){f[i].key, wrong[w].type, "x"}, NULL,
                       what);
        }
    }
    one_change(l, call, vin, (struct field){"request_id", 'i', NULL}, NULL,
               "\"request_id\" an integer");
}

/* Values that fail the contract's syntax for VINs, command names and
 * confirmation codes. */
static void bad_values(struct list *l, enum call call, const char *vin)
{
    static const char *const vins[] = {
        "WP0ZZZ99ZTS39212",   /* 16 characters */
        "WP0ZZZ99ZTS3921245", /* 18 */
        "WP0ZZZ99ZTS39212I",  /* I is not allowed (ISO 3779) */
        "WP0ZZZ99ZTS39212O",  "WP0ZZZ99ZTS39212Q",
        "wp0zzz99zts392124", /* lower case */
        "WP0ZZZ99ZTS3921\n4", ""};
    static const char *const commands[] = {"lock door", "lock_door!", "",
                                           "loc\nation", "lock/door"};
    static const char *const codes[] = {"12345",  "abcdef", "1234567",
                                        "12 456", "",       "12345a"};

    const char *c = call_names[call];
    char group[96], what[96];

    if (call == CALL_STATUS)
        return;
    snprintf(group, sizeof group, "%s: VINs that fail ISO 3779", c);
    for (size_t i = 0; i < sizeof vins / sizeof vins[0]; i++) {
        snprintf(what, sizeof what, "vin \"%s\"", vins[i]);
        one_change(l, call, vin, (struct field){"vin", 's', vins[i]}, group,
                   what);
    }
    snprintf(group, sizeof group, "%s: commands with bad characters", c);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        snprintf(what, sizeof what, "command \"%s\"", commands[i]);
        one_change(l, call, vin, (struct field){"command", 's', commands[i]},
                   group, what);
    }
    if (call != CALL_CONFIRM)
        return;
    snprintf(group, sizeof group, "%s: codes that are not 6 digits", c);
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        snprintf(what, sizeof what, "code \"%s\"", codes[i]);
        one_change(l, call, vin, (struct field){"code", 's', codes[i]}, group,
                   what);
    }
}

/* Batches that are malformed as a whole. */
static void bad_batches(struct list *l, enum call call, const char *vin)
{
    if (call == CALL_SEND) {
        one_change(l, call, vin, (struct field){"vins", 'a', vin}, NULL,
                   "both vin and vins");
        struct field f[] = {{"vins", 'e', NULL}, {"command", 's', "location"}};
        pack_fields(add(l, NULL, "send: empty vins"), f, 2, 0);
        f[0].type = 'I';
        pack_fields(add(l, NULL, "send: vins holding an integer"), f, 2, 0);
        f[0] = (struct field){"vins", 's', vin};
        pack_fields(add(l, NULL, "send: vins a string"), f, 2, 0);
    } else if (call == CALL_STATUS) {
        one_change(l, call, vin, (struct field){"ids", 'a', UNKNOWN_ID}, NULL,
                   "both id and ids");
        struct field f[] = {{"ids", 'e', NULL}};
        pack_fields(add(l, NULL, "status: empty ids"), f, 1, 0);
        one_change(l, call, vin, (struct field){"wait_ms", 's', "100"}, NULL,
                   "\"wait_ms\" a string");
        one_change(l, call, vin, (struct field){"wait_ms", 'm', NULL}, NULL,
                   "\"wait_ms\" negative");
    }
}

/* Byte strings whose first bytes claim far more than follows. */
static void huge_claims(struct list *l, enum call call)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *what;
    } lies[] = {
        {"\xdf\xff\xff\xff\xff", 5, "map32 of 4294967295 entries"},
        {"\xdd\xff\xff\xff\xff", 5, "array32 of 4294967295 items"},
        {"\xdb\xff\xff\xff\xff", 5, "str32 of 4 GiB"},
        {"\xc6\xff\xff\xff\xff", 5, "bin32 of 4 GiB"},
        {"\xc9\xff\xff\xff\xff\x01", 6, "ext32 of 4 GiB"},
        {"\xde\xff\xff", 3, "map16 of 65535 entries"},
        {"\x81\xa3vin\xdb\xff\xff\xff\xff", 9, "vin claiming 4 GiB"},
        {"\x81\xa4vins\xdd\xff\xff\xff\xff", 10,
         "vins claiming 4294967295 items"},
        {"\x82\xa3vin\xa1X\xa1y\xdf\x7f\xff\xff\xff", 12,
         "unknown key holding a map32 of 2147483647 entries"},
        {"\xc1", 1, "the never-used byte 0xc1"},
    };

    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++)
        msgpack_sbuffer_write(
            add(l, NULL, "%s: %s", call_names[call], lies[i].what),
            lies[i].bytes, lies[i].len);
}

/* A valid request padded with an unknown key to one byte over the limit. */
static void oversized(struct list *l, enum call call, const char *vin)
{
    struct field f[MAX_FIELDS];
    size_t n = base(call, vin, f);
    msgpack_sbuffer *b =
        add(l, NULL, "%s: request of FLEETMOD_MAX_REQUEST_BYTES + 1",
            call_names[call]);
    msgpack_packer pk;

    pack_fields(b, f, n, 1);
    msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
    pack_str(&pk, "pad");
    size_t pad = FLEETMOD_MAX_REQUEST_BYTES + 1 - b->size - 5; /* str32 */
    char *zeros = calloc(1, pad);
    if (!zeros)
        abort();
    msgpack_pack_str(&pk, pad);
    msgpack_pack_str_body(&pk, zeros, pad);
    free(zeros);
}

/* Whole messages that are not one map. */
static void not_one_map(struct list *l, enum call call, const char *vin)
{
    struct field f[MAX_FIELDS];
    size_t n = base(call, vin, f);
    const char *c = call_names[call];
    msgpack_sbuffer *b;

    add(l, NULL, "%s: empty request", c);
    msgpack_sbuffer_write(add(l, NULL, "%s: an array", c), "\x92\xa1x\x01", 4);
    msgpack_sbuffer_write(add(l, NULL, "%s: an integer", c), "\x05", 1);
    msgpack_sbuffer_write(add(l, NULL, "%s: a string", c), "\xa3vin", 4);
    msgpack_sbuffer_write(add(l, NULL, "%s: nil", c), "\xc0", 1);
    b = add(l, NULL, "%s: two maps one after the other", c);
    pack_fields(b, f, n, 0);
    pack_fields(b, f, n, 0);
    b = add(l, NULL, "%s: a valid map then one stray byte", c);
    pack_fields(b, f, n, 0);
    msgpack_sbuffer_write(b, "\xc0", 1);
    b = add(l, NULL, "%s: 100000 nested arrays", c);
    for (int i = 0; i < 100000; i++)
        msgpack_sbuffer_write(b, "\x91", 1);
    msgpack_sbuffer_write(b, "\x80", 1);
    /* 33 containers, the last one empty: one more than msgpack-c's stack
     * holds, which it reports as out of memory. A module's size check
     * must refuse it first, as EINVAL. */
    b = add(l, NULL, "%s: 32 nested arrays around an empty map", c);
    for (int i = 0; i < 32; i++)
        msgpack_sbuffer_write(b, "\x91", 1);
    msgpack_sbuffer_write(b, "\x80", 1);
}

size_t cases_malformed(enum call call, const char *vin, struct req **out)
{
    struct list l = {0};
    struct field f[MAX_FIELDS];
    size_t n = base(call, vin, f);
    msgpack_sbuffer whole;

    not_one_map(&l, call, vin);
    huge_claims(&l, call);
    oversized(&l, call, vin);
    wrong_fields(&l, call, vin);
    bad_values(&l, call, vin);
    bad_batches(&l, call, vin);

    /* Every strict prefix of the base request: a truncated map. */
    char truncated[64];
    snprintf(truncated, sizeof truncated, "%s: every truncation of a valid map",
             call_names[call]);
    msgpack_sbuffer_init(&whole);
    pack_fields(&whole, f, n, 0);
    for (size_t cut = 1; cut < whole.size; cut++)
        msgpack_sbuffer_write(add(&l, truncated,
                                  "%s: map truncated to %zu of %zu bytes",
                                  call_names[call], cut, whole.size),
                              whole.data, cut);
    msgpack_sbuffer_destroy(&whole);
    *out = l.v;
    return l.n;
}

/* xorshift32: the same bytes for the same seed on every machine. */
static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

size_t cases_random(uint32_t seed, size_t count, struct req **out)
{
    struct list l = {0};
    uint32_t s = seed ? seed : 1;
    char group[64];

    snprintf(group, sizeof group, "%zu random byte strings (seed %u)", count,
             seed);

    for (size_t i = 0; i < count; i++) {
        msgpack_sbuffer *b = add(&l, group, "random bytes #%zu", i);
        size_t len = 1 + next(&s) % 64;
        for (size_t k = 0; k < len; k++) {
            char c = (char)(next(&s) & 0xff);
            msgpack_sbuffer_write(b, &c, 1);
        }
    }
    *out = l.v;
    return l.n;
}
