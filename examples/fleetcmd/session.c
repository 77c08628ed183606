/*
 * session.c - one run's calls: request packing, request ids, decoding.
 */
#include "session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "requester.h"

/* The keys a guard reads, fixed for the run: the deadline counts from the
 * moment fleetcmd started, not from each call. */
static void guard_keys(struct fc_session *s, const struct fc_args *a)
{
    fc_requester(s->requester, sizeof s->requester);
    s->keys.requester = s->requester;
    s->keys.reason = a->reason;
    s->keys.deadline = a->deadline_s ? (int64_t)time(NULL) + a->deadline_s : 0;
}

fleetmod_rc fc_session_open(struct fc_session *s, const struct fc_args *a,
                            const struct fc_list *list)
{
    memset(s, 0, sizeof *s);
    s->args = a;
    s->list = list;
    s->verbose = a->verbose;
    fc_log_host(&s->host, &s->verbose);
    guard_keys(s, a);
    return fc_target_open(&s->target, a, &s->host);
}

void fc_session_close(struct fc_session *s)
{
    fc_target_close(&s->target);
}

/* The module's rc, unless the reply cannot be trusted. */
static fleetmod_rc checked_rc(fleetmod_rc rc, fleetmod_rc decoded)
{
    if ((unsigned)rc >= FLEETMOD_RC_COUNT) {
        fprintf(stderr,
                "fleetcmd: EINTERNAL: the module returned rc %d, "
                "unknown to this fleetcmd\n",
                (int)rc);
        return FLEETMOD_EINTERNAL;
    }
    if (decoded != FLEETMOD_OK) {
        fprintf(stderr,
                "fleetcmd: %s: the module's reply is not a reply "
                "map (%s)\n",
                fleetmod_rc_name(rc), fleetmod_strerror(decoded));
        return rc == FLEETMOD_OK ? FLEETMOD_EINTERNAL : rc;
    }
    return rc;
}

fleetmod_rc fc_exchange_run(struct fc_session *s, enum fc_call call,
                            struct fleetmod_request *req, struct fc_exchange *x)
{
    struct fleetmod_buf packed = {0};
    fleetmod_rc rc;

    memset(x, 0, sizeof *x);
    snprintf(s->request_id, sizeof s->request_id, "fleetcmd-%ld-%u",
             (long)getpid(), ++s->calls);
    req->request_id = s->request_id;
    /* Status calls are journaled but never refused: they need no keys. */
    rc = fc_request_pack(
        req, s->target.guard && call != FC_CALL_STATUS ? &s->keys : NULL,
        &packed);
    if (rc != FLEETMOD_OK) {
        fleetmod_buf_free(&packed);
        fprintf(stderr, "fleetcmd: %s: cannot build the request\n",
                fleetmod_rc_name(rc));
        return x->rc = rc;
    }
    rc = fc_target_call(&s->target, call, &packed, &x->raw);
    fleetmod_buf_free(&packed);
    x->rc = checked_rc(
        rc, fleetmod_reply_decode(x->raw.data, x->raw.len, &x->reply));
    return x->rc;
}

void fc_exchange_free(struct fc_exchange *x)
{
    fleetmod_reply_free(&x->reply);
    fleetmod_buf_free(&x->raw);
}
