#include "fixtures.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fixtures.default.ini as a C string, generated at build time. */
extern const char sim_default_fixtures[];

const char *const sim_cmd_names[CMD_COUNT] = {
    "location",    "diagnostics",     "lock_door",
    "unlock_door", "enable_ignition", "disable_ignition",
};

int sim_cmd_lookup(const char *name, size_t len)
{
    for (int i = 0; i < CMD_COUNT; i++)
        if (strlen(sim_cmd_names[i]) == len &&
            memcmp(sim_cmd_names[i], name, len) == 0)
            return i;
    return -1;
}

int sim_cmd_needs_code(int cmd)
{
    return cmd == CMD_ENABLE_IGNITION || cmd == CMD_DISABLE_IGNITION;
}

/* Parser state: which section the keys belong to, and why parsing stopped. */
struct load_ctx {
    struct sim_fixtures *fx;
    char section[256];
    enum { SEC_NONE, SEC_COMPANY, SEC_VEHICLE } kind;
    char why[160];
};

static int fail(struct load_ctx *ctx, const char *why, const char *what)
{
    snprintf(ctx->why, sizeof ctx->why, "%s '%s'", why, what);
    return 0;
}

static void *grow(void *array, size_t count, size_t size)
{
    return realloc(array, (count + 1) * size);
}

static int begin_company(struct load_ctx *ctx, const char *name)
{
    struct sim_fixtures *fx = ctx->fx;
    if (fixtures_company_by_name(fx, name) >= 0)
        return fail(ctx, "duplicate company", name);
    struct sim_company *c =
        grow(fx->companies, fx->n_companies, sizeof *fx->companies);
    if (!c)
        return fail(ctx, "out of memory at", name);
    fx->companies = c;
    c[fx->n_companies] = (struct sim_company){.name = strdup(name)};
    if (!c[fx->n_companies].name)
        return fail(ctx, "out of memory at", name);
    fx->n_companies++;
    return 1;
}

static int begin_vehicle(struct load_ctx *ctx, const char *vin)
{
    struct sim_fixtures *fx = ctx->fx;
    for (size_t i = 0; i < fx->n_vehicles; i++)
        if (strcmp(fx->vehicles[i].vin, vin) == 0)
            return fail(ctx, "duplicate vehicle", vin);
    struct sim_vehicle *v =
        grow(fx->vehicles, fx->n_vehicles, sizeof *fx->vehicles);
    if (!v)
        return fail(ctx, "out of memory at", vin);
    fx->vehicles = v;
    v[fx->n_vehicles] = (struct sim_vehicle){.vin = strdup(vin), .company = -1};
    if (!v[fx->n_vehicles].vin)
        return fail(ctx, "out of memory at", vin);
    fx->n_vehicles++;
    return 1;
}

/* A new section starts when the section name changes (inih reports keys,
 * not section headers). */
static int begin_section(struct load_ctx *ctx, const char *section)
{
    snprintf(ctx->section, sizeof ctx->section, "%s", section);
    if (strncmp(section, "company ", 8) == 0) {
        ctx->kind = SEC_COMPANY;
        return begin_company(ctx, section + 8);
    }
    if (strncmp(section, "vehicle ", 8) == 0) {
        ctx->kind = SEC_VEHICLE;
        return begin_vehicle(ctx, section + 8);
    }
    ctx->kind = SEC_NONE;
    return fail(ctx, "unknown section", section);
}

static int set_string(struct load_ctx *ctx, char **field, const char *name,
                      const char *value)
{
    if (*field)
        return fail(ctx, "duplicate key", name);
    *field = strdup(value);
    return !!*field;
}

static int company_key(struct load_ctx *ctx, const char *name,
                       const char *value)
{
    struct sim_company *c = &ctx->fx->companies[ctx->fx->n_companies - 1];
    if (strcmp(name, "client_id") == 0)
        return set_string(ctx, &c->client_id, name, value);
    if (strcmp(name, "client_secret") == 0)
        return set_string(ctx, &c->client_secret, name, value);
    if (strcmp(name, "sign_secret") == 0)
        return set_string(ctx, &c->sign_secret, name, value);
    return fail(ctx, "unknown key", name);
}

static int parse_commands(struct load_ctx *ctx, struct sim_vehicle *v,
                          const char *list)
{
    const char *sep = ", \t";
    for (const char *p = list + strspn(list, sep); *p; p += strspn(p, sep)) {
        size_t len = strcspn(p, sep);
        int cmd = sim_cmd_lookup(p, len);
        if (cmd < 0)
            return fail(ctx, "unknown command in", list);
        v->commands |= 1u << cmd;
        p += len;
    }
    return 1;
}

static int parse_fail(struct load_ctx *ctx, struct sim_vehicle *v,
                      const char *mode)
{
    static const char *const modes[] = {"none", "error", "oem_send_fail",
                                        "oem_init_fail"};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (strcmp(mode, modes[i]) == 0) {
            v->fail = (enum sim_fail)i;
            return 1;
        }
    return fail(ctx, "unknown fail mode", mode);
}

static int vehicle_key(struct load_ctx *ctx, const char *name,
                       const char *value)
{
    struct sim_vehicle *v = &ctx->fx->vehicles[ctx->fx->n_vehicles - 1];
    if (strcmp(name, "company") == 0) {
        v->company = fixtures_company_by_name(ctx->fx, value);
        return v->company >= 0 ? 1 : fail(ctx, "unknown company", value);
    }
    if (strcmp(name, "commands") == 0)
        return parse_commands(ctx, v, value);
    if (strcmp(name, "fail") == 0)
        return parse_fail(ctx, v, value);
    return fail(ctx, "unknown key", name);
}

static int on_key(void *user, const char *section, const char *name,
                  const char *value)
{
    struct load_ctx *ctx = user;
    if (strcmp(section, ctx->section) != 0 && !begin_section(ctx, section))
        return 0;
    if (ctx->kind == SEC_COMPANY)
        return company_key(ctx, name, value);
    if (ctx->kind == SEC_VEHICLE)
        return vehicle_key(ctx, name, value);
    return fail(ctx, "key outside a section", name);
}

/* Everything a section must define; says which section lacks what. */
static const char *check_complete(const struct sim_fixtures *fx,
                                  const char **where)
{
    for (size_t i = 0; i < fx->n_companies; i++) {
        const struct sim_company *c = &fx->companies[i];
        *where = c->name;
        if (!c->client_id || !c->client_secret || !c->sign_secret)
            return "company needs client_id, client_secret and sign_secret";
    }
    for (size_t i = 0; i < fx->n_vehicles; i++) {
        const struct sim_vehicle *v = &fx->vehicles[i];
        *where = v->vin;
        if (v->company < 0 || v->commands == 0)
            return "vehicle needs company and commands";
    }
    return NULL;
}

int fixtures_load(struct sim_fixtures *fx, const char *path, char *err,
                  size_t err_len)
{
    struct load_ctx ctx = {.fx = fx};
    *fx = (struct sim_fixtures){0};
    int line = path ? ini_parse(path, on_key, &ctx)
                    : ini_parse_string(sim_default_fixtures, on_key, &ctx);
    const char *name = path ? path : "(built-in fixtures)";
    const char *where = "";
    const char *why = NULL;
    if (line < 0)
        snprintf(err, err_len, "%s: cannot read", name);
    else if (line > 0)
        snprintf(err, err_len, "%s:%d: %s", name, line,
                 ctx.why[0] ? ctx.why : "syntax error");
    else if ((why = check_complete(fx, &where)))
        snprintf(err, err_len, "%s: [%s]: %s", name, where, why);
    if (line == 0 && !why)
        return 0;
    fixtures_free(fx);
    return -1;
}

void fixtures_free(struct sim_fixtures *fx)
{
    for (size_t i = 0; i < fx->n_companies; i++) {
        struct sim_company *c = &fx->companies[i];
        free(c->name);
        free(c->client_id);
        free(c->client_secret);
        free(c->sign_secret);
    }
    for (size_t i = 0; i < fx->n_vehicles; i++)
        free(fx->vehicles[i].vin);
    free(fx->companies);
    free(fx->vehicles);
    *fx = (struct sim_fixtures){0};
}

int fixtures_company_by_credentials(const struct sim_fixtures *fx,
                                    const char *id, const char *secret)
{
    for (size_t i = 0; i < fx->n_companies; i++)
        if (strcmp(fx->companies[i].client_id, id) == 0 &&
            strcmp(fx->companies[i].client_secret, secret) == 0)
            return (int)i;
    return -1;
}

int fixtures_company_by_name(const struct sim_fixtures *fx, const char *name)
{
    for (size_t i = 0; i < fx->n_companies; i++)
        if (strcmp(fx->companies[i].name, name) == 0)
            return (int)i;
    return -1;
}

int fixtures_vehicle(const struct sim_fixtures *fx, int company,
                     const char *vin, size_t len)
{
    for (size_t i = 0; i < fx->n_vehicles; i++) {
        const struct sim_vehicle *v = &fx->vehicles[i];
        if (v->company == company && strlen(v->vin) == len &&
            memcmp(v->vin, vin, len) == 0)
            return (int)i;
    }
    return -1;
}
