/*
 * commands.c - the flows behind send, confirm and status.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "exit.h"
#include "hint.h"
#include "output.h"
#include "prompt.h"
#include "wait.h"

/* After a failed call: may the command exist at the provider, so that its
 * status (never a second send) is what to ask next? A status lookup that
 * did not get through is worth asking again too. */
static bool worth_asking(enum fc_call call, const struct fc_exchange *x)
{
    const struct fleetmod_reply_error *e = &x->reply.error;
    const char *delivered = x->reply.has_error && e->delivered
                                ? e->delivered
                                : fleetmod_rc_delivered(x->rc);

    if (strcmp(delivered, "unknown") == 0)
        return true;
    return call == FC_CALL_STATUS &&
           (x->rc == FLEETMOD_EUNREACHABLE || x->rc == FLEETMOD_ERATELIMIT);
}

/* The exact command line to run after a failed call on command id (NULL
 * when neither the reply nor this run knows it). */
static void follow_up(const struct fc_args *a, enum fc_call call,
                      const struct fc_exchange *x, const char *id)
{
    if (!id || !worth_asking(call, x))
        return;
    if (call == FC_CALL_STATUS)
        fprintf(stderr, "fleetcmd: command %s: ask again with:\n", id);
    else
        fprintf(stderr,
                "fleetcmd: command %s may have started; do not send it "
                "again, see where it stands with:\n",
                id);
    fc_hint_status(a, id, x->reply.provider);
}

/* Show a status reply on command id, the last of a --wait when waited
 * (started: the reply that started the command in this run, or NULL), and
 * return the exit status. */
static int show_status(const struct fc_args *a, const struct fc_exchange *x,
                       const struct fleetmod_reply *started, const char *id,
                       bool waited)
{
    fc_output_waited(a->json, x, started);
    if (x->rc != FLEETMOD_OK)
        follow_up(a, FC_CALL_STATUS, x, id);
    else if (waited && !x->reply.terminal) {
        fprintf(stderr,
                "fleetcmd: command %s is still %s after %g s; ask again "
                "with:\n",
                id, x->reply.status, (double)a->wait_ms / 1000.0);
        fc_hint_status(a, id, x->reply.provider);
    }
    return fc_exit_of(x->rc, &x->reply, waited);
}

/* Show a reply that started or confirmed a command (known_id: the
 * command's id when an earlier reply of this run gave it), then follow it
 * when --wait asks. Returns the exit status. */
static int show_and_wait(struct fc_session *s, enum fc_call call,
                         const struct fc_exchange *x, const char *known_id)
{
    const struct fc_args *a = s->args;
    struct fc_exchange st;
    int rc;

    fc_output_reply(a->json, x);
    if (x->rc != FLEETMOD_OK)
        follow_up(a, call, x, x->reply.id ? x->reply.id : known_id);
    if (x->rc != FLEETMOD_OK || !a->wait || x->reply.terminal)
        return fc_exit_of(x->rc, &x->reply, false);
    if (!x->reply.id) {
        fprintf(stderr, "fleetcmd: the reply carries no id to wait for\n");
        return FC_EXIT_PENDING;
    }
    fc_wait(s, x->reply.id, x->reply.provider, a->wait_ms, &st);
    rc = show_status(a, &st, &x->reply, x->reply.id, true);
    fc_exchange_free(&st);
    return rc;
}

static int run_confirm(struct fc_session *s, const char *code,
                       const char *provider, const char *known_id)
{
    const struct fc_args *a = s->args;
    struct fleetmod_request req = {.vin = a->vin,
                                   .command = a->command,
                                   .code = code,
                                   .provider = provider};
    struct fc_exchange x;
    int rc;

    fc_exchange_run(s, FC_CALL_CONFIRM, &req, &x);
    rc = show_and_wait(s, FC_CALL_CONFIRM, &x, known_id);
    fc_exchange_free(&x);
    return rc;
}

/* The send asked for confirmation: --yes, a person, or a hint. */
static int decide(struct fc_session *s, const struct fc_exchange *x)
{
    const struct fc_args *a = s->args;
    bool interactive = !a->yes && fc_prompt_interactive();

    if (interactive)
        fc_output_asking(a->json, x);
    else
        fc_output_reply(a->json, x);
    if (a->yes || (interactive && fc_prompt_confirm(&x->reply)))
        return run_confirm(s, x->reply.code, x->reply.provider, x->reply.id);
    if (interactive)
        fputs("fleetcmd: not confirmed; nothing was executed\n", stderr);
    else {
        fputs("fleetcmd: confirmation needed; nothing was executed. To go "
              "ahead:\n",
              stderr);
        fc_hint_confirm(a, a->vin, a->command, &x->reply);
    }
    return FC_EXIT_UNCONFIRMED;
}

static bool asks_confirmation(const struct fc_exchange *x)
{
    return x->rc == FLEETMOD_OK && x->reply.status &&
           strcmp(x->reply.status, "confirmation") == 0;
}

int fc_cmd_send(struct fc_session *s)
{
    const struct fc_args *a = s->args;
    struct fleetmod_request req = {.vin = a->vin, .command = a->command};
    struct fc_exchange x;
    int rc;

    if (a->code)
        return run_confirm(s, a->code, NULL, NULL);
    fc_exchange_run(s, FC_CALL_SEND, &req, &x);
    rc = asks_confirmation(&x) ? decide(s, &x)
                               : show_and_wait(s, FC_CALL_SEND, &x, NULL);
    fc_exchange_free(&x);
    return rc;
}

int fc_cmd_confirm(struct fc_session *s)
{
    return run_confirm(s, s->args->code, s->args->provider, NULL);
}

int fc_cmd_status(struct fc_session *s)
{
    const struct fc_args *a = s->args;
    struct fc_exchange x;
    int rc;

    fc_wait(s, a->id, a->provider, a->wait ? a->wait_ms : 0, &x);
    rc = show_status(a, &x, NULL, a->id, a->wait);
    fc_exchange_free(&x);
    return rc;
}
