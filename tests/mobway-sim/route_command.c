/* POST /vehicle-command: bearer check, body check, X-Signature check, the
 * company's vehicle and plan, the two-step ignition flow, the OEM, then the
 * command is registered and executed. Faults wrap it: some before anything
 * is checked, some after the command is registered.
 *
 * Status choices (the Mobway docs give none):
 *   200 Pending / Confirmation
 *   401 bearer token missing, invalid or expired (only ever the token, so a
 *       client may renew its token on 401 and try again)
 *   403 "Sign-secret not found." when X-Signature is the HMAC of this body
 *       under another company's sign-secret; "X-Signature invalid." when the
 *       header is missing, garbled or matches no sign-secret we know
 *   404 "VIN not found or unauthorized access.",
 *       "Command not found or unauthorized access."
 *   400 "Confirmation invalid" (wrong, expired or unknown code)
 *   409 "Confirmation already used"
 *   422 "Invalid VIN. ..." / "Invalid command. ..." (missing, empty or not a
 *       string; a body that is not a JSON object has no vin)
 *   502 "Failed to send command to the OEM.",
 *       "Failed to initiate command with the OEM or retrieve status URL."
 * The second ignition step answers with the id of the first step: it is the
 * same command, now confirmed. */
#include "canon.h"
#include "clock.h"
#include "delay.h"
#include "faults.h"
#include "reply.h"
#include "sim.h"
#include "token.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#define ROUTE ROUTE_COMMAND_POST

static const char txt_invalid_vin[] =
    "Invalid VIN. VIN must be a string. At least one VIN is required.";
static const char txt_invalid_command[] = "Invalid command. Command must be a "
                                          "string. At least one command is "
                                          "required.";
static const char txt_vin_not_found[] = "VIN not found or unauthorized access.";
static const char txt_command_not_found[] =
    "Command not found or unauthorized access.";
static const char txt_sign_secret_not_found[] = "Sign-secret not found.";
static const char txt_signature_invalid[] = "X-Signature invalid.";
static const char txt_oem_send[] = "Failed to send command to the OEM.";
static const char txt_oem_init[] =
    "Failed to initiate command with the OEM or retrieve status URL.";
static const char txt_confirmation_invalid[] = "Confirmation invalid";
static const char txt_confirmation_used[] = "Confirmation already used";

/* What the body says, once checked. */
struct command_req {
    const char *vin;
    size_t vin_len;
    const char *command;
    size_t command_len;
    json_t *code; /* NULL or null on the first step */
    int company;
    int vehicle;
    int cmd;
    struct request *rq; /* where the hold fault keeps the answer */
};

/* A non-empty JSON string field, or NULL. */
static const char *string_field(json_t *body, const char *key, size_t *len)
{
    json_t *value = json_object_get(body, key);
    *len = json_string_length(value);
    return json_is_string(value) && *len > 0 ? json_string_value(value) : NULL;
}

/* NULL when the signature is this company's; otherwise the 403 text. */
static const char *check_signature(const struct sim *s,
                                   const struct command_req *cr,
                                   const char *header)
{
    if (!header || strlen(header) != CANON_SIG_HEX_LEN - 1)
        return txt_signature_invalid;
    char *body = canon_body(cr->vin, cr->vin_len, cr->command, cr->command_len);
    const char *verdict = txt_signature_invalid;
    for (size_t i = 0; body && i < s->fx.n_companies; i++) {
        char expected[CANON_SIG_HEX_LEN];
        canon_sign(s->fx.companies[i].sign_secret, body, expected);
        if (CRYPTO_memcmp(expected, header, CANON_SIG_HEX_LEN - 1) != 0)
            continue;
        verdict = (int)i == cr->company ? NULL : txt_sign_secret_not_found;
        if (!verdict)
            break;
    }
    free(body);
    return verdict;
}

static const char *oem_failure(const struct sim_vehicle *v)
{
    if (v->fail == FAIL_OEM_SEND)
        return txt_oem_send;
    if (v->fail == FAIL_OEM_INIT)
        return txt_oem_init;
    return NULL;
}

static json_t *command_json(const struct sim *s, const struct store_cmd *sc,
                            const char *status)
{
    char created[CLOCK_BRT_LEN];
    clock_brt(sc->created_ms, created);
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", sc->id, "vin",
                     s->fx.vehicles[sc->vehicle].vin, "command",
                     sim_cmd_names[sc->cmd], "status", status, "created",
                     created);
}

static const char *confirmation_message(int cmd)
{
    return cmd == CMD_DISABLE_IGNITION
               ? "Atenção: o bloqueio da ignição imobiliza o veículo assim "
                 "que ele parar e pode exigir intervenção física para "
                 "reverter. Confirme para continuar."
               : "Atenção: a ignição do veículo será liberada e ele poderá "
                 "voltar a ser ligado. Confirme para continuar.";
}

/* Ignition step 1: register the command, unexecuted, and hand out a code. */
static enum MHD_Result ask_confirmation(struct sim *s, struct MHD_Connection *c,
                                        const struct command_req *cr)
{
    struct store_cmd sc;
    char code[STORE_CODE_LEN];
    if (store_register(s->store, cr->company, cr->vehicle, cr->cmd, false,
                       &sc) < 0 ||
        store_issue_code(s->store, &sc, s->cfg.code_ttl_s * 1000, code) < 0)
        return reply_detail(c, ROUTE, 500, "Internal Server Error");
    json_t *body = command_json(s, &sc, "Confirmation");
    json_object_set_new(body, "code", json_string(code));
    json_object_set_new(body, "message",
                        json_string(confirmation_message(cr->cmd)));
    return reply_json(c, ROUTE, 200, body);
}

/* The hold fault: the answer waits in rq while the connection is
 * suspended, and dispatch sends it once resumed; a client killed meanwhile
 * leaves a command that ran but was never answered. */
static enum MHD_Result hold(struct sim *s, struct MHD_Connection *c,
                            struct request *rq, json_t *body)
{
    if (delay_add(s->delay, c, faults_get(FAULT_HOLD)) != 0)
        return reply_json(c, ROUTE, 200, body);
    rq->held = body;
    return MHD_YES;
}

/* The answer once the command is registered and executed, where the
 * reset-after, malformed, oversize and hold faults strike. */
static enum MHD_Result answer_executed(struct sim *s, struct MHD_Connection *c,
                                       const struct command_req *cr,
                                       const struct store_cmd *sc)
{
    static const char malformed[] = "{\"id\": \"8619b2df-1d68-40e1-8760";
    if (faults_roll(FAULT_RESET_AFTER))
        return reply_close(ROUTE);
    if (faults_roll(FAULT_MALFORMED))
        return reply_send(c, ROUTE, 200,
                          MHD_create_response_from_buffer(
                              sizeof malformed - 1, (void *)malformed,
                              MHD_RESPMEM_PERSISTENT));
    if (faults_roll(FAULT_OVERSIZE))
        return reply_send(
            c, ROUTE, 200,
            MHD_create_response_from_buffer(s->oversize_len, s->oversize,
                                            MHD_RESPMEM_PERSISTENT));
    if (faults_get(FAULT_HOLD) > 0)
        return hold(s, c, cr->rq, command_json(s, sc, "Pending"));
    return reply_json(c, ROUTE, 200, command_json(s, sc, "Pending"));
}

/* Past every check: confirm (ignition step 2) or register, then answer. */
static enum MHD_Result execute(struct sim *s, struct MHD_Connection *c,
                               const struct command_req *cr, const char *code)
{
    struct store_cmd sc;
    if (code) {
        enum store_confirm r = store_confirm(s->store, cr->company, cr->vehicle,
                                             cr->cmd, code, &sc);
        if (r != CONFIRM_OK)
            return reply_detail(c, ROUTE, r == CONFIRM_USED ? 409 : 400,
                                r == CONFIRM_USED ? txt_confirmation_used
                                                  : txt_confirmation_invalid);
    }
    const char *oem = oem_failure(&s->fx.vehicles[cr->vehicle]);
    if (oem)
        return reply_detail(c, ROUTE, 502, oem);
    if (!code && store_register(s->store, cr->company, cr->vehicle, cr->cmd,
                                true, &sc) < 0)
        return reply_detail(c, ROUTE, 500, "Internal Server Error");
    return answer_executed(s, c, cr, &sc);
}

/* The checks in the order the API would make them, then the command. */
static enum MHD_Result check_and_run(struct sim *s, struct MHD_Connection *c,
                                     struct command_req *cr)
{
    const char *sig_error = check_signature(
        s, cr, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature"));
    if (sig_error)
        return reply_detail(c, ROUTE, 403, sig_error);
    cr->vehicle = fixtures_vehicle(&s->fx, cr->company, cr->vin, cr->vin_len);
    if (cr->vehicle < 0)
        return reply_detail(c, ROUTE, 404, txt_vin_not_found);
    cr->cmd = sim_cmd_lookup(cr->command, cr->command_len);
    if (cr->cmd < 0 ||
        !(s->fx.vehicles[cr->vehicle].commands & (1u << cr->cmd)))
        return reply_detail(c, ROUTE, 404, txt_command_not_found);
    if (!sim_cmd_needs_code(cr->cmd)) /* a code "does not apply" */
        return execute(s, c, cr, NULL);
    if (!cr->code || json_is_null(cr->code))
        return ask_confirmation(s, c, cr);
    if (json_string_length(cr->code) != STORE_CODE_LEN - 1)
        return reply_detail(c, ROUTE, 400, txt_confirmation_invalid);
    return execute(s, c, cr, json_string_value(cr->code));
}

static enum MHD_Result handle(struct sim *s, struct MHD_Connection *c,
                              struct request *rq)
{
    struct command_req cr = {.rq = rq};
    enum token_check tc = token_verify(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
        &s->fx, &cr.company);
    if (tc != TOKEN_OK)
        return reply_detail(c, ROUTE, 401, token_check_text(tc));
    json_t *body =
        json_loadb(rq->body ? rq->body : "", rq->len, JSON_ALLOW_NUL, NULL);
    enum MHD_Result result;
    cr.vin = string_field(body, "vin", &cr.vin_len);
    cr.command = string_field(body, "command", &cr.command_len);
    cr.code = json_object_get(body, "code");
    if (!cr.vin)
        result = reply_detail(c, ROUTE, 422, txt_invalid_vin);
    else if (!cr.command)
        result = reply_detail(c, ROUTE, 422, txt_invalid_command);
    else
        result = check_and_run(s, c, &cr);
    json_decref(body);
    return result;
}

enum MHD_Result route_command_post(struct sim *s, struct MHD_Connection *c,
                                   struct request *rq)
{
    if (faults_roll(FAULT_RATELIMIT)) {
        struct MHD_Response *r = MHD_create_response_from_buffer(
            sizeof "{\"detail\":\"Too Many Requests\"}" - 1,
            (void *)"{\"detail\":\"Too Many Requests\"}",
            MHD_RESPMEM_PERSISTENT);
        if (r)
            MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
        return reply_send(c, ROUTE, 429, r);
    }
    if (faults_roll(FAULT_STATUS5XX))
        return reply_detail(c, ROUTE, 503, "Service Unavailable");
    if (faults_roll(FAULT_RESET_BEFORE))
        return reply_close(ROUTE);
    return handle(s, c, rq);
}
