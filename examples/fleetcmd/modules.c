/*
 * modules.c - listing modules on the search path or in a stack.
 */
#include "modules.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <fleetmod/host.h>
#include <jansson.h>

#include "session.h"

/* One line of the listing; NULL members are left out. */
struct row {
    const char *section;
    const char *name;
    const char *version;
    const char *state;
    const char *path;
    const char *error;
};

static void add(json_t *o, const char *key, const char *value)
{
    if (value)
        json_object_set_new(o, key, json_string(value));
}

static void print_json_row(const struct row *r)
{
    json_t *o = json_object();
    char *text;

    add(o, "section", r->section);
    add(o, "name", r->name);
    add(o, "version", r->version);
    add(o, "state", r->state);
    add(o, "path", r->path);
    add(o, "error", r->error);
    text = json_dumps(o, JSON_COMPACT);
    if (text)
        puts(text);
    free(text);
    json_decref(o);
}

static void print_row(bool json, const struct row *r)
{
    if (json) {
        print_json_row(r);
        return;
    }
    if (r->section)
        printf("%-16s ", r->section);
    printf("%-16s %-10s ", r->name ? r->name : "-",
           r->version ? r->version : "-");
    if (r->state)
        printf("%-7s ", r->state);
    printf("%s\n", r->path);
    if (r->error)
        printf("  error: %s\n", r->error);
}

static int visit(void *user, const char *path,
                 const struct fleetmod_module *table, const char *error)
{
    const struct fc_args *a = user;
    struct row r = {.path = path, .error = error};

    if (table) {
        r.name = table->name;
        r.version = table->version;
    }
    print_row(a->json, &r);
    return 0;
}

static int list_search_path(const struct fc_args *a)
{
    const char *env = getenv("FLEETMOD_MODULE_PATH");

    if (fleetmod_modules_foreach(visit, (void *)a) == 0)
        fprintf(stderr,
                "fleetcmd: no modules in FLEETMOD_MODULE_PATH (%s) nor in "
                "%s\n",
                env && *env ? env : "unset", fleetmod_moduledir());
    return 0;
}

static int list_one(const struct fc_args *a)
{
    char path[4096], err[FLEETMOD_ERR_MAX] = "";
    const struct fleetmod_module *table;
    void *dl = NULL;
    fleetmod_rc rc;

    rc = fleetmod_module_find(a->module, path, sizeof path, err, sizeof err);
    if (rc == FLEETMOD_OK)
        rc = fleetmod_module_probe(path, &table, &dl, err, sizeof err);
    if (rc != FLEETMOD_OK) {
        fprintf(stderr, "fleetcmd: %s: %s\n", fleetmod_rc_name(rc), err);
        return rc;
    }
    visit((void *)a, path, table, NULL);
    dlclose(dl);
    return 0;
}

static int list_stack(const struct fc_args *a)
{
    struct fleetmod_stack_entry e;
    struct fc_session s;
    fleetmod_rc rc;

    rc = fc_session_open(&s, a, NULL);
    for (size_t i = 0;
         rc == FLEETMOD_OK && fleetmod_stack_entry(s.target.stack, i, &e);
         i++) {
        struct row r = {.section = e.section,
                        .name = e.module ? e.module->name : NULL,
                        .version = e.module ? e.module->version : NULL,
                        .state = e.state,
                        .path = e.module_path,
                        .error = e.error};
        print_row(a->json, &r);
    }
    fc_session_close(&s);
    return rc;
}

int fc_cmd_modules(const struct fc_args *a)
{
    if (a->stack)
        return list_stack(a);
    if (a->module)
        return list_one(a);
    return list_search_path(a);
}
