/*
 * chain.c - see chain.h.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "chain.h"

static void put_str(EVP_MD_CTX *c, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
    unsigned char len[4] = {n >> 24, n >> 16, n >> 8, n};
    EVP_DigestUpdate(c, len, sizeof len);
    if (s)
        EVP_DigestUpdate(c, s, strlen(s));
}

static void put_int(EVP_MD_CTX *c, int64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
    EVP_DigestUpdate(c, b, sizeof b);
}

static void digest(const struct fm_jevent *ev, uint8_t out[FM_JHASH_LEN])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, ev->prev_hash, FM_JHASH_LEN);
    put_str(c, ev->host_id);
    put_str(c, ev->journal_id);
    put_int(c, ev->at);
    put_str(c, ev->kind);
    put_int(c, ev->state);
    const char *fixed[] = {ev->provider,  ev->vin,    ev->command,
                           ev->requester, ev->reason, ev->request_id};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        put_str(c, fixed[i]);
    put_int(c, ev->deadline);
    put_int(c, ev->rc);
    put_str(c, ev->error_name);
    put_str(c, ev->delivered);
    put_int(c, ev->http_status);
    put_str(c, ev->provider_id);
    put_int(c, ev->executed_at);
    put_int(c, ev->late);
    put_int(c, ev->latency_ms);
    put_str(c, ev->note);
    put_str(c, ev->detail);
    unsigned int n = FM_JHASH_LEN;
    EVP_DigestFinal_ex(c, out, &n);
    EVP_MD_CTX_free(c);
}

void chain_hash(struct fm_jevent *ev)
{
    digest(ev, ev->hash);
}

int chain_check(void *user, const struct fm_jevent *ev)
{
    struct chain_walk *w = user;
    uint8_t h[FM_JHASH_LEN];
    if (strcmp(w->host, ev->host_id)) {
        snprintf(w->host, sizeof w->host, "%s", ev->host_id);
        memset(w->last, 0, sizeof w->last);
        /* A chain pruned to nothing starts at its "pruned" event, which
         * links to the last event prune removed. */
        if (!strcmp(ev->kind, "pruned"))
            memcpy(w->last, ev->prev_hash, sizeof w->last);
    }
    digest(ev, h);
    if (memcmp(h, ev->hash, sizeof h) ||
        memcmp(w->last, ev->prev_hash, sizeof h)) {
        fprintf(stderr, "chain: event %lld of %s does not match\n",
                (long long)ev->seq, ev->host_id);
        w->bad++;
    }
    w->events++;
    memcpy(w->last, ev->hash, sizeof h);
    return 0;
}
