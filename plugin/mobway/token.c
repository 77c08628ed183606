/* token.c - POST /token, cached and shared between threads. */
#include "token.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errmap.h"

struct mw_token_value {
    atomic_size_t refs; /* the instance's own, plus one per call using it */
    size_t len;
    char bytes[]; /* NUL-terminated */
};

static struct mw_token_value *value_new(const char *s, size_t len)
{
    struct mw_token_value *v = malloc(sizeof *v + len + 1);

    if (v) {
        atomic_init(&v->refs, 1);
        v->len = len;
        memcpy(v->bytes, s, len);
        v->bytes[len] = '\0';
    }
    return v;
}

static void value_unref(struct mw_token_value *v)
{
    if (v &&
        atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1) {
        OPENSSL_cleanse(v->bytes, v->len);
        free(v);
    }
}

void mw_token_init(struct mw_token *t)
{
    pthread_condattr_t attr;

    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    /* waits end by a deadline on CLOCK_MONOTONIC, as every other one */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &attr);
    pthread_condattr_destroy(&attr);
}

void mw_token_drop(char *token)
{
    if (token)
        value_unref(
            (struct mw_token_value *)(token -
                                      offsetof(struct mw_token_value, bytes)));
}

void mw_token_destroy(struct mw_token *t)
{
    value_unref(t->value);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
}

/* The docs disagree on the field names (client_id/client_secret on the
 * endpoint page, username/password on the OAuth2 page): send both pairs,
 * and to a server that refuses that form, one pair at a time. */
enum form { FORM_BOTH, FORM_CLIENT, FORM_USER, FORM_COUNT };
static const char *const forms[FORM_COUNT] = {
    "client_id=%s&client_secret=%s&username=%s&password=%s",
    "client_id=%s&client_secret=%s",
    "username=%s&password=%s",
};

static char *form_body(const struct mw_config *cfg, enum form form)
{
    char *id = curl_easy_escape(NULL, cfg->client_id.data, 0);
    char *secret = curl_easy_escape(NULL, cfg->client_secret.data, 0);
    char *body = NULL;
    size_t size;

    /* sized first and written once: asprintf grows its buffer with
     * realloc, leaving unwiped copies of the secret on the heap */
    if (id && secret) {
        size = 2 * (strlen(id) + strlen(secret)) + strlen(forms[form]) + 1;
        if ((body = malloc(size)))
            snprintf(body, size, forms[form], id, secret, id, secret);
    }
    if (secret)
        OPENSSL_cleanse(secret, strlen(secret));
    curl_free(id);
    curl_free(secret);
    return body;
}

/* A token lifetime we act on: at least 1 s (a shorter one would have us
 * renew on every call), at most a year (so that the milliseconds fit). */
#define MIN_LIFE_S 1.0
#define MAX_LIFE_S (365.0 * 24 * 3600)

/* RFC 6750's b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
 * "/" ) *"=". Anything else (a CR LF above all) would change the request
 * it is put in. */
static bool bearer_ok(const char *s, size_t n)
{
    size_t i = 0;

    if (n == 0 || n > MW_TOKEN_MAX_LEN)
        return false;
    while (i < n &&
           ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
            (s[i] >= '0' && s[i] <= '9') ||
            (s[i] != '\0' && strchr("-._~+/", s[i]))))
        i++;
    if (i == 0)
        return false;
    while (i < n && s[i] == '=')
        i++;
    return i == n;
}

static fleetmod_rc fail(struct mw_token_error *err, fleetmod_rc rc,
                        long http_status, const char *message)
{
    err->rc = rc;
    err->http_status = http_status;
    err->retry_after_ms = -1;
    err->theirs = false;
    err->detail[0] = '\0';
    snprintf(err->message, sizeof err->message, "%s", message);
    return rc;
}

static const char bad_token[] =
    "Mobway's token is not one we can send in a header (RFC 6750 "
    "characters, at most 4096 bytes)";

/* Reads {"token": str, "expiration": seconds}. */
static fleetmod_rc parse_answer(const struct mw_exchange *ex,
                                struct mw_token_value **token, double *life_s,
                                struct mw_token_error *err)
{
    json_t *root = json_loadb(ex->resp, ex->resp_len, 0, NULL);
    json_t *tok = json_object_get(root, "token");
    json_t *exp = json_object_get(root, "expiration");
    double life = json_number_value(exp); /* 0 when not a number */
    fleetmod_rc rc;

    if (!json_is_string(tok) || json_string_length(tok) == 0 || life <= 0)
        rc = fail(err, FLEETMOD_EUNREACHABLE, ex->status,
                  "Mobway gave no usable token");
    else if (!bearer_ok(json_string_value(tok), json_string_length(tok)))
        rc = fail(err, FLEETMOD_EAUTH, ex->status, bad_token);
    else if (!(*token =
                   value_new(json_string_value(tok), json_string_length(tok))))
        rc = fail(err, FLEETMOD_ENOMEM, 0, mw_errmap_sentence(FLEETMOD_ENOMEM));
    else {
        *life_s = life < MIN_LIFE_S   ? MIN_LIFE_S
                  : life > MAX_LIFE_S ? MAX_LIFE_S
                                      : life;
        rc = FLEETMOD_OK;
    }
    if (json_is_string(tok))
        OPENSSL_cleanse((char *)json_string_value(tok),
                        json_string_length(tok));
    json_decref(root);
    return rc;
}

/* A token answer other than 2xx: Mobway's own text as the message when
 * it refused our login (it says why), else ours with its text in detail. */
static fleetmod_rc refused(const struct mw_exchange *ex,
                           struct mw_token_error *err)
{
    json_t *root = json_loadb(ex->resp ? ex->resp : "", ex->resp_len, 0, NULL);
    const char *text = json_string_value(json_object_get(root, "detail"));
    fleetmod_rc rc = mw_errmap_http(MW_ROUTE_TOKEN, ex->status, NULL);
    char msg[sizeof err->message];

    snprintf(msg, sizeof msg,
             rc == FLEETMOD_EAUTH
                 ? "Mobway refused the token request (HTTP %ld)"
                 : "Mobway gave no token (HTTP %ld)",
             ex->status);
    fail(err, rc, ex->status, text && rc == FLEETMOD_EAUTH ? text : msg);
    err->theirs = text && rc == FLEETMOD_EAUTH;
    if (text && !err->theirs)
        snprintf(err->detail, sizeof err->detail, "%s", text);
    json_decref(root);
    err->retry_after_ms = rc == FLEETMOD_ERATELIMIT ? ex->retry_after_ms : -1;
    return rc;
}

/* One token request with form; unlocked. *form_refused: the server
 * refused the form itself (400, 422), so another may do. */
static fleetmod_rc fetch_once(struct mw_http *h, const struct mw_config *cfg,
                              uint64_t deadline_ms, enum form form,
                              struct mw_token_value **token, double *life_s,
                              struct mw_token_error *err, bool *form_refused)
{
    struct mw_exchange ex = {.route = MW_ROUTE_TOKEN,
                             .path = "/token",
                             .content_type =
                                 "application/x-www-form-urlencoded",
                             .deadline_ms = deadline_ms};
    char *body = form_body(cfg, form);
    char msg[sizeof err->message];
    fleetmod_rc rc;

    *form_refused = false;
    if (!body)
        return fail(err, FLEETMOD_ENOMEM, 0,
                    mw_errmap_sentence(FLEETMOD_ENOMEM));
    ex.body = body;
    ex.body_len = strlen(body);
    if (mw_http_exchange(h, &ex) != 0)
        rc = fail(err, FLEETMOD_ENOMEM, 0, mw_errmap_sentence(FLEETMOD_ENOMEM));
    else if (ex.outcome != MW_ANSWERED) {
        /* say why (a refused certificate, a timeout) in our words, so
         * that the person reading the log can act on it; libcurl's text
         * beside it */
        snprintf(msg, sizeof msg, "could not get a token from Mobway: %s",
                 ex.what ? ex.what : "no answer came");
        rc = fail(err, FLEETMOD_EUNREACHABLE, 0, msg);
        snprintf(err->detail, sizeof err->detail, "%s", ex.error);
    } else if (ex.status / 100 == 2)
        rc = parse_answer(&ex, token, life_s, err);
    else {
        rc = refused(&ex, err);
        *form_refused = ex.status == 400 || ex.status == 422;
    }
    OPENSSL_cleanse(body, ex.body_len);
    free(body);
    if (ex.resp)
        OPENSSL_cleanse(ex.resp, ex.resp_len);
    mw_exchange_reset(&ex);
    return rc;
}

/* The HTTP part of a renewal; unlocked. A token request changes nothing
 * at Mobway, so asking again with another form is safe. */
static fleetmod_rc fetch(struct mw_http *h, const struct mw_config *cfg,
                         uint64_t deadline_ms, struct mw_token_value **token,
                         double *life_s, struct mw_token_error *err)
{
    bool form_refused = true;
    fleetmod_rc rc = FLEETMOD_EAUTH;

    for (int form = FORM_BOTH; form < FORM_COUNT && form_refused; form++)
        rc = fetch_once(h, cfg, deadline_ms, (enum form)form, token, life_s,
                        err, &form_refused);
    return rc;
}

/* Locked: renew, letting others wait on cv meanwhile. */
static fleetmod_rc renew(struct mw_token *t, struct mw_http *h,
                         const struct mw_config *cfg, uint64_t deadline_ms,
                         struct mw_token_error *err)
{
    struct mw_token_value *token = NULL;
    double life_s = 0;
    fleetmod_rc rc;

    t->renewing = true;
    pthread_mutex_unlock(&t->mu);
    rc = fetch(h, cfg, deadline_ms, &token, &life_s, err);
    pthread_mutex_lock(&t->mu);
    t->renewing = false;
    if (rc == FLEETMOD_OK) {
        value_unref(t->value); /* calls still using it keep it alive */
        t->value = token;
        t->renew_at_ms = mw_http_now_ms() + (uint64_t)(life_s * 900.0);
        t->generation++;
    }
    pthread_cond_broadcast(&t->cv);
    return rc;
}

/* Locked: a fixed token is a value that never needs renewing. */
static fleetmod_rc adopt_fixed(struct mw_token *t, const struct mw_config *cfg,
                               struct mw_token_error *err)
{
    if (!bearer_ok(cfg->token.data, cfg->token.len))
        return fail(err, FLEETMOD_EAUTH, 0,
                    "the configured token is not one we can send in a header "
                    "(RFC 6750 characters, at most 4096 bytes)");
    if (!(t->value = value_new(cfg->token.data, cfg->token.len)))
        return fail(err, FLEETMOD_ENOMEM, 0,
                    mw_errmap_sentence(FLEETMOD_ENOMEM));
    t->renew_at_ms = UINT64_MAX;
    return FLEETMOD_OK;
}

fleetmod_rc mw_token_get(struct mw_token *t, struct mw_http *h,
                         const struct mw_config *cfg, uint64_t deadline_ms,
                         char **out, uint64_t *gen, struct mw_token_error *err)
{
    uint64_t now = mw_http_now_ms();
    uint64_t until =
        deadline_ms ? deadline_ms : now + (uint64_t)cfg->timeout_ms;
    struct timespec ts = {(time_t)(until / 1000),
                          (long)(until % 1000) * 1000000};
    fleetmod_rc rc = FLEETMOD_OK;

    *gen = 0;
    pthread_mutex_lock(&t->mu);
    if (!t->value && cfg->token.data)
        rc = adopt_fixed(t, cfg, err);
    while (rc == FLEETMOD_OK && (!t->value || now >= t->renew_at_ms)) {
        if (!t->renewing) {
            /* a token we just fetched serves this call, however short
             * its life: one renewal per call at most */
            rc = renew(t, h, cfg, until, err);
            break;
        }
        if (pthread_cond_timedwait(&t->cv, &t->mu, &ts) == ETIMEDOUT &&
            t->renewing)
            rc = fail(err, FLEETMOD_EUNREACHABLE, 0,
                      "another call's token request did not end within "
                      "this call's time (timeout_ms)");
        now = mw_http_now_ms();
    }
    if (rc == FLEETMOD_OK) {
        atomic_fetch_add_explicit(&t->value->refs, 1, memory_order_relaxed);
        *out = t->value->bytes;
        *gen = t->generation;
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}
bool mw_token_invalidate(struct mw_token *t, const struct mw_config *cfg,
                         uint64_t gen)
{
    if (cfg->token.data)
        return false;
    pthread_mutex_lock(&t->mu);
    if (t->generation == gen)
        t->renew_at_ms = 0;
    pthread_mutex_unlock(&t->mu);
    return true;
}
