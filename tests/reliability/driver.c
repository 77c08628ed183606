/*
 * driver.c - a host that runs the module one line at a time, so that the
 * python tests can put hostile servers, simulator restarts and clocks
 * around each call.
 *
 *   driver MODULE < script
 *
 * Lines read on stdin (words separated by blanks):
 *   init CONFIG                 a new instance (the previous one is shut)
 *   send VIN COMMAND
 *   sendb COMMAND VIN,VIN,...   a batch send
 *   confirm VIN COMMAND CODE
 *   status ID WAIT_MS
 *   statusb ID,ID,... WAIT_MS   a batch status
 *   shutdown
 *   leak TEXT                   copies TEXT to the heap and frees it
 *                               unwiped (the wipe check's control)
 * Each line gets one JSON line on stdout: rc, name, ms (the call's wall
 * time on CLOCK_MONOTONIC), and from the reply status, id, code, http,
 * delivered, message, detail (when a str), retry_after_ms, and items (rc,
 * status, id, delivered) for a batch.
 *
 * With REL_LOG set, every log line of the module at every level is
 * appended to that file as "LEVEL<TAB>text".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modcall.h"

static void put_str(json_t *o, const msgpack_object *m, const char *key,
                    const char *as)
{
    char buf[2048];

    if (*rel_str(m, key, buf, sizeof buf))
        json_object_set_new(o, as, json_string(buf));
}

static json_t *items(const msgpack_object *results)
{
    json_t *a = json_array();

    for (uint32_t i = 0; results && results->type == MSGPACK_OBJECT_ARRAY &&
                         i < results->via.array.size;
         i++) {
        const msgpack_object *it = &results->via.array.ptr[i];
        json_t *o = json_pack("{s:i}", "rc", (int)rel_item_rc(it));
        put_str(o, it, "status", "status");
        put_str(o, it, "id", "id");
        put_str(o, msgmap_get(it, "error"), "delivered", "delivered");
        json_array_append_new(a, o);
    }
    return a;
}

static void answer(const struct rel_reply *r)
{
    const msgpack_object *err = msgmap_get(r->map, "error");
    json_t *o = json_pack("{s:i,s:f,s:b}", "rc", (int)r->rc, "ms", r->ms, "map",
                          !!r->map);

    put_str(o, r->map, "status", "status");
    put_str(o, r->map, "id", "id");
    put_str(o, r->map, "code", "code");
    put_str(o, err, "name", "name");
    put_str(o, err, "delivered", "delivered");
    put_str(o, err, "message", "message");
    put_str(o, r->map, "detail", "detail");
    json_object_set_new(o, "http", json_integer(rel_int(err, "http_status")));
    json_object_set_new(o, "retry_after_ms",
                        json_integer(rel_int(err, "retry_after_ms")));
    if (msgmap_get(r->map, "results"))
        json_object_set_new(o, "items", items(msgmap_get(r->map, "results")));
    json_dumpf(o, stdout, JSON_COMPACT);
    json_decref(o);
    putchar('\n');
}

static void leak(const char *text)
{
    char *copy = strdup(text);

    free(copy); /* deliberately not wiped */
    puts("{\"rc\":0}");
}

static void run(const struct fleetmod_module *m,
                struct fleetmod_instance **inst, char *w[5])
{
    struct rel_reply r = {0};

    if (strcmp(w[0], "init") == 0) {
        if (*inst)
            m->shutdown(*inst);
        *inst = NULL;
        printf("{\"rc\":%d}\n", (int)m->init(rel_host(), w[1], inst));
        return;
    }
    if (strcmp(w[0], "shutdown") == 0) {
        m->shutdown(*inst);
        *inst = NULL;
        puts("{\"rc\":0}");
        return;
    }
    if (strcmp(w[0], "leak") == 0)
        return leak(w[1]);
    if (strcmp(w[0], "send") == 0)
        rel_call(m->send, *inst, &r, "vin", w[1], "command", w[2], NULL);
    else if (strcmp(w[0], "sendb") == 0)
        rel_call(m->send, *inst, &r, "command", w[1], "@vins", w[2], NULL);
    else if (strcmp(w[0], "confirm") == 0)
        rel_call(m->confirm, *inst, &r, "vin", w[1], "command", w[2], "code",
                 w[3], NULL);
    else if (strcmp(w[0], "status") == 0)
        rel_call(m->status, *inst, &r, "id", w[1], "#wait_ms", w[2], NULL);
    else if (strcmp(w[0], "statusb") == 0)
        rel_call(m->status, *inst, &r, "@ids", w[1], "#wait_ms", w[2], NULL);
    else {
        printf("{\"rc\":-1,\"message\":\"unknown line %s\"}\n", w[0]);
        return;
    }
    answer(&r);
    rel_reply_free(&r);
}

int main(int argc, char **argv)
{
    struct rel_module mod;
    struct fleetmod_instance *inst = NULL;
    char line[65536];

    if (argc != 2) {
        fprintf(stderr, "usage: driver MODULE < script\n");
        return 2;
    }
    if (rel_module_open(&mod, argv[1]) != 0)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin)) {
        char *w[5] = {"", "", "", "", ""}, *save = NULL;
        for (int i = 0; i < 5; i++) {
            char *t = strtok_r(i ? NULL : line, " \t\n", &save);
            if (!t)
                break;
            w[i] = t;
        }
        if (*w[0])
            run(mod.table, &inst, w);
    }
    if (inst)
        mod.table->shutdown(inst);
    rel_module_close(&mod);
    return 0;
}
