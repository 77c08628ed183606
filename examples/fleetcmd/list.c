/*
 * list.c - reading a batch's list file.
 */
#include "list.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage.h"
#include "vin.h"

/* What the reader knows about each item, for messages. */
struct reading {
    const char *name; /* the file as the user wrote it, or "stdin" */
    const char *what;
    struct fc_list *list;
    size_t *lines; /* line number of each item */
    size_t cap;
};

static const char blanks[] = " \t\r\v\f";

/* The item of one line, in place: comment and blanks cut off. */
static char *trim(char *line)
{
    size_t n;

    line[strcspn(line, "#\n")] = '\0';
    line += strspn(line, blanks);
    n = strlen(line);
    while (n > 0 && strchr(blanks, line[n - 1]))
        line[--n] = '\0';
    return line;
}

/* VINs are compared (repeats) and sent upper-cased. */
static bool is_vin(const struct reading *r)
{
    return strcmp(r->what, "VIN") == 0;
}

static int check_item(const struct reading *r, const char *item, size_t lineno)
{
    for (const char *p = item; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (strchr(blanks, c))
            return fc_input_error("%s:%zu: more than one word ('%s'); one "
                                  "%s per line",
                                  r->name, lineno, item, r->what);
        if (c < 0x20 || c == 0x7f)
            return fc_input_error("%s:%zu: a control character (byte 0x%02x) "
                                  "in the %s",
                                  r->name, lineno, c, r->what);
    }
    return 0;
}

static int out_of_memory(const struct reading *r)
{
    return fc_input_error("%s: out of memory after %zu items", r->name,
                          r->list->n);
}

static int add(struct reading *r, const char *item, size_t lineno)
{
    struct fc_list *l = r->list;

    if (l->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        char **items = realloc(l->items, cap * sizeof *items);
        size_t *lines;
        if (!items)
            return out_of_memory(r);
        l->items = items;
        if (!(lines = realloc(r->lines, cap * sizeof *lines)))
            return out_of_memory(r);
        r->lines = lines;
        r->cap = cap;
    }
    if (!(l->items[l->n] = strdup(item)))
        return out_of_memory(r);
    r->lines[l->n++] = lineno;
    return 0;
}

static int read_lines(struct reading *r, FILE *fp)
{
    char *line = NULL, *item;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;

    while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        /* A NUL byte would silently cut the line short. */
        if (memchr(line, '\0', (size_t)len))
            rc = fc_input_error("%s:%zu: a NUL byte", r->name, lineno);
        else if (*(item = trim(line)) != '\0' &&
                 (rc = check_item(r, item, lineno)) == 0)
            rc = add(r, is_vin(r) ? fc_vin_upcase(item) : item, lineno);
    }
    free(line);
    if (rc == 0 && ferror(fp))
        rc = fc_input_error("cannot read %s: %s", r->name, strerror(errno));
    return rc;
}

/* Items by text, then by position, so that repeats sit side by side with
 * the first occurrence first. */
static int by_text(const void *a, const void *b, void *items)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = strcmp(((char **)items)[i], ((char **)items)[j]);

    return c ? c : (i > j) - (i < j);
}

/* The first line (in file order) that repeats an earlier one. Sorting
 * keeps this O(n log n) for lists of many thousand vehicles. */
static int check_repeats(const struct reading *r)
{
    const struct fc_list *l = r->list;
    size_t *order = malloc(l->n * sizeof *order);
    size_t first = 0, again = l->n;

    if (!order)
        return out_of_memory(r);
    for (size_t i = 0; i < l->n; i++)
        order[i] = i;
    qsort_r(order, l->n, sizeof *order, by_text, l->items);
    for (size_t k = 1; k < l->n; k++) {
        size_t i = order[k - 1], j = order[k];
        if (j < again && strcmp(l->items[i], l->items[j]) == 0) {
            again = j;
            first = i;
        }
    }
    free(order);
    if (again == l->n)
        return 0;
    return fc_input_error("%s:%zu: %s %s repeats line %zu (a batch would run "
                          "it twice)",
                          r->name, r->lines[again], r->what, l->items[again],
                          r->lines[first]);
}

int fc_list_read(const char *path, const char *what, struct fc_list *out)
{
    bool is_stdin = strcmp(path, "-") == 0;
    struct reading r = {is_stdin ? "stdin" : path, what, out, NULL, 0};
    FILE *fp = is_stdin ? stdin : fopen(path, "r");
    int rc;

    out->items = NULL;
    out->n = 0;
    if (!fp)
        return fc_input_error("cannot read %s: %s", path, strerror(errno));
    rc = read_lines(&r, fp);
    if (!is_stdin)
        fclose(fp);
    if (rc == 0 && out->n == 0)
        rc = fc_input_error("%s holds no %s (only blank lines and # "
                            "comments): a batch needs at least one",
                            r.name, what);
    if (rc == 0)
        rc = check_repeats(&r);
    free(r.lines);
    if (rc != 0)
        fc_list_free(out);
    return rc;
}

void fc_list_free(struct fc_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
