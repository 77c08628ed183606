/*
 * body.c - a request body: one JSON object whose keys are each known and
 * of the expected type. Anything else is 400 with the key and what was
 * expected, and nothing reaches a module.
 */
#include <string.h>

#include "body.h"

static const char *type_word(enum fmd_ftype t)
{
    switch (t) {
    case F_STR:
        return "a string";
    case F_INT:
        return "a non-negative integer";
    case F_STRS:
        return "an array of strings";
    }
    return "?";
}

static bool type_ok(const struct fmd_field *f, json_t *v)
{
    switch (f->type) {
    case F_STR:
        return json_is_string(v) && json_string_length(v) > 0 &&
               strlen(json_string_value(v)) == json_string_length(v);
    case F_INT:
        return json_is_integer(v) && json_integer_value(v) >= 0 &&
               json_integer_value(v) <= f->max;
    case F_STRS:
        if (!json_is_array(v) || json_array_size(v) == 0)
            return false;
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *s = json_array_get(v, i);
            if (!json_is_string(s) || json_string_length(s) == 0)
                return false;
        }
        return true;
    }
    return false;
}

json_t *fmd_body_parse(const struct fmd_req *r, const struct fmd_field *fields,
                       size_t n, struct fmd_answer *a)
{
    json_error_t e;
    json_t *o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!o || !json_is_object(o)) {
        if (o)
            fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                             "the body must be a JSON object");
        else
            fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                             "the body is not JSON: %s (line %d, column %d)",
                             e.text, e.line, e.column);
        json_decref(o);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(fields[i].name, k))
            i++;
        if (i == n || !type_ok(&fields[i], v)) {
            if (i == n)
                fmd_answer_error(a, 400, FLEETMOD_EINVAL, "unknown key %s", k);
            else if (fields[i].type == F_INT)
                fmd_answer_error(
                    a, 400, FLEETMOD_EINVAL, "%s: expected %s up to %lld", k,
                    type_word(fields[i].type), (long long)fields[i].max);
            else
                fmd_answer_error(a, 400, FLEETMOD_EINVAL,
                                 "%s: expected %s (not empty)", k,
                                 type_word(fields[i].type));
            json_decref(o);
            return NULL;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && !json_object_get(o, fields[i].name)) {
            fmd_answer_error(a, 400, FLEETMOD_EINVAL, "missing key %s",
                             fields[i].name);
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

const char *fmd_body_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int64_t fmd_body_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v ? (int64_t)json_integer_value(v) : 0;
}
