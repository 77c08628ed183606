#include "store.h"

#include "clock.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Codes waiting for (or used by) a second step; oldest reused first. */
#define CONFIRM_CAP 4096
#define NO_SLOT (-1)

struct slot {
    struct store_cmd cmd;
    int32_t next; /* next slot in the same hash bucket */
    bool used;
};

struct confirm {
    char code[STORE_CODE_LEN];
    char id[STORE_ID_LEN];
    int company;
    int vehicle;
    int cmd;
    int64_t expires_ms;
    bool live;
    bool used;
};

struct store {
    pthread_mutex_t mu;
    struct slot *slots;
    size_t cap;
    size_t head; /* the slot the next command takes */
    int32_t *buckets;
    size_t bucket_mask;
    struct confirm confirms[CONFIRM_CAP];
    size_t confirm_head;
    int64_t ttl_ms;
    unsigned long registered;
    unsigned max_executions;
};

static size_t bucket_of(const struct store *st, const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h & st->bucket_mask;
}

static void clear_tables(struct store *st)
{
    memset(st->slots, 0, st->cap * sizeof *st->slots);
    for (size_t i = 0; i <= st->bucket_mask; i++)
        st->buckets[i] = NO_SLOT;
    memset(st->confirms, 0, sizeof st->confirms);
    st->head = st->confirm_head = 0;
    st->registered = 0;
    st->max_executions = 0;
}

struct store *store_new(size_t cap, int64_t ttl_ms)
{
    struct store *st = calloc(1, sizeof *st);
    size_t n_buckets = 1;
    while (n_buckets < 2 * cap)
        n_buckets <<= 1;
    if (st) {
        st->slots = calloc(cap, sizeof *st->slots);
        st->buckets = calloc(n_buckets, sizeof *st->buckets);
    }
    if (!st || !st->slots || !st->buckets) {
        store_free(st);
        return NULL;
    }
    st->cap = cap;
    st->bucket_mask = n_buckets - 1;
    st->ttl_ms = ttl_ms;
    pthread_mutex_init(&st->mu, NULL);
    clear_tables(st);
    return st;
}

void store_free(struct store *st)
{
    if (!st)
        return;
    if (st->slots && st->buckets)
        pthread_mutex_destroy(&st->mu);
    free(st->slots);
    free(st->buckets);
    free(st);
}

static int random_id(char id[STORE_ID_LEN])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(id, STORE_ID_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    return 0;
}

static void unlink_slot(struct store *st, int32_t index)
{
    int32_t *link = &st->buckets[bucket_of(st, st->slots[index].cmd.id)];
    while (*link != index)
        link = &st->slots[*link].next;
    *link = st->slots[index].next;
}

static struct slot *find(struct store *st, const char *id)
{
    for (int32_t i = st->buckets[bucket_of(st, id)]; i != NO_SLOT;
         i = st->slots[i].next)
        if (strcmp(st->slots[i].cmd.id, id) == 0)
            return &st->slots[i];
    return NULL;
}

static void execute(struct store *st, struct store_cmd *cmd, int64_t now_ms)
{
    cmd->exec_ms = now_ms;
    cmd->executions++;
    if (cmd->executions > st->max_executions)
        st->max_executions = cmd->executions;
}

int store_register(struct store *st, int company, int vehicle, int cmd,
                   bool execute_now, struct store_cmd *out)
{
    struct store_cmd fresh = {.company = company,
                              .vehicle = vehicle,
                              .cmd = cmd,
                              .created_ms = clock_now_ms()};
    if (random_id(fresh.id) < 0)
        return -1;
    pthread_mutex_lock(&st->mu);
    int32_t index = (int32_t)st->head;
    struct slot *slot = &st->slots[index];
    if (slot->used)
        unlink_slot(st, index);
    size_t bucket = bucket_of(st, fresh.id);
    *slot =
        (struct slot){.cmd = fresh, .next = st->buckets[bucket], .used = true};
    st->buckets[bucket] = index;
    st->head = (st->head + 1) % st->cap;
    st->registered++;
    if (execute_now)
        execute(st, &slot->cmd, fresh.created_ms);
    *out = slot->cmd;
    pthread_mutex_unlock(&st->mu);
    return 0;
}

int store_issue_code(struct store *st, const struct store_cmd *cmd,
                     int64_t ttl_ms, char code[STORE_CODE_LEN])
{
    uint32_t r;
    if (RAND_bytes((unsigned char *)&r, sizeof r) != 1)
        return -1;
    snprintf(code, STORE_CODE_LEN, "%06u", (unsigned)(r % 1000000));
    pthread_mutex_lock(&st->mu);
    struct confirm *c = &st->confirms[st->confirm_head];
    *c = (struct confirm){.company = cmd->company,
                          .vehicle = cmd->vehicle,
                          .cmd = cmd->cmd,
                          .expires_ms = clock_now_ms() + ttl_ms,
                          .live = true};
    memcpy(c->code, code, STORE_CODE_LEN);
    memcpy(c->id, cmd->id, STORE_ID_LEN);
    st->confirm_head = (st->confirm_head + 1) % CONFIRM_CAP;
    pthread_mutex_unlock(&st->mu);
    return 0;
}

/* The best code entry for a second step: an open one if there is one,
 * otherwise a used one (so the caller can say "already used"). */
static struct confirm *find_code(struct store *st, int company, int vehicle,
                                 int cmd, const char *code, int64_t now)
{
    struct confirm *used = NULL;
    for (size_t i = 0; i < CONFIRM_CAP; i++) {
        struct confirm *c = &st->confirms[i];
        if (!c->live || c->company != company || c->vehicle != vehicle ||
            c->cmd != cmd || strcmp(c->code, code) != 0)
            continue;
        if (c->used)
            used = c;
        else if (now < c->expires_ms)
            return c;
    }
    return used;
}

enum store_confirm store_confirm(struct store *st, int company, int vehicle,
                                 int cmd, const char *code,
                                 struct store_cmd *out)
{
    enum store_confirm result = CONFIRM_INVALID;
    pthread_mutex_lock(&st->mu);
    int64_t now = clock_now_ms();
    struct confirm *c = find_code(st, company, vehicle, cmd, code, now);
    struct slot *slot = c ? find(st, c->id) : NULL;
    if (c && c->used) {
        result = CONFIRM_USED;
    } else if (c && slot) {
        c->used = true;
        execute(st, &slot->cmd, now);
        *out = slot->cmd;
        result = CONFIRM_OK;
    }
    pthread_mutex_unlock(&st->mu);
    return result;
}

bool store_get(struct store *st, const char *id, int company,
               struct store_cmd *out)
{
    int64_t oldest = clock_now_ms() - st->ttl_ms;
    pthread_mutex_lock(&st->mu);
    struct slot *slot = find(st, id);
    bool found =
        slot && slot->cmd.company == company && slot->cmd.created_ms >= oldest;
    if (found)
        *out = slot->cmd;
    pthread_mutex_unlock(&st->mu);
    return found;
}

void store_add_json(struct store *st, json_t *obj)
{
    json_t *executions = json_object();
    pthread_mutex_lock(&st->mu);
    for (size_t i = 0; i < st->cap; i++)
        if (st->slots[i].used && st->slots[i].cmd.executions)
            json_object_set_new(executions, st->slots[i].cmd.id,
                                json_integer(st->slots[i].cmd.executions));
    json_object_set_new(obj, "commands_registered",
                        json_integer((json_int_t)st->registered));
    json_object_set_new(obj, "max_executions",
                        json_integer(st->max_executions));
    pthread_mutex_unlock(&st->mu);
    json_object_set_new(obj, "executions", executions);
}

void store_reset(struct store *st)
{
    pthread_mutex_lock(&st->mu);
    clear_tables(st);
    pthread_mutex_unlock(&st->mu);
}
