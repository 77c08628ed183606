/* json_msg.c - decoding Mobway's JSON, and converting it to msgpack. */
#include "json_msg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether the number token [s, s + n) is an integer beyond int64. */
static bool big_integer(const char *s, size_t n)
{
    bool neg = n > 0 && s[0] == '-';
    const char *lim = neg ? "9223372036854775808" : "9223372036854775807";

    s += neg;
    n -= neg;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return n > 19 || (n == 19 && memcmp(s, lim, 19) > 0);
}

static size_t number_len(const char *s, size_t left)
{
    size_t n = 0;

    while (n < left && (is_digit(s[n]) || strchr("+-.eE", s[n])) &&
           s[n] != '\0')
        n++;
    return n;
}

/* text with every integer beyond int64 outside strings put in quotes:
 * each such number has 19 characters or more, so len / 8 + 2 more bytes
 * hold the quotes. */
static char *quote_big(const char *text, size_t len, size_t *out_len)
{
    char *out = malloc(len + len / 8 + 2), *o = out;
    bool in_str = false;

    for (size_t i = 0; out && i < len;) {
        size_t n = 1;
        bool q = false;
        if (in_str)
            n = text[i] == '\\' && i + 1 < len ? 2 : 1;
        else if (text[i] == '-' || is_digit(text[i]))
            q = big_integer(text + i, n = number_len(text + i, len - i));
        if (text[i] == '"')
            in_str = !in_str;
        if (q)
            *o++ = '"';
        memcpy(o, text + i, n);
        o += n;
        if (q)
            *o++ = '"';
        i += n;
    }
    *out_len = out ? (size_t)(o - out) : 0;
    return out;
}

json_t *mw_json_load(const char *text, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, 0, &err);
    size_t qlen;
    char *quoted;

    if (root || json_error_code(&err) != json_error_numeric_overflow)
        return root;
    if (!(quoted = quote_big(text, len, &qlen)))
        return NULL;
    root = json_loadb(quoted, qlen, 0, NULL);
    free(quoted);
    return root;
}

static int pack_object(msgpack_packer *pk, const json_t *v, unsigned depth)
{
    const char *key;
    json_t *val;
    int rc;

    if (msgpack_pack_map(pk, json_object_size(v)) != 0)
        return -2;
    json_object_foreach((json_t *)v, key, val)
    {
        size_t n = strlen(key);
        if (msgpack_pack_str(pk, n) != 0 || msgpack_pack_str_body(pk, key, n))
            return -2;
        if ((rc = mw_json_pack(pk, val, depth)) != 0)
            return rc;
    }
    return 0;
}

static int pack_array(msgpack_packer *pk, const json_t *v, unsigned depth)
{
    size_t i;
    json_t *val;
    int rc;

    if (msgpack_pack_array(pk, json_array_size(v)) != 0)
        return -2;
    json_array_foreach(v, i, val)
    {
        if ((rc = mw_json_pack(pk, val, depth)) != 0)
            return rc;
    }
    return 0;
}

static int pack_string(msgpack_packer *pk, const json_t *v)
{
    size_t n = json_string_length(v);

    if (msgpack_pack_str(pk, n) != 0 ||
        msgpack_pack_str_body(pk, json_string_value(v), n) != 0)
        return -2;
    return 0;
}

int mw_json_pack(msgpack_packer *pk, const json_t *v, unsigned max_depth)
{
    int rc = 0;

    if (max_depth == 0)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return pack_object(pk, v, max_depth - 1);
    case JSON_ARRAY:
        return pack_array(pk, v, max_depth - 1);
    case JSON_STRING:
        return pack_string(pk, v);
    case JSON_INTEGER:
        rc = msgpack_pack_int64(pk, json_integer_value(v));
        break;
    case JSON_REAL:
        rc = msgpack_pack_double(pk, json_real_value(v));
        break;
    case JSON_TRUE:
        rc = msgpack_pack_true(pk);
        break;
    case JSON_FALSE:
        rc = msgpack_pack_false(pk);
        break;
    case JSON_NULL:
        rc = msgpack_pack_nil(pk);
        break;
    }
    return rc == 0 ? 0 : -2;
}
