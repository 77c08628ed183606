/* json_msg.c - converting a jansson value to msgpack. */
#include "json_msg.h"

#include <string.h>

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
