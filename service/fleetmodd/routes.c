/*
 * routes.c - fleetmodd(8)'s table of routes. fmd_route_check runs on the
 * headers alone (404, 405 before a body is read); fmd_route runs the
 * route on a worker.
 */
#include <string.h>

#include "fmd.h"

/* The path's shape. {id}: one segment of [A-Za-z0-9_.-]. */
enum shape {
    R_NONE,
    R_COMMANDS, /* /v1/commands */
    R_COMMAND,  /* /v1/commands/{id} */
    R_CONFIRM,  /* /v1/commands/{id}/confirm */
    R_BATCHES,  /* /v1/batches */
    R_HEALTH,   /* /v1/health */
    R_METRICS,  /* /metrics */
    R_OPENAPI   /* /v1/openapi.json */
};

static const char *const allow[] = {
    [R_COMMANDS] = "GET, POST", [R_COMMAND] = "GET", [R_CONFIRM] = "POST",
    [R_BATCHES] = "POST",       [R_HEALTH] = "GET",  [R_METRICS] = "GET",
    [R_OPENAPI] = "GET"};

#define ID_MAX 128

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* The id segment at p (up to '/' or the end); its length, 0 if bad. */
static size_t id_len(const char *p)
{
    size_t n = 0;
    while (p[n] && p[n] != '/') {
        if (!id_char(p[n]) || n >= ID_MAX)
            return 0;
        n++;
    }
    return n;
}

static enum shape shape(const char *path, char id[ID_MAX + 1])
{
    static const struct {
        const char *path;
        enum shape s;
    } fixed[] = {{"/v1/commands", R_COMMANDS},
                 {"/v1/batches", R_BATCHES},
                 {"/v1/health", R_HEALTH},
                 {"/metrics", R_METRICS},
                 {"/v1/openapi.json", R_OPENAPI}};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        if (strcmp(path, fixed[i].path) == 0)
            return fixed[i].s;
    }
    const char *pre = "/v1/commands/";
    if (strncmp(path, pre, strlen(pre)) != 0)
        return R_NONE;
    const char *p = path + strlen(pre);
    size_t n = id_len(p);
    if (!n)
        return R_NONE;
    memcpy(id, p, n);
    id[n] = '\0';
    if (!p[n])
        return R_COMMAND;
    return strcmp(p + n, "/confirm") == 0 ? R_CONFIRM : R_NONE;
}

static bool allowed(enum shape s, const char *method)
{
    const char *list = allow[s];
    size_t n = strlen(method);
    for (const char *p = list; (p = strstr(p, method)); p += n) {
        if ((p == list || p[-1] == ' ') && (p[n] == ',' || !p[n]))
            return true;
    }
    return false;
}

int fmd_route_check(const char *method, const char *path, struct fmd_answer *a)
{
    char id[ID_MAX + 1];
    enum shape s = shape(path, id);
    if (s == R_NONE) {
        fmd_answer_error(a, 404, FLEETMOD_ENOTFOUND, "no route %s", path);
        return 404;
    }
    if (!allowed(s, method)) {
        fmd_answer_error(a, 405, FLEETMOD_EINVAL, "%s does not take %s", path,
                         method);
        a->allow = allow[s];
        return 405;
    }
    return 0;
}

void fmd_route(struct fmd_req *r, struct fmd_answer *a)
{
    char id[ID_MAX + 1];
    bool post = strcmp(r->method, "POST") == 0;
    switch (shape(r->path, id)) {
    case R_COMMANDS:
        if (post)
            fmd_idem_run(r, a, fmd_post_command);
        else
            fmd_get_commands(r, a);
        return;
    case R_COMMAND:
        fmd_get_command(r, id, a);
        return;
    case R_CONFIRM:
        fmd_post_confirm(r, id, a);
        return;
    case R_BATCHES:
        fmd_idem_run(r, a, fmd_post_batch);
        return;
    case R_HEALTH:
        fmd_get_health(r, a);
        return;
    case R_METRICS:
        fmd_get_metrics(r, a);
        return;
    case R_OPENAPI:
        fmd_get_openapi(r, a);
        return;
    case R_NONE:
        break;
    }
    fmd_route_check(r->method, r->path, a);
}
