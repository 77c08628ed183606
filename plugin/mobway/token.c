/* token.c - POST /token, cached and shared between threads. */
#include "token.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
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
 * endpoint page, username/password on the OAuth2 page): send both pairs. */
#define FORM "client_id=%s&client_secret=%s&username=%s&password=%s"
static char *form_body(const struct mw_config *cfg)
{
    char *id = curl_easy_escape(NULL, cfg->client_id.data, 0);
    char *secret = curl_easy_escape(NULL, cfg->client_secret.data, 0);
    char *body = NULL;
    size_t size;

    /* sized first and written once: asprintf grows its buffer with
     * realloc, leaving unwiped copies of the secret on the heap */
    if (id && secret) {
        size = 2 * (strlen(id) + strlen(secret)) + sizeof FORM;
        if ((body = malloc(size)))
            snprintf(body, size, FORM, id, secret, id, secret);
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

/* Reads {"token": str, "expiration": seconds}. */
static int parse_answer(const struct mw_exchange *ex,
                        struct mw_token_value **token, double *life_s)
{
    json_t *root = json_loadb(ex->resp, ex->resp_len, 0, NULL);
    json_t *tok = json_object_get(root, "token");
    json_t *exp = json_object_get(root, "expiration");
    double life = json_number_value(exp); /* 0 when not a number */
    int rc = -1;

    if (json_is_string(tok) && json_string_length(tok) > 0 && life > 0) {
        *token = value_new(json_string_value(tok), json_string_length(tok));
        *life_s = life < MIN_LIFE_S   ? MIN_LIFE_S
                  : life > MAX_LIFE_S ? MAX_LIFE_S
                                      : life;
        rc = *token ? 0 : -1;
    }
    if (json_is_string(tok))
        OPENSSL_cleanse((char *)json_string_value(tok),
                        json_string_length(tok));
    json_decref(root);
    return rc;
}

/* The token request got no answer: say why (a refused certificate, a
 * timeout), so that the person reading the log can act on it. */
static fleetmod_rc unreachable(struct mw_reply *r, const struct mw_exchange *ex)
{
    char msg[400];

    snprintf(msg, sizeof msg,
             "could not get a token from Mobway (%s); no command was sent",
             ex->error);
    return mw_reply_fail(r, FLEETMOD_EUNREACHABLE, 0, msg);
}

/* The HTTP part of a renewal; unlocked. */
static fleetmod_rc fetch(struct mw_http *h, const struct mw_config *cfg,
                         uint64_t deadline_ms, struct mw_token_value **token,
                         double *life_s, struct mw_reply *r)
{
    struct mw_exchange ex = {.route = MW_ROUTE_TOKEN,
                             .path = "/token",
                             .content_type =
                                 "application/x-www-form-urlencoded",
                             .deadline_ms = deadline_ms};
    char *body = form_body(cfg);
    fleetmod_rc rc = FLEETMOD_OK;

    if (!body)
        return mw_reply_fail(r, FLEETMOD_ENOMEM, 0, NULL);
    ex.body = body;
    ex.body_len = strlen(body);
    if (mw_http_exchange(h, &ex) != 0)
        rc = mw_reply_fail(r, FLEETMOD_ENOMEM, 0, NULL);
    else if (ex.outcome != MW_ANSWERED)
        rc = unreachable(r, &ex);
    else if (ex.status / 100 != 2 || parse_answer(&ex, token, life_s) != 0) {
        rc = mw_errmap_http(MW_ROUTE_TOKEN, ex.status, NULL);
        mw_reply_fail(r, rc, ex.status,
                      rc == FLEETMOD_EAUTH
                          ? "Mobway refused the client credentials"
                          : "Mobway gave no usable token; no command was "
                            "sent");
        r->retry_after_ms = ex.retry_after_ms;
    }
    OPENSSL_cleanse(body, ex.body_len);
    free(body);
    if (ex.resp)
        OPENSSL_cleanse(ex.resp, ex.resp_len);
    mw_exchange_reset(&ex);
    return rc;
}

/* Locked: renew, letting others wait on cv meanwhile. */
static fleetmod_rc renew(struct mw_token *t, struct mw_http *h,
                         const struct mw_config *cfg, uint64_t deadline_ms,
                         struct mw_reply *r)
{
    struct mw_token_value *token = NULL;
    double life_s = 0;
    fleetmod_rc rc;

    t->renewing = true;
    pthread_mutex_unlock(&t->mu);
    rc = fetch(h, cfg, deadline_ms, &token, &life_s, r);
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
                               struct mw_reply *r)
{
    if (!(t->value = value_new(cfg->token.data, cfg->token.len)))
        return mw_reply_fail(r, FLEETMOD_ENOMEM, 0, NULL);
    t->renew_at_ms = UINT64_MAX;
    return FLEETMOD_OK;
}

fleetmod_rc mw_token_get(struct mw_token *t, struct mw_http *h,
                         const struct mw_config *cfg, uint64_t deadline_ms,
                         char **out, uint64_t *gen, struct mw_reply *r)
{
    uint64_t now = mw_http_now_ms();
    fleetmod_rc rc = FLEETMOD_OK;

    *gen = 0;
    pthread_mutex_lock(&t->mu);
    if (!t->value && cfg->token.data)
        rc = adopt_fixed(t, cfg, r);
    while (rc == FLEETMOD_OK && (!t->value || now >= t->renew_at_ms)) {
        if (!t->renewing) {
            /* a token we just fetched serves this call, however short
             * its life: one renewal per call at most */
            rc = renew(t, h, cfg, deadline_ms, r);
            break;
        }
        pthread_cond_wait(&t->cv, &t->mu);
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
