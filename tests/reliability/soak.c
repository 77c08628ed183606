/*
 * soak.c - many commands from many threads through one instance, single
 * sends and batches mixed, to count how each one ended.
 *
 *   soak MODULE CONFIG COMMANDS THREADS IDS_FILE
 *
 * Sends COMMANDS commands in total (every fourth call of a thread is a
 * batch of four vehicles, the others single sends) on the vehicles of the
 * simulator's built-in fixtures. Writes the id of every command the module
 * answered OK to IDS_FILE, one per line, and prints one JSON line: the
 * count of answers per rc name, and the commands sent.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modcall.h"

#define BATCH 4

static const struct fleetmod_module *mod;
static struct fleetmod_instance *inst;
static atomic_long next_cmd, counts[FLEETMOD_RC_COUNT + 1];
static long total;
static FILE *ids;
static pthread_mutex_t ids_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const vins[] = {"6AHFT68CKAF501652", "9BWZZZ377VT004251"};
static const char *const commands[] = {"location", "lock_door", "unlock_door"};

static void count(const msgpack_object *item)
{
    fleetmod_rc rc = rel_item_rc(item);
    char id[64];

    atomic_fetch_add(&counts[rc < FLEETMOD_RC_COUNT ? rc : FLEETMOD_RC_COUNT],
                     1);
    if (rc != FLEETMOD_OK)
        return;
    pthread_mutex_lock(&ids_mu);
    fprintf(ids, "%s\n", rel_str(item, "id", id, sizeof id));
    pthread_mutex_unlock(&ids_mu);
}

/* A batch of k vehicles, alternating between the two. */
static void batch(long k, const char *command)
{
    char list[BATCH * 20] = "";
    struct rel_reply r;
    const msgpack_object *res;

    for (long i = 0; i < k; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i ? "," : "", vins[i % 2]);
    rel_call(mod->send, inst, &r, "command", command, "@vins", list, NULL);
    res = msgmap_get(r.map, "results");
    if (r.rc != FLEETMOD_OK || !res || res->type != MSGPACK_OBJECT_ARRAY ||
        res->via.array.size != (uint32_t)k)
        atomic_fetch_add(&counts[FLEETMOD_RC_COUNT], k); /* malformed */
    else
        for (uint32_t i = 0; i < res->via.array.size; i++)
            count(&res->via.array.ptr[i]);
    rel_reply_free(&r);
}

static void *worker(void *arg)
{
    long call = 0;

    (void)arg;
    for (;;) {
        long k = call % 4 == 3 ? BATCH : 1;
        long first = atomic_fetch_add(&next_cmd, k);
        const char *command = commands[first % 3];
        if (first >= total)
            break;
        if (first + k > total)
            k = total - first;
        if (k > 1) {
            batch(k, command);
        } else {
            struct rel_reply r;
            rel_call(mod->send, inst, &r, "vin", vins[first % 2], "command",
                     command, NULL);
            count(r.map);
            rel_reply_free(&r);
        }
        call++;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct rel_module m;
    long threads;
    pthread_t t[64];
    json_t *out;

    if (argc != 6 || (total = atol(argv[3])) <= 0 ||
        (threads = atol(argv[4])) <= 0 || threads > 64) {
        fprintf(stderr,
                "usage: soak MODULE CONFIG COMMANDS THREADS IDS_FILE\n");
        return 2;
    }
    if (rel_module_open(&m, argv[1]) != 0 || !(ids = fopen(argv[5], "w")))
        return 2;
    mod = m.table;
    if (mod->init(rel_host(), argv[2], &inst) != FLEETMOD_OK) {
        fprintf(stderr, "soak: init %s failed\n", argv[2]);
        return 2;
    }
    for (long i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, worker, NULL);
    for (long i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    mod->shutdown(inst);
    fclose(ids);
    out = json_pack("{s:i}", "sent", (json_int_t)total);
    for (int rc = 0; rc <= FLEETMOD_RC_COUNT; rc++) {
        static const char *const names[] = {
            "OK",        "EINVAL",    "ECONFIG",      "EAUTH",    "EDENIED",
            "ECONFIRM",  "EPROVIDER", "EUNREACHABLE", "EUNKNOWN", "ERATELIMIT",
            "ENOTFOUND", "ENOMEM",    "EINTERNAL",    "EREFUSED", "BADREPLY"};
        json_object_set_new(out, names[rc], json_integer(counts[rc]));
    }
    json_dumpf(out, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(out);
    rel_module_close(&m);
    return 0;
}
