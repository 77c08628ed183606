/*
 * commands.c - the flows behind send, confirm and status.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "hint.h"
#include "output.h"
#include "prompt.h"
#include "wait.h"

/* Show the outcome of a wait (on the command of started, NULL when this
 * run did not start it), and say so when the time ran out first: the exit
 * status is still 0, as the calls worked. */
static void show_waited(const struct fc_args *a, const struct fc_exchange *x,
                        const struct fleetmod_reply *started)
{
    fc_output_waited(a->json, x, started);
    if (x->rc == FLEETMOD_OK && !x->reply.terminal && x->reply.id)
        fprintf(stderr,
                "fleetcmd: command %s is still %s after %.1f s; ask again "
                "with: fleetcmd status %s\n",
                x->reply.id, x->reply.status, (double)a->wait_ms / 1000.0,
                x->reply.id);
}

/* Show a reply that started or confirmed a command, then follow it when
 * --wait asks. Returns the rc of the last call. */
static int show_and_wait(struct fc_session *s, const struct fc_exchange *x)
{
    const struct fc_args *a = s->args;
    struct fc_exchange st;
    fleetmod_rc rc;

    fc_output_reply(a->json, x);
    if (x->rc != FLEETMOD_OK || !a->wait || x->reply.terminal)
        return x->rc;
    if (!x->reply.id) {
        fprintf(stderr, "fleetcmd: the reply carries no id to wait for\n");
        return x->rc;
    }
    rc = fc_wait(s, x->reply.id, x->reply.provider, a->wait_ms, &st);
    show_waited(a, &st, &x->reply);
    fc_exchange_free(&st);
    return rc;
}

static int run_confirm(struct fc_session *s, const char *vin,
                       const char *command, const char *code,
                       const char *provider)
{
    struct fleetmod_request req = {
        .vin = vin, .command = command, .code = code, .provider = provider};
    struct fc_exchange x;
    int rc;

    fc_exchange_run(s, FC_CALL_CONFIRM, &req, &x);
    rc = show_and_wait(s, &x);
    fc_exchange_free(&x);
    return rc;
}

/* The send asked for confirmation: --yes, a person, or a hint. */
static int decide(struct fc_session *s, const struct fc_exchange *x)
{
    const struct fc_args *a = s->args;
    bool interactive = !a->yes && fc_prompt_interactive();

    fc_output_reply(a->json, x);
    if (a->yes || (interactive && fc_prompt_confirm(&x->reply)))
        return run_confirm(s, a->vin, a->command, x->reply.code,
                           x->reply.provider);
    if (interactive)
        fputs("fleetcmd: not confirmed; nothing was executed\n", stderr);
    else {
        fputs("fleetcmd: confirmation needed; nothing was executed. To go "
              "ahead:\n",
              stderr);
        fc_hint_confirm(a, a->vin, a->command, &x->reply);
    }
    return FLEETMOD_OK;
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
        return run_confirm(s, a->vin, a->command, a->code, NULL);
    fc_exchange_run(s, FC_CALL_SEND, &req, &x);
    rc = asks_confirmation(&x) ? decide(s, &x) : show_and_wait(s, &x);
    fc_exchange_free(&x);
    return rc;
}

int fc_cmd_confirm(struct fc_session *s)
{
    const struct fc_args *a = s->args;

    return run_confirm(s, a->vin, a->command, a->code, a->provider);
}

int fc_cmd_status(struct fc_session *s)
{
    const struct fc_args *a = s->args;
    struct fc_exchange x;
    int rc;

    rc = fc_wait(s, a->id, a->provider, a->wait ? a->wait_ms : 0, &x);
    if (a->wait)
        show_waited(a, &x, NULL);
    else
        fc_output_reply(a->json, &x);
    fc_exchange_free(&x);
    return rc;
}
