/*
 * store.c - the skeleton's memory: commands it started and the
 * confirmation codes it handed out.
 *
 * A real provider keeps almost none of this: its backend knows the
 * commands, and status asks the backend. What you may keep is the mutex
 * discipline: lock, copy, unlock; never hold the lock across a sleep, a
 * network call or a host callback.
 *
 * Both tables are fixed-size rings so that memory stays bounded however
 * long the host runs: the oldest command is forgotten (its status becomes
 * ENOTFOUND), a second send of one command to one vehicle replaces the
 * earlier code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "skeleton.h"

uint64_t sk_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool random_bytes(void *buf, size_t len)
{
    return getrandom(buf, len, 0) == (ssize_t)len;
}

/* A random (version 4) UUID: what many backends use as a command id. */
static bool make_id(char id[SK_ID_SIZE])
{
    unsigned char b[16];

    if (!random_bytes(b, sizeof b))
        return false;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    snprintf(id, SK_ID_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    return true;
}

/* Six uniform decimal digits: draws above the last whole million are
 * thrown away so that no code is likelier than another. */
static bool make_code(char code[SK_CODE_SIZE])
{
    const uint32_t limit = UINT32_MAX - UINT32_MAX % 1000000;
    uint32_t v;

    do {
        if (!random_bytes(&v, sizeof v))
            return false;
    } while (v >= limit);
    snprintf(code, SK_CODE_SIZE, "%06u", (unsigned)(v % 1000000));
    return true;
}

fleetmod_rc sk_store_init(struct sk_store *s)
{
    memset(s, 0, sizeof *s);
    s->cmds = calloc(SK_STORE_SIZE, sizeof *s->cmds);
    if (!s->cmds)
        return FLEETMOD_ENOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s->cmds);
        return FLEETMOD_EINTERNAL;
    }
    return FLEETMOD_OK;
}

void sk_store_free(struct sk_store *s)
{
    pthread_mutex_destroy(&s->lock);
    free(s->cmds);
    /* The codes are secrets of a kind: do not leave them in freed memory. */
    explicit_bzero(s->codes, sizeof s->codes);
}

fleetmod_rc sk_store_add(struct sk_store *s, const char *vin,
                         const char *command, uint64_t complete_ms,
                         struct sk_cmd *out)
{
    memset(out, 0, sizeof *out);
    if (!make_id(out->id))
        return FLEETMOD_EINTERNAL;
    snprintf(out->vin, sizeof out->vin, "%s", vin);
    snprintf(out->command, sizeof out->command, "%s", command);
    out->created = (int64_t)time(NULL);
    out->done_ms = sk_now_ms() + complete_ms;

    pthread_mutex_lock(&s->lock);
    s->cmds[s->next] = *out;
    s->next = (s->next + 1) % SK_STORE_SIZE;
    if (s->count < SK_STORE_SIZE)
        s->count++;
    pthread_mutex_unlock(&s->lock);
    return FLEETMOD_OK;
}

bool sk_store_find(struct sk_store *s, const char *id, struct sk_cmd *out)
{
    bool found = false;

    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->count && !found; i++) {
        if (strcmp(s->cmds[i].id, id) == 0) {
            *out = s->cmds[i];
            found = true;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* The slot of (vin, command), or NULL. Called with the lock held. */
static struct sk_code *code_slot(struct sk_store *s, const char *vin,
                                 const char *command)
{
    for (size_t i = 0; i < SK_MAX_CODES; i++)
        if (strcmp(s->codes[i].vin, vin) == 0 &&
            strcmp(s->codes[i].command, command) == 0)
            return &s->codes[i];
    return NULL;
}

fleetmod_rc sk_store_issue_code(struct sk_store *s, const char *vin,
                                const char *command, char code[SK_CODE_SIZE])
{
    if (!make_code(code))
        return FLEETMOD_EINTERNAL;

    pthread_mutex_lock(&s->lock);
    struct sk_code *c = code_slot(s, vin, command);
    if (!c) {
        c = &s->codes[s->next_code];
        s->next_code = (s->next_code + 1) % SK_MAX_CODES;
    }
    snprintf(c->vin, sizeof c->vin, "%s", vin);
    snprintf(c->command, sizeof c->command, "%s", command);
    memcpy(c->code, code, SK_CODE_SIZE);
    pthread_mutex_unlock(&s->lock);
    return FLEETMOD_OK;
}

bool sk_store_take_code(struct sk_store *s, const char *vin,
                        const char *command, const char *code)
{
    bool ok = false;

    pthread_mutex_lock(&s->lock);
    struct sk_code *c = code_slot(s, vin, command);
    if (c && c->code[0] != '\0') {
        ok = strcmp(c->code, code) == 0;
        /* Spent either way: a wrong guess also ends this confirmation, so
         * codes cannot be tried one after another. */
        explicit_bzero(c->code, sizeof c->code);
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}
