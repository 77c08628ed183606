/*
 * health.c - GET /v1/health (the providers' state, whether the journal
 * answers, the breakers), GET /metrics (OpenMetrics) and GET
 * /v1/openapi.json (the document kept in the tree, compiled in).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fmd.h"

/* openapi_doc.c, generated from openapi.json by the build. */
extern const char fmd_openapi_json[];

static json_t *providers(struct fmd *s, bool *all_ready)
{
    json_t *arr = json_array();
    size_t n = fleetmod_stack_size(s->stack);
    for (size_t i = 0; i < n; i++) {
        struct fleetmod_stack_entry e;
        if (!fleetmod_stack_entry(s->stack, i, &e))
            continue;
        bool ready = strcmp(e.state, "ready") == 0;
        *all_ready = *all_ready && ready;
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s}", "provider",
                      e.section, "module", e.module ? e.module->name : NULL,
                      "version", e.module ? e.module->version : NULL, "state",
                      e.state, "error", e.error, "breaker",
                      fmd_metrics_breaker_open(e.section) ? "open" : "closed"));
    }
    return arr;
}

void fmd_get_health(struct fmd_req *r, struct fmd_answer *a)
{
    struct fmd *s = r->s;
    char err[FLEETMOD_ERR_MAX] = "";
    int64_t backlog = 0;
    bool journal = fleetmod_journal_outbox_stat(s->journal, &backlog, NULL, err,
                                                sizeof err) == FLEETMOD_OK;
    bool ready = true;
    json_t *prov = providers(s, &ready);
    json_t *o = json_pack(
        "{s:s, s:o, s:{s:b, s:s?, s:s?}, s:o}", "status",
        journal && ready ? "ok" : "degraded", "providers", prov, "journal",
        "reachable", journal, "host_id", fleetmod_journal_host_id(s->journal),
        "error", journal ? NULL : err, "webhook",
        s->conf.webhook_url ? json_pack("{s:I}", "backlog", (json_int_t)backlog)
                            : json_null());
    a->status = journal ? 200 : 503;
    a->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
}

/* The journal's families, each kept contiguous as OpenMetrics wants:
 * unresolved commands per provider and command, quota left per provider
 * (stats come sorted by provider, so a provider's rows are adjacent). */
struct stats_out {
    struct fleetmod_buf unresolved, quota;
    char last_provider[FMD_LABEL_MAX];
    int bad;
};

static int each_stat(void *user, const struct fleetmod_journal_stat *st)
{
    struct stats_out *c = user;
    char prov[FMD_LABEL_MAX], cmd[FMD_LABEL_MAX];
    fmd_metrics_label(prov, st->provider ? st->provider : "");
    fmd_metrics_label(cmd, st->command ? st->command : "");
    c->bad |= fmd_metrics_put(
        &c->unresolved,
        "fleetmodd_unresolved{provider=\"%s\",command=\"%s\"} %lld\n", prov,
        cmd, (long long)st->unresolved);
    if (st->quota >= 0 && strcmp(prov, c->last_provider) != 0)
        c->bad |= fmd_metrics_put(
            &c->quota, "fleetmodd_quota_left{provider=\"%s\"} %lld\n", prov,
            (long long)(st->quota - st->quota_used));
    memcpy(c->last_provider, prov, sizeof prov);
    return 0;
}

static void append(struct fleetmod_buf *out, int *bad, const char *head,
                   const struct fleetmod_buf *body)
{
    *bad |= fleetmod_buf_write(out, head, strlen(head));
    if (body->len)
        *bad |= fleetmod_buf_write(out, body->data, body->len);
}

void fmd_get_metrics(struct fmd_req *r, struct fmd_answer *a)
{
    struct fleetmod_buf out = {0}, tail = {0};
    struct stats_out c = {.bad = 0};
    char err[FLEETMOD_ERR_MAX];
    c.bad |= fmd_metrics_render(&out);
    fleetmod_journal_stats(r->s->journal, 0, each_stat, &c, err, sizeof err);
    append(&out, &c.bad,
           "# TYPE fleetmodd_unresolved gauge\n"
           "# HELP fleetmodd_unresolved Commands of the journal that may "
           "still run or may have run.\n",
           &c.unresolved);
    append(&out, &c.bad,
           "# TYPE fleetmodd_quota_left gauge\n"
           "# HELP fleetmodd_quota_left What is left of the provider's "
           "rolling 24 h quota.\n",
           &c.quota);
    c.bad |= fmd_metrics_put(
        &tail,
        "# TYPE fleetmodd_webhook_backlog gauge\n"
        "# HELP fleetmodd_webhook_backlog Webhook events not delivered yet.\n"
        "fleetmodd_webhook_backlog %lld\n# EOF\n",
        (long long)fmd_webhook_backlog(r->s));
    append(&out, &c.bad, "", &tail);
    c.bad |= fleetmod_buf_write(&out, "", 1);
    fleetmod_buf_free(&c.unresolved);
    fleetmod_buf_free(&c.quota);
    fleetmod_buf_free(&tail);
    if (c.bad) {
        fleetmod_buf_free(&out);
        fmd_answer_error(a, 500, FLEETMOD_ENOMEM, "out of memory");
        return;
    }
    a->status = 200;
    a->body = out.data;
    a->type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
}

void fmd_get_openapi(struct fmd_req *r, struct fmd_answer *a)
{
    (void)r;
    a->status = 200;
    a->body = strdup(fmd_openapi_json);
}
