/*
 * bench_raw.c - the baseline: a raw libcurl keep-alive loop sending the
 * same signed requests as mobway.so to the same mobway-sim.
 *
 *   bench_raw URL THREADS N VIN COMMAND CLIENT_ID CLIENT_SECRET SIGN_SECRET
 *             BODY
 *
 * The token is fetched once (POST /token, the module's form body); the
 * body {"command":...,"vin":...} and its X-Signature are computed once;
 * each thread keeps one easy handle, set up once, and calls
 * curl_easy_perform N times on it: the least work a client can do per
 * command. BODY "read" hands libcurl the body through a read callback with
 * a known size and no seek callback, as the module must (libcurl then
 * cannot resend it, and sends it after the headers, in a second write);
 * "fields" uses CURLOPT_POSTFIELDS (one write, but libcurl may silently
 * resend it on a reused connection that died). Prints "sends=...
 * seconds=... rate=..."; any answer but 200 ends it with exit status 1.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

struct answer {
    char body[4096];
    size_t len;
};

static size_t keep(char *data, size_t size, size_t n, void *user)
{
    struct answer *a = user;
    size_t k = size * n;

    if (k > sizeof a->body - 1 - a->len)
        return 0;
    memcpy(a->body + a->len, data, k);
    a->len += k;
    a->body[a->len] = '\0';
    return k;
}

static CURL *handle(const char *url, struct answer *a)
{
    CURL *e = curl_easy_init();

    if (!e)
        bench_die("curl_easy_init failed");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
    return e;
}

static void perform(CURL *e, struct answer *a)
{
    long status = 0;
    CURLcode cc;

    a->len = 0;
    cc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status != 200)
        bench_die("request failed: %s, HTTP %ld: %s", curl_easy_strerror(cc),
                  status, a->body);
}

static char *fetch_token(const char *base, const char *id, const char *secret)
{
    char url[512], form[1024];
    struct answer a = {0};
    CURL *e;
    json_t *root;
    char *token;

    snprintf(url, sizeof url, "%s/token", base);
    snprintf(form, sizeof form,
             "client_id=%s&client_secret=%s&username=%s&password=%s", id,
             secret, id, secret);
    e = handle(url, &a);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, form);
    perform(e, &a);
    curl_easy_cleanup(e);
    root = json_loads(a.body, 0, NULL);
    if (!json_is_string(json_object_get(root, "token")))
        bench_die("no token in %s", a.body);
    token = strdup(json_string_value(json_object_get(root, "token")));
    json_decref(root);
    return token;
}

struct loop {
    pthread_t th;
    pthread_barrier_t *go;
    const char *url, *body;
    struct curl_slist *headers;
    long n;
    bool by_callback;
    size_t sent;
};

/* The body again for each request: libcurl calls this until it returns 0. */
static size_t read_body(char *buf, size_t size, size_t n, void *user)
{
    struct loop *l = user;
    size_t left = strlen(l->body) - l->sent;
    size_t k = left < size * n ? left : size * n;

    memcpy(buf, l->body + l->sent, k);
    l->sent += k;
    return k;
}

static void perform_loop(CURL *e, struct loop *l, struct answer *a)
{
    l->sent = 0;
    perform(e, a);
}

static void *run(void *arg)
{
    struct loop *l = arg;
    struct answer a = {0};
    CURL *e = handle(l->url, &a);

    curl_easy_setopt(e, CURLOPT_HTTPHEADER, l->headers);
    if (l->by_callback) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(e, CURLOPT_READDATA, l);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)strlen(l->body));
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, l->body);
    }
    perform_loop(e, l, &a); /* the connection is open before the clock */
    pthread_barrier_wait(l->go);
    for (long i = 0; i < l->n; i++)
        perform_loop(e, l, &a);
    curl_easy_cleanup(e);
    return NULL;
}

static struct curl_slist *headers(const char *token, const char *body,
                                  const char *key)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    char line[4096], hex[65];
    struct curl_slist *l = NULL;

    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body,
         strlen(body), mac, &mac_len);
    for (unsigned i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", mac[i]);
    l = curl_slist_append(l, "Accept: application/json");
    l = curl_slist_append(l, "Expect:");
    l = curl_slist_append(l, "Content-Type: application/json");
    snprintf(line, sizeof line, "Authorization: Bearer %s", token);
    l = curl_slist_append(l, line);
    snprintf(line, sizeof line, "X-Signature: %s", hex);
    l = curl_slist_append(l, line);
    if (!l)
        bench_die("out of memory");
    return l;
}

int main(int argc, char **argv)
{
    struct loop loops[64];
    char url[512], body[256], *token;
    pthread_barrier_t go;
    int threads;
    long n;
    uint64_t t0;

    if (argc != 10 ||
        (strcmp(argv[9], "read") != 0 && strcmp(argv[9], "fields") != 0))
        bench_die("usage: bench_raw URL THREADS N VIN COMMAND CLIENT_ID "
                  "CLIENT_SECRET SIGN_SECRET read|fields");
    threads = atoi(argv[2]);
    n = atol(argv[3]);
    if (threads < 1 || threads > 64 || n < 1)
        bench_die("THREADS must be 1 to 64 and N positive");
    curl_global_init(CURL_GLOBAL_ALL);
    token = fetch_token(argv[1], argv[6], argv[7]);
    snprintf(url, sizeof url, "%s/vehicle-command", argv[1]);
    snprintf(body, sizeof body, "{\"command\":\"%s\",\"vin\":\"%s\"}", argv[5],
             argv[4]);
    pthread_barrier_init(&go, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        loops[i] = (struct loop){.go = &go,
                                 .url = url,
                                 .body = body,
                                 .n = n,
                                 .by_callback = strcmp(argv[9], "read") == 0};
        loops[i].headers = headers(token, body, argv[8]);
        pthread_create(&loops[i].th, NULL, run, &loops[i]);
    }
    pthread_barrier_wait(&go);
    t0 = bench_now_ns();
    for (int i = 0; i < threads; i++)
        pthread_join(loops[i].th, NULL);
    t0 = bench_now_ns() - t0;
    printf("sends=%ld seconds=%.3f rate=%.0f\n", n * threads, t0 / 1e9,
           (double)n * threads / (t0 / 1e9));
    for (int i = 0; i < threads; i++)
        curl_slist_free_all(loops[i].headers);
    free(token);
    return 0;
}
