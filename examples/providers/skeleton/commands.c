/*
 * commands.c - what send, confirm and status do. REPLACE THIS FILE.
 *
 * This is where a real provider talks to its backend: send becomes an HTTP
 * request to the OEM aggregator, status a lookup there. The skeleton has no
 * backend: a command is "done" complete_ms after it starts, and the
 * vehicles and their commands are those of the ini file.
 *
 * What to keep when you replace it: the functions only fill struct
 * sk_reply (one per item), never write to the host; every failure gets the
 * rc the contract names and a sentence a person can act on; nothing here
 * holds a lock while it waits.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "skeleton.h"

static void echo(struct sk_reply *r, const char *vin, const char *command)
{
    snprintf(r->vin, sizeof r->vin, "%s", vin);
    snprintf(r->command, sizeof r->command, "%s", command);
}

/* Where command c stands now, as a reply. */
static void describe(const struct fleetmod_instance *inst,
                     const struct sk_cmd *c, struct sk_reply *r)
{
    bool done = sk_now_ms() >= c->done_ms;
    int64_t executed = c->created + (int64_t)(inst->cfg.complete_ms / 1000);

    snprintf(r->id, sizeof r->id, "%s", c->id);
    echo(r, c->vin, c->command);
    r->status = done ? "success" : "pending";
    r->has_created = r->has_updated = true;
    r->created = c->created;
    r->updated = done ? executed : c->created;
    r->has_executed = r->has_detail = done;
    r->executed = executed;
}

/* Whether the account has this vehicle and command: -1 when not (r then
 * carries EDENIED), else whether the command needs the confirm step. */
static int allowed(const struct fleetmod_instance *inst, const char *vin,
                   const char *command, struct sk_reply *r)
{
    const struct sk_vehicle *v = sk_config_vehicle(&inst->cfg, vin);
    int i = v ? sk_vehicle_command(v, command) : -1;

    echo(r, vin, command);
    if (!v)
        sk_reply_fail(r, FLEETMOD_EDENIED, "vehicle %s is not in this account",
                      vin);
    else if (i < 0)
        sk_reply_fail(r, FLEETMOD_EDENIED,
                      "command %s is not available for vehicle %s", command,
                      vin);
    return i < 0 ? -1 : v->needs_confirm[i];
}

/* "Send it to the vehicle": register it and describe it. */
static void start(struct fleetmod_instance *inst, const char *vin,
                  const char *command, struct sk_reply *r)
{
    struct sk_cmd c;
    fleetmod_rc rc =
        sk_store_add(&inst->store, vin, command, inst->cfg.complete_ms, &c);

    if (rc)
        sk_reply_fail(r, rc, "no random command id could be made");
    else
        describe(inst, &c, r);
}

static void send_one(struct fleetmod_instance *inst, const char *vin,
                     const char *command, struct sk_reply *r)
{
    int confirm = allowed(inst, vin, command, r);

    if (confirm < 0)
        return;
    if (!confirm) {
        start(inst, vin, command, r);
        return;
    }
    if (sk_store_issue_code(&inst->store, vin, command, r->code)) {
        sk_reply_fail(r, FLEETMOD_EINTERNAL,
                      "no random confirmation code could be made");
        return;
    }
    r->status = "confirmation";
    snprintf(r->text, sizeof r->text,
             "%s on vehicle %s acts on a vehicle that may be moving: confirm "
             "only if it is stopped and safe",
             command, vin);
}

void sk_do_send(struct fleetmod_instance *inst, const struct sk_request *q,
                struct sk_reply *out, size_t n)
{
    if (!q->items) {
        send_one(inst, q->vin, q->command, &out[0]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const msgpack_object_str *s = &q->items[i].via.str;
        char vin[SK_VIN_SIZE];

        if (!sk_vin_valid(s->ptr, s->size)) {
            sk_reply_fail(&out[i], FLEETMOD_EINVAL,
                          "vins[%zu] is not a VIN (17 characters of A-H J-N "
                          "P R-Z 0-9)",
                          i);
            continue;
        }
        snprintf(vin, sizeof vin, "%.*s", (int)s->size, s->ptr);
        send_one(inst, vin, q->command, &out[i]);
    }
}

void sk_do_confirm(struct fleetmod_instance *inst, const struct sk_request *q,
                   struct sk_reply *out)
{
    if (allowed(inst, q->vin, q->command, out) < 0)
        return;
    if (!sk_store_take_code(&inst->store, q->vin, q->command, q->code)) {
        sk_reply_fail(out, FLEETMOD_ECONFIRM,
                      "the confirmation code is invalid or already used: "
                      "send the command again for a new code");
        return;
    }
    start(inst, q->vin, q->command, out);
}

/* Look id up; *wake becomes the latest time a pending command completes. */
static void look(struct fleetmod_instance *inst, const char *id,
                 struct sk_reply *r, uint64_t *wake)
{
    struct sk_cmd c;

    memset(r, 0, sizeof *r);
    if (!sk_store_find(&inst->store, id, &c)) {
        snprintf(r->id, sizeof r->id, "%s", id);
        sk_reply_fail(r, FLEETMOD_ENOTFOUND, "no command with id %s", id);
        return;
    }
    describe(inst, &c, r);
    if (!r->has_executed && c.done_ms > *wake)
        *wake = c.done_ms;
}

/* Look up every id of the request once. 0 when none is pending, else the
 * time the last pending one completes. */
static uint64_t look_all(struct fleetmod_instance *inst,
                         const struct sk_request *q, struct sk_reply *out,
                         size_t n)
{
    uint64_t wake = 0;

    if (!q->items) {
        look(inst, q->id, &out[0], &wake);
        return wake;
    }
    for (size_t i = 0; i < n; i++) {
        const msgpack_object_str *s = &q->items[i].via.str;
        char id[SK_ID_SIZE];

        if (!sk_id_valid(s->ptr, s->size)) {
            memset(&out[i], 0, sizeof out[i]);
            sk_reply_fail(&out[i], FLEETMOD_EINVAL,
                          "ids[%zu] is not a command id", i);
            continue;
        }
        snprintf(id, sizeof id, "%.*s", (int)s->size, s->ptr);
        look(inst, id, &out[i], &wake);
    }
    return wake;
}

static void sleep_until_ms(uint64_t when)
{
    struct timespec ts = {(time_t)(when / 1000), (long)(when % 1000) * 1000000};

    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* With wait_ms, sleep (holding no lock) until the pending commands are due
 * or the wait is over, then look again. A real provider polls its backend
 * here, with backoff. */
void sk_do_status(struct fleetmod_instance *inst, const struct sk_request *q,
                  struct sk_reply *out, size_t n)
{
    uint64_t wait = q->wait_ms < SK_MAX_WAIT_MS ? q->wait_ms : SK_MAX_WAIT_MS;
    uint64_t deadline = sk_now_ms() + wait;
    uint64_t wake;

    while ((wake = look_all(inst, q, out, n)) != 0 && sk_now_ms() < deadline)
        sleep_until_ms(wake < deadline ? wake : deadline);
}
