/*
 * search.c - where modules are looked for: each directory of the
 * colon-separated FLEETMOD_MODULE_PATH, then the module directory compiled
 * in (FLEETMOD_MODULEDIR, from the Makefile's MODULEDIR).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifndef FLEETMOD_MODULEDIR
#error "FLEETMOD_MODULEDIR must be defined by the build"
#endif

#define SUFFIX ".so"

FLEETMOD_API const char *fleetmod_moduledir(void)
{
    return FLEETMOD_MODULEDIR;
}

const char *fm_dir_next(struct fm_dir_iter *it, char *dir, size_t size)
{
    if (!it->env && !it->done_builtin) {
        /* First call: the environment is read afresh each time, as
         * host.h promises. */
        it->env = getenv("FLEETMOD_MODULE_PATH");
        if (!it->env)
            it->env = "";
    }
    while (*it->env != '\0') {
        const char *colon = strchrnul(it->env, ':');
        size_t n = (size_t)(colon - it->env);
        const char *start = it->env;
        it->env = *colon == ':' ? colon + 1 : colon;
        if (n > 0 && n < size) {
            memcpy(dir, start, n);
            dir[n] = '\0';
            return dir;
        }
    }
    if (it->done_builtin)
        return NULL;
    it->done_builtin = 1;
    if (strlen(FLEETMOD_MODULEDIR) >= size)
        return NULL;
    strcpy(dir, FLEETMOD_MODULEDIR);
    return dir;
}

static bool ends_with_suffix(const char *name)
{
    size_t n = strlen(name), s = strlen(SUFFIX);
    return n > s && strcmp(name + n - s, SUFFIX) == 0;
}

/* name + ".so", unless the name already ends so. */
static int file_name(const char *module, char *out, size_t size)
{
    const char *suffix = ends_with_suffix(module) ? "" : SUFFIX;
    int n = snprintf(out, size, "%s%s", module, suffix);
    return n >= 0 && (size_t)n < size ? 0 : -1;
}

/* Append ", item" to a list that an error line shows; a list too long for
 * the line is cut, which is fine for a message. */
static void list_append(char *list, size_t size, const char *item)
{
    size_t used = strlen(list);
    if (snprintf(list + used, size - used, "%s%s", used > 0 ? ", " : "", item) <
        0)
        list[used] = '\0';
}

static fleetmod_rc find_by_path(const char *module, char *path, size_t size,
                                char *err, size_t errlen)
{
    if (access(module, F_OK) != 0) {
        fm_err(err, errlen, "module file %s: %m", module);
        return FLEETMOD_ECONFIG;
    }
    if (strlen(module) >= size) {
        fm_err(err, errlen, "module path %s is too long", module);
        return FLEETMOD_ECONFIG;
    }
    strcpy(path, module);
    return FLEETMOD_OK;
}

FLEETMOD_API fleetmod_rc fleetmod_module_find(const char *module, char *path,
                                              size_t size, char *err,
                                              size_t errlen)
{
    if (!module || *module == '\0') {
        fm_err(err, errlen, "empty module name");
        return FLEETMOD_ECONFIG;
    }
    if (strchr(module, '/'))
        return find_by_path(module, path, size, err, errlen);

    char file[NAME_MAX + 1], dir[PATH_MAX], candidate[PATH_MAX];
    char searched[FLEETMOD_ERR_MAX] = "";
    if (file_name(module, file, sizeof file) != 0) {
        fm_err(err, errlen, "module name %.40s... is too long", module);
        return FLEETMOD_ECONFIG;
    }
    struct fm_dir_iter it = {0};
    while (fm_dir_next(&it, dir, sizeof dir)) {
        int n = snprintf(candidate, sizeof candidate, "%s/%s", dir, file);
        /* A path cut short would name another file: not a candidate. */
        if (n > 0 && (size_t)n < sizeof candidate &&
            access(candidate, F_OK) == 0 && strlen(candidate) < size) {
            strcpy(path, candidate);
            return FLEETMOD_OK;
        }
        list_append(searched, sizeof searched, dir);
    }
    fm_err(err, errlen,
           "module %s not found: no %s in %s (FLEETMOD_MODULE_PATH, then "
           "the module directory)",
           module, file, searched);
    return FLEETMOD_ECONFIG;
}

/* The names already visited, so that an earlier directory shadows later
 * ones. */
struct seen {
    char **names;
    size_t n;
};

static bool seen_add(struct seen *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->names[i], name) == 0)
            return false;
    }
    char **grown = realloc(s->names, (s->n + 1) * sizeof *grown);
    char *copy = strdup(name);
    if (!grown || !copy) {
        free(copy);
        s->names = grown ? grown : s->names;
        return false;
    }
    s->names = grown;
    s->names[s->n++] = copy;
    return true;
}

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->names[i]);
    free(s->names);
}

static int is_module_file(const struct dirent *d)
{
    return d->d_name[0] != '.' && ends_with_suffix(d->d_name);
}

/* Visit the modules of one directory in name order. Returns non-zero when
 * the visitor asked to stop. */
static int visit_dir(const char *dir, struct seen *seen,
                     fleetmod_module_visit_fn visit, void *user, size_t *count)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, is_module_file, alphasort);
    int stop = 0;
    for (int i = 0; i < n; i++) {
        if (!stop && seen_add(seen, list[i]->d_name)) {
            char path[PATH_MAX], error[FLEETMOD_ERR_MAX];
            const struct fleetmod_module *table = NULL;
            void *dl = NULL;
            int len =
                snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
            if (len < 0 || (size_t)len >= sizeof path) {
                free(list[i]);
                continue; /* too long to open (ENAMETOOLONG) */
            }
            fleetmod_rc rc =
                fleetmod_module_probe(path, &table, &dl, error, sizeof error);
            stop = visit(user, path, table, rc == FLEETMOD_OK ? NULL : error);
            (*count)++;
            if (dl)
                dlclose(dl);
        }
        free(list[i]);
    }
    free(list);
    return stop;
}

FLEETMOD_API size_t fleetmod_modules_foreach(fleetmod_module_visit_fn visit,
                                             void *user)
{
    struct seen seen = {0};
    struct fm_dir_iter it = {0};
    char dir[PATH_MAX];
    size_t count = 0;
    while (fm_dir_next(&it, dir, sizeof dir)) {
        if (visit_dir(dir, &seen, visit, user, &count) != 0)
            break;
    }
    seen_free(&seen);
    return count;
}
