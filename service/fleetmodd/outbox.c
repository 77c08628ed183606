/*
 * outbox.c - each new state of a journaled command becomes a webhook
 * event in the journal's outbox (fleetmod/service.h), durable before
 * anyone tries to deliver it. The event_id is "JOURNAL:STATUS": the same
 * state seen twice (by a wait and by the watcher, or again after a
 * restart) is one event, queued once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <jansson.h>

#include "fmd.h"

/* A reply map without its confirmation code, which is never stored. */
static void strip(json_t *reply)
{
    json_object_del(reply, "code");
    json_t *res = json_object_get(reply, "results");
    for (size_t i = 0; i < json_array_size(res); i++)
        json_object_del(json_array_get(res, i), "code");
}

char *fmd_json_without_code(const char *json)
{
    json_t *o = json_loads(json, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return strdup(json);
    }
    strip(o);
    char *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return out;
}

static void queue_one(struct fmd *s, json_t *item, bool status_call)
{
    if (status_call && json_object_get(item, "error"))
        return;
    const char *journal = json_string_value(json_object_get(item, "journal"));
    const char *status = json_string_value(json_object_get(item, "status"));
    if (!journal || !status || json_object_get(item, "duplicate"))
        return; /* not journaled by this call, or someone else's row */
    char id[256];
    snprintf(id, sizeof id, "%s:%s", journal, status);
    strip(item);
    json_t *ev = json_pack("{s:s, s:s, s:O}", "event_id", id, "journal",
                           journal, "reply", item);
    char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    char err[FLEETMOD_ERR_MAX] = "";
    bool added = false;
    fleetmod_rc rc = body ? fleetmod_journal_outbox_add(s->journal, id, body,
                                                        &added, err, sizeof err)
                          : FLEETMOD_ENOMEM;
    if (rc != FLEETMOD_OK)
        fmd_log(LOG_ERR, "webhook event %s not queued: %s", id,
                err[0] ? err : fleetmod_rc_name(rc));
    else if (added)
        fmd_webhook_poke(s->webhook);
    free(body);
    json_decref(ev);
}

void fmd_event(struct fmd *s, const char *reply, size_t len, bool status)
{
    if (!s->conf.webhook_url || !reply || !len)
        return;
    char *json = fleetmod_msg_to_json(reply, len);
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    free(json);
    json_t *res = json_object_get(o, "results");
    if (json_is_array(res)) {
        for (size_t i = 0; i < json_array_size(res); i++)
            queue_one(s, json_array_get(res, i), status);
    } else if (json_is_object(o)) {
        queue_one(s, o, status);
    }
    json_decref(o);
}
