/*
 * reconcile.c - the journal settled through the guard.
 */
#include "reconcile.h"

#include <stdio.h>

#include "exit.h"
#include "journal.h"
#include "policy.h"
#include "progress.h"
#include "session.h"

static int count_row(void *user, const struct fleetmod_journal_row *r)
{
    (void)r;
    ++*(size_t *)user;
    return 0;
}

/* How many commands are open, for the progress line; 0 when unknown. */
static size_t open_rows(struct fleetmod_guard *g)
{
    struct fleetmod_journal_filter f = {.struct_size = sizeof f,
                                        .unresolved = true};
    char err[FLEETMOD_ERR_MAX];
    size_t n = 0;

    fleetmod_journal_list(fleetmod_guard_journal(g), &f, count_row, &n, err,
                          sizeof err);
    return n;
}

static int run(struct fc_session *s)
{
    const struct fc_args *a = s->args;
    struct fleetmod_reconcile_result res = {.struct_size = sizeof res};
    struct fleetmod_guard *g = s->target.guard;
    char err[FLEETMOD_ERR_MAX] = "", what[96];
    struct fc_progress p = {.running = false};
    fleetmod_rc rc;

    snprintf(what, sizeof what, "reconcile: %zu open commands", open_rows(g));
    fc_progress_start(&p, what);
    /* --host-id: the operator says that machine is down, so its rows are
     * settled without the writer checks that only this machine can make. */
    if (a->host_id)
        rc = fleetmod_guard_reconcile_host(g, a->host_id, a->wait_ms, &res, err,
                                           sizeof err);
    else
        rc = fleetmod_guard_reconcile(g, a->wait_ms, a->call_bound_s, &res, err,
                                      sizeof err);
    fc_progress_stop(&p);
    if (rc != FLEETMOD_OK)
        return fc_journal_failed(rc, err);
    printf("reconcile: asked the provider about %zu, settled %zu, marked %zu "
           "unknown (no answer was recorded: they may have run), %zu could "
           "not be asked\n",
           res.asked, res.resolved, res.unknown, res.failed);
    if (res.failed) {
        fprintf(stderr,
                "fleetcmd: %zu command%s could not be asked about and stay "
                "unresolved; run fleetcmd reconcile again later\n",
                res.failed, res.failed == 1 ? "" : "s");
        return FC_EXIT_BATCH;
    }
    return 0;
}

int fc_cmd_reconcile(const struct fc_args *a)
{
    struct fc_session s;
    fleetmod_rc rc;
    int status;

    if (!fc_policy_needed(a, "reconcile"))
        return FLEETMOD_ECONFIG;
    rc = fc_session_open(&s, a, NULL);
    status = rc == FLEETMOD_OK ? run(&s) : (int)rc;
    fc_session_close(&s);
    return status;
}
