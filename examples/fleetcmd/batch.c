/*
 * batch.c - the flows behind send --vins-file and status --ids-file.
 */
#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "items.h"
#include "output.h"
#include "report.h"
#include "wait.h"

struct run {
    struct fc_session *s;
    struct fc_items items;
    struct fc_item **sel; /* the items of one call */
    const char **keys;    /* and their VINs or ids, as the request wants */
    uint64_t start;
    bool tty;      /* stderr is a terminal: show progress */
    bool progress; /* a progress line is on screen */
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* --batch-size, else the most the module or stack takes in one call
 * (fleetmod_module_max_batch, fleetmod_stack_max_batch). */
static size_t batch_size(const struct fc_session *s)
{
    const struct fc_target *t = &s->target;

    if (s->args->batch_size)
        return s->args->batch_size;
    if (t->stack)
        return fleetmod_stack_max_batch(t->stack);
    return fleetmod_module_max_batch(fleetmod_handle_module(t->handle));
}

static fleetmod_rc run_open(struct run *r, struct fc_session *s,
                            const char *key_name)
{
    size_t most = batch_size(s);

    r->s = s;
    r->start = fc_now_ms();
    r->tty = isatty(STDERR_FILENO);
    r->progress = false;
    r->sel = NULL;
    r->keys = NULL;
    if (fc_items_init(&r->items, s->list, key_name) != FLEETMOD_OK)
        return FLEETMOD_ENOMEM;
    most = min_u64(most, r->items.n);
    r->sel = malloc(most * sizeof *r->sel);
    r->keys = malloc(most * sizeof *r->keys);
    if (r->sel && r->keys)
        return FLEETMOD_OK;
    fprintf(stderr, "fleetcmd: ENOMEM: no memory for a batch of %zu\n", most);
    return FLEETMOD_ENOMEM;
}

static void erase_progress(struct run *r)
{
    if (r->progress)
        fc_report_progress_end();
    r->progress = false;
}

/* Show the outcome; returns rc, else the batch's exit status. */
static int run_close(struct run *r, int rc)
{
    int shown = 0;

    erase_progress(r);
    if (r->items.item)
        shown = fc_report(r->s->args, &r->items);
    if (rc == FLEETMOD_OK)
        rc = shown;
    fc_items_free(&r->items);
    free(r->sel);
    free(r->keys);
    return rc;
}

/* One batch call for the n items in r->sel (their keys in r->keys). */
static fleetmod_rc call(struct run *r, enum fc_call which, size_t n,
                        const char *provider, uint64_t wait_ms)
{
    const struct fc_args *a = r->s->args;
    struct fleetmod_request req = {.provider = provider, .wait_ms = wait_ms};
    struct fc_exchange x;
    fleetmod_rc rc;

    if (which == FC_CALL_SEND) {
        req.command = a->command;
        req.vins = r->keys;
        req.n_vins = n;
    } else {
        req.ids = r->keys;
        req.n_ids = n;
    }
    rc = fc_exchange_run(r->s, which, &req, &x);
    if (rc == FLEETMOD_OK)
        rc = fc_items_take(&r->items, r->sel, n, &x);
    else {
        erase_progress(r);
        fc_output_error(&x);
    }
    fc_exchange_free(&x);
    if (rc == FLEETMOD_OK && r->tty) {
        fc_report_progress(&r->items, fc_now_ms() - r->start);
        r->progress = true;
    }
    return rc;
}

static fleetmod_rc send_all(struct run *r)
{
    size_t n = r->items.n, size = batch_size(r->s);

    for (size_t off = 0; off < n; off += size) {
        size_t k = min_u64(size, n - off);
        fleetmod_rc rc;
        for (size_t i = 0; i < k; i++) {
            r->sel[i] = &r->items.item[off + i];
            r->keys[i] = r->sel[i]->key;
        }
        rc = call(r, FC_CALL_SEND, k, NULL, 0);
        if (rc == FLEETMOD_OK)
            continue;
        fprintf(stderr,
                "fleetcmd: the batch of items %zu to %zu failed as a whole; "
                "fleetcmd stopped there%s\n",
                off + 1, off + k,
                off + k < n ? " and did not send the items after it" : "");
        return rc;
    }
    return FLEETMOD_OK;
}

/* Where a status batch of the k items in r->sel goes: the provider that
 * every item's last reply names (a stack routes by it), else --provider
 * (none: a stack asks its providers in turn). The items of one batch sent
 * through a stack may each name a different provider. */
static const char *status_provider(const struct run *r, size_t k)
{
    const char *p = r->sel[0]->has_reply ? r->sel[0]->reply.provider : NULL;

    for (size_t i = 1; i < k && p; i++)
        if (!r->sel[i]->has_reply || !r->sel[i]->reply.provider ||
            strcmp(r->sel[i]->reply.provider, p) != 0)
            p = NULL;
    return p ? p : r->s->args->provider;
}

/* Status calls, batch by batch, for every pending item, each waiting at
 * most until deadline. */
static fleetmod_rc status_round(struct run *r, uint64_t deadline)
{
    size_t i = 0, k, most = batch_size(r->s);

    while (i < r->items.n) {
        uint64_t now = fc_now_ms(), left = deadline > now ? deadline - now : 0;
        fleetmod_rc rc;
        for (k = 0; i < r->items.n && k < most; i++) {
            if (!fc_item_pending(&r->items, &r->items.item[i]))
                continue;
            r->sel[k] = &r->items.item[i];
            r->keys[k++] = fc_item_id(&r->items, &r->items.item[i]);
        }
        if (k == 0)
            break;
        rc = call(r, FC_CALL_STATUS, k, status_provider(r, k),
                  r->tty ? min_u64(left, FC_WAIT_SLICE_MS) : left);
        if (rc != FLEETMOD_OK) {
            fprintf(stderr,
                    "fleetcmd: a status batch of %zu items failed "
                    "as a whole; fleetcmd stopped there\n",
                    k);
            return rc;
        }
    }
    return FLEETMOD_OK;
}

static bool any_pending(const struct run *r)
{
    for (size_t i = 0; i < r->items.n; i++)
        if (fc_item_pending(&r->items, &r->items.item[i]))
            return true;
    return false;
}

/* Rounds of status calls until nothing is pending or wait_ms is up; one
 * round when wait_ms is 0. */
static fleetmod_rc wait_all(struct run *r, uint64_t wait_ms)
{
    uint64_t deadline = fc_now_ms() + wait_ms;

    while (any_pending(r)) {
        uint64_t t0 = fc_now_ms();
        fleetmod_rc rc = status_round(r, deadline);
        if (rc != FLEETMOD_OK || fc_now_ms() >= deadline)
            return rc;
        fc_sleep_until(min_u64(t0 + FC_WAIT_SLICE_MS, deadline));
    }
    return FLEETMOD_OK;
}

int fc_cmd_send_batch(struct fc_session *s)
{
    struct run r;
    fleetmod_rc rc = run_open(&r, s, "vin");

    if (rc == FLEETMOD_OK)
        rc = send_all(&r);
    if (rc == FLEETMOD_OK && s->args->wait)
        rc = wait_all(&r, s->args->wait_ms);
    return run_close(&r, rc);
}

int fc_cmd_status_batch(struct fc_session *s)
{
    struct run r;
    fleetmod_rc rc = run_open(&r, s, "id");

    if (rc == FLEETMOD_OK)
        rc = wait_all(&r, s->args->wait ? s->args->wait_ms : 0);
    return run_close(&r, rc);
}
