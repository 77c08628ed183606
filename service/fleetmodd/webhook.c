/*
 * webhook.c - one thread delivering the journal's outbox to [webhook] url:
 * POST of the event's body as it was queued, with X-Signature = lowercase
 * hex HMAC-SHA256 of those exact bytes with the secret (the scheme
 * Mobway's own webhooks use). At least once: an event leaves the outbox
 * only on a 2xx; otherwise it is due again after 1, 2, 4 ... seconds,
 * capped at max_backoff. Each event is tried on its own schedule, so one
 * the receiver rejects never holds back the others.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/hmac.h>

#include "fmd.h"

#define BATCH 32

struct fmd_webhook {
    struct fmd *s;
    CURL *curl;
    char *secret;
    size_t secret_len;
    struct fmd_worker worker;
};

struct due {
    char *id[BATCH], *body[BATCH];
    int attempts[BATCH];
    size_t n;
};

static int take(void *user, const struct fleetmod_outbox_item *it)
{
    struct due *d = user;
    d->id[d->n] = strdup(it->event_id);
    d->body[d->n] = strdup(it->body);
    d->attempts[d->n] = it->attempts;
    if (d->id[d->n] && d->body[d->n])
        d->n++;
    else {
        free(d->id[d->n]);
        free(d->body[d->n]);
    }
    return d->n == BATCH;
}

static void sign(const struct fmd_webhook *w, const char *body, char hex[65])
{
    unsigned char mac[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), w->secret, (int)w->secret_len,
         (const unsigned char *)body, strlen(body), mac, &n);
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
}

static size_t discard(char *p, size_t size, size_t n, void *user)
{
    (void)p;
    (void)user;
    return size * n;
}

/* The HTTP status of one POST, 0 when no answer came. */
static long post(struct fmd_webhook *w, const char *id, const char *body)
{
    char sig[65], h1[96], h2[300];
    sign(w, body, sig);
    snprintf(h1, sizeof h1, "X-Signature: %s", sig);
    snprintf(h2, sizeof h2, "X-Event-Id: %s", id);
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: "
                                                    "application/json");
    hs = curl_slist_append(hs, h1);
    hs = curl_slist_append(hs, h2);
    CURL *c = w->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, w->s->conf.webhook_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)w->s->conf.webhook_timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    long status = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        fmd_log(LOG_WARNING, "webhook %s: %s", id, curl_easy_strerror(rc));
    curl_slist_free_all(hs);
    return status;
}

/* Deliver what is due; true when something was (look again at once). */
static bool deliver_due(struct fmd_webhook *w)
{
    struct due d = {.n = 0};
    char err[FLEETMOD_ERR_MAX] = "";
    if (fleetmod_journal_outbox_due(w->s->journal, (int64_t)time(NULL), BATCH,
                                    take, &d, err, sizeof err) != FLEETMOD_OK)
        fmd_log(LOG_WARNING, "webhook: reading the outbox: %s", err);
    bool any = false;
    for (size_t i = 0; i < d.n; i++) {
        long st =
            fmd_worker_stopping(&w->worker) ? 0 : post(w, d.id[i], d.body[i]);
        bool ok = st >= 200 && st < 300;
        int shift = d.attempts[i] < 20 ? d.attempts[i] : 20;
        int64_t backoff = (int64_t)1 << shift;
        if (backoff > w->s->conf.webhook_max_backoff)
            backoff = w->s->conf.webhook_max_backoff;
        if (!ok && st)
            fmd_log(LOG_WARNING,
                    "webhook %s: the receiver answered %ld; "
                    "again in %lld s",
                    d.id[i], st, (long long)backoff);
        if (fleetmod_journal_outbox_result(w->s->journal, d.id[i], ok,
                                           (int64_t)time(NULL) + backoff, err,
                                           sizeof err) != FLEETMOD_OK)
            fmd_log(LOG_ERR, "webhook %s: recording the attempt: %s", d.id[i],
                    err);
        any = any || ok;
        free(d.id[i]);
        free(d.body[i]);
    }
    return any;
}

static int64_t run(void *arg, bool poked)
{
    (void)poked; /* a poke only skips the wait */
    /* Retries come due by the second: look once a second. */
    return deliver_due(arg) ? 0 : 1000;
}

/* The secret file: private, one line, not empty. */
static char *read_secret(const char *path, size_t *len, char *err,
                         size_t errlen)
{
    FILE *f = fopen(path, "r");
    struct stat st;
    char line[1024];
    if (!f || fstat(fileno(f), &st)) {
        snprintf(err, errlen, "[webhook] secret_file %s: %s", path,
                 strerror(errno));
        if (f)
            fclose(f);
        return NULL;
    }
    char *got = (st.st_mode & 0007) ? NULL : fgets(line, sizeof line, f);
    fclose(f);
    if (got)
        line[strcspn(line, "\r\n")] = '\0';
    if (!got || !line[0]) {
        snprintf(err, errlen, "[webhook] secret_file %s: %s", path,
                 (st.st_mode & 0007) ? "readable or writable by others"
                                     : "empty");
        return NULL;
    }
    *len = strlen(line);
    char *s = strdup(line);
    memset(line, 0, sizeof line);
    return s;
}

struct fmd_webhook *fmd_webhook_start(struct fmd *s, char *err, size_t errlen)
{
    struct fmd_webhook *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->s = s;
    if (!(w->secret = read_secret(s->conf.webhook_secret_file, &w->secret_len,
                                  err, errlen)) ||
        !(w->curl = curl_easy_init())) {
        free(w->secret);
        free(w);
        return NULL;
    }
    if (!fmd_worker_start(&w->worker, run, w)) {
        curl_easy_cleanup(w->curl);
        free(w->secret);
        free(w);
        return NULL;
    }
    return w;
}

void fmd_webhook_poke(struct fmd_webhook *w)
{
    if (w)
        fmd_worker_poke(&w->worker);
}

void fmd_webhook_stop(struct fmd_webhook *w)
{
    if (!w)
        return;
    fmd_worker_stop(&w->worker);
    curl_easy_cleanup(w->curl);
    memset(w->secret, 0, w->secret_len);
    free(w->secret);
    free(w);
}

int64_t fmd_webhook_backlog(struct fmd *s)
{
    int64_t n = 0;
    char err[FLEETMOD_ERR_MAX];
    if (s->conf.webhook_url)
        fleetmod_journal_outbox_stat(s->journal, &n, NULL, err, sizeof err);
    return n;
}
