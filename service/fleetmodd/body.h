/*
 * body.h - request bodies (body.c).
 */
#ifndef FMD_BODY_H
#define FMD_BODY_H

#include <jansson.h>

#include "fmd.h"

enum fmd_ftype { F_STR, F_INT, F_STRS };

/* A key a body may have. */
struct fmd_field {
    const char *name;
    enum fmd_ftype type;
    bool required;
    int64_t max; /* F_INT: the largest value */
};

/* The body of r as a JSON object with only these keys, each of its type
 * (strings non-empty, without NUL; integers 0..max; arrays non-empty),
 * the required ones present. NULL with a 400 in a otherwise. */
json_t *fmd_body_parse(const struct fmd_req *r, const struct fmd_field *fields,
                       size_t n, struct fmd_answer *a);
/* A string member, or NULL; an integer member, or 0. */
const char *fmd_body_str(json_t *o, const char *key);
int64_t fmd_body_int(json_t *o, const char *key);

#endif /* FMD_BODY_H */
