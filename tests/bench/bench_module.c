/*
 * bench_module.c - mobway.so driven as a host drives it (dlopen, msgpack
 * requests, a reused reply buffer), against a running mobway-sim.
 *
 *   bench_module MODULE CONFIG init
 *   bench_module MODULE CONFIG libs LIBRARY...
 *   bench_module MODULE CONFIG send THREADS N VIN COMMAND
 *   bench_module MODULE CONFIG instances K VIN COMMAND
 *   bench_module MODULE CONFIG rss N1 N2 VIN COMMAND
 *   bench_module MODULE CONFIG batch VINS_FILE COMMAND
 *   bench_module MODULE CONFIG watch N VIN COMMAND
 *
 * Prints its figures as key=value lines; any failed call ends it with
 * exit status 1 and no figure. The host passes no log callback, so the
 * module formats no log lines (a host that logs pays for its own lines).
 */
#include <dlfcn.h>
#include <fleetmod/module.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "../lib/msgmap.h"

static const struct fleetmod_module *mod;
static const char *config_path;

static void load(const char *path)
{
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    fleetmod_module_fn fn =
        so ? (fleetmod_module_fn)(uintptr_t)dlsym(so, "fleetmod_module_v1")
           : NULL;

    if (!fn || !(mod = fn()))
        bench_die("cannot load %s: %s", path, dlerror());
}

static struct fleetmod_instance *new_instance(void)
{
    struct fleetmod_instance *inst = NULL;
    fleetmod_rc rc = mod->init(NULL, config_path, &inst);

    if (rc != FLEETMOD_OK)
        bench_die("init of %s failed: rc %d", config_path, rc);
    return inst;
}

/* ------------------------------------------------------------ messages */

static void pack_str(msgpack_packer *pk, const char *s)
{
    msgpack_pack_str_with_body(pk, s, strlen(s));
}

/* {"vin": vin, "command": command} */
static void pack_send(msgpack_sbuffer *b, const char *vin, const char *command)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 2);
    pack_str(&pk, "vin");
    pack_str(&pk, vin);
    pack_str(&pk, "command");
    pack_str(&pk, command);
}

/* {key: [items...]} plus {"command": command} when command is given */
static void pack_batch(msgpack_sbuffer *b, const char *key, char **items,
                       size_t n, const char *command)
{
    msgpack_packer pk;

    msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, command ? 2 : 1);
    pack_str(&pk, key);
    msgpack_pack_array(&pk, n);
    for (size_t i = 0; i < n; i++)
        pack_str(&pk, items[i]);
    if (command) {
        pack_str(&pk, "command");
        pack_str(&pk, command);
    }
}

/* The string under key in map o, as a new string, or NULL. */
static char *map_str(const msgpack_object *o, const char *key)
{
    const msgpack_object *v = msgmap_get(o, key);

    return v && v->type == MSGPACK_OBJECT_STR
               ? strndup(v->via.str.ptr, v->via.str.size)
               : NULL;
}

/* Counts the results of a batch reply whose status is want. */
static size_t count_results(const msgpack_sbuffer *reply, const char *want)
{
    msgpack_unpacked u;
    size_t n = 0;

    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, reply->data, reply->size, NULL) ==
            MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->val.type != MSGPACK_OBJECT_ARRAY)
                continue;
            for (uint32_t k = 0; k < kv->val.via.array.size; k++) {
                char *st = map_str(&kv->val.via.array.ptr[k], "status");
                n += st && strcmp(st, want) == 0;
                free(st);
            }
        }
    msgpack_unpacked_destroy(&u);
    return n;
}

/* One send; dies unless it is OK. Returns the command id when want_id. */
static char *send_one(struct fleetmod_instance *inst,
                      const msgpack_sbuffer *req, msgpack_sbuffer *reply,
                      int want_id)
{
    msgpack_unpacked u;
    char *id = NULL;
    fleetmod_rc rc;

    msgpack_sbuffer_clear(reply);
    rc = mod->send(inst, req->data, req->size, msgpack_sbuffer_write, reply);
    if (rc != FLEETMOD_OK)
        bench_die("send failed: rc %d", rc);
    if (!want_id)
        return NULL;
    msgpack_unpacked_init(&u);
    if (msgpack_unpack_next(&u, reply->data, reply->size, NULL) ==
        MSGPACK_UNPACK_SUCCESS)
        id = map_str(&u.data, "id");
    msgpack_unpacked_destroy(&u);
    if (!id)
        bench_die("a send reply without an id");
    return id;
}

/* --------------------------------------------------------------- modes */

struct worker {
    pthread_t th;
    struct fleetmod_instance *inst;
    pthread_barrier_t *go;
    const msgpack_sbuffer *req;
    long n;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    msgpack_sbuffer reply;

    msgpack_sbuffer_init(&reply);
    pthread_barrier_wait(w->go);
    for (long i = 0; i < w->n; i++)
        send_one(w->inst, w->req, &reply, 0);
    msgpack_sbuffer_destroy(&reply);
    return NULL;
}

/* THREADS threads, N sends each, one instance; one warm-up send first so
 * the token fetch is not counted. */
static void mode_send(int threads, long n, const char *vin, const char *cmd)
{
    struct fleetmod_instance *inst = new_instance();
    struct worker w[64];
    pthread_barrier_t go;
    msgpack_sbuffer req, reply;
    uint64_t t0;

    if (threads < 1 || threads > 64)
        bench_die("THREADS must be 1 to 64");
    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&reply);
    pack_send(&req, vin, cmd);
    send_one(inst, &req, &reply, 0);
    pthread_barrier_init(&go, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){.inst = inst, .go = &go, .req = &req, .n = n};
        pthread_create(&w[i].th, NULL, work, &w[i]);
    }
    pthread_barrier_wait(&go);
    t0 = bench_now_ns();
    for (int i = 0; i < threads; i++)
        pthread_join(w[i].th, NULL);
    t0 = bench_now_ns() - t0;
    printf("sends=%ld seconds=%.3f rate=%.0f\n", n * threads, t0 / 1e9,
           (double)n * threads / (t0 / 1e9));
    mod->shutdown(inst);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&reply);
}

/* K instances, each warmed by one send (token and a connection); the
 * resident set they add, per instance. */
static void mode_instances(long k, const char *vin, const char *cmd)
{
    struct fleetmod_instance **all = calloc((size_t)k, sizeof *all);
    msgpack_sbuffer req, reply;
    long before;

    if (!all)
        bench_die("out of memory");
    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&reply);
    pack_send(&req, vin, cmd);
    /* the first instance pays for libcurl's and OpenSSL's one-time state */
    send_one(all[0] = new_instance(), &req, &reply, 0);
    before = bench_rss_kib();
    for (long i = 1; i < k; i++)
        send_one(all[i] = new_instance(), &req, &reply, 0);
    printf("instances=%ld rss_per_instance_kib=%.1f\n", k,
           (double)(bench_rss_kib() - before) / (double)(k - 1));
    for (long i = 0; i < k; i++)
        mod->shutdown(all[i]);
    free(all);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&reply);
}

/* N2 sends on one thread; the resident set after N1 and after N2. */
static void mode_rss(long n1, long n2, const char *vin, const char *cmd)
{
    struct fleetmod_instance *inst = new_instance();
    msgpack_sbuffer req, reply;
    long rss1 = -1;

    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&reply);
    pack_send(&req, vin, cmd);
    for (long i = 1; i <= n2; i++) {
        send_one(inst, &req, &reply, 0);
        if (i == n1)
            rss1 = bench_rss_kib();
    }
    printf("n1=%ld rss1_kib=%ld n2=%ld rss2_kib=%ld\n", n1, rss1, n2,
           bench_rss_kib());
    mod->shutdown(inst);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&reply);
}

static char **read_lines(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    char line[128], **v = NULL;
    size_t cap = 0;

    *n = 0;
    if (!f)
        bench_die("cannot read %s", path);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        if (*n == cap) {
            char **grown = realloc(v, (cap = cap * 2 + 64) * sizeof *v);
            if (!grown)
                bench_die("out of memory");
            v = grown;
        }
        if (!(v[(*n)++] = strdup(line)))
            bench_die("out of memory");
    }
    fclose(f);
    return v;
}

/* One send with vins: every VIN of the file, timed. */
static void mode_batch(const char *file, const char *cmd)
{
    struct fleetmod_instance *inst = new_instance();
    msgpack_sbuffer req, reply;
    size_t n;
    char **vins = read_lines(file, &n);
    uint64_t t0;
    fleetmod_rc rc;

    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&reply);
    pack_batch(&req, "vins", vins, n, cmd);
    t0 = bench_now_ns();
    rc = mod->send(inst, req.data, req.size, msgpack_sbuffer_write, &reply);
    t0 = bench_now_ns() - t0;
    if (rc != FLEETMOD_OK || count_results(&reply, "pending") != n)
        bench_die("batch: rc %d, %zu of %zu pending", rc,
                  count_results(&reply, "pending"), n);
    printf("items=%zu ms=%.1f\n", n, t0 / 1e6);
    mod->shutdown(inst);
    for (size_t i = 0; i < n; i++)
        free(vins[i]);
    free(vins);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&reply);
}

/* N commands sent one by one, then one status call with all N ids. */
static void mode_watch(long n, const char *vin, const char *cmd)
{
    struct fleetmod_instance *inst = new_instance();
    char **ids = calloc((size_t)n, sizeof *ids);
    msgpack_sbuffer req, reply;
    uint64_t t0;
    fleetmod_rc rc;
    size_t done;

    if (!ids)
        bench_die("out of memory");
    msgpack_sbuffer_init(&req);
    msgpack_sbuffer_init(&reply);
    pack_send(&req, vin, cmd);
    for (long i = 0; i < n; i++)
        ids[i] = send_one(inst, &req, &reply, 1);
    msgpack_sbuffer_clear(&req);
    pack_batch(&req, "ids", ids, (size_t)n, NULL);
    msgpack_sbuffer_clear(&reply);
    t0 = bench_now_ns();
    rc = mod->status(inst, req.data, req.size, msgpack_sbuffer_write, &reply);
    t0 = bench_now_ns() - t0;
    done = count_results(&reply, "success") + count_results(&reply, "pending");
    if (rc != FLEETMOD_OK || done != (size_t)n)
        bench_die("watch: rc %d, %zu of %ld answered", rc, done, n);
    printf("ids=%ld ms=%.1f peak_rss_kib=%ld\n", n, t0 / 1e6,
           bench_peak_rss_kib());
    mod->shutdown(inst);
    for (long i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    msgpack_sbuffer_destroy(&req);
    msgpack_sbuffer_destroy(&reply);
}

/* dlopen + init of a first instance in a fresh process. */
static void mode_init(const char *module)
{
    uint64_t t0 = bench_now_ns();
    struct fleetmod_instance *inst;

    load(module);
    inst = new_instance();
    t0 = bench_now_ns() - t0;
    printf("init_ms=%.3f rss_kib=%ld\n", t0 / 1e6, bench_rss_kib());
    mod->shutdown(inst);
}

/* dlopen of the given libraries alone in a fresh process: the floor
 * under dlopen + init, which the module's own code cannot go below. */
static void mode_libs(char **libs, int n)
{
    uint64_t t0 = bench_now_ns();

    for (int i = 0; i < n; i++)
        if (!dlopen(libs[i], RTLD_NOW | RTLD_LOCAL))
            bench_die("cannot load %s: %s", libs[i], dlerror());
    printf("libs_ms=%.3f\n", (bench_now_ns() - t0) / 1e6);
}

static long num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*end || v < 1)
        bench_die("not a positive number: %s", s);
    return v;
}

int main(int argc, char **argv)
{
    const char *m = argc > 3 ? argv[3] : "";

    if (argc < 4)
        bench_die("usage: bench_module MODULE CONFIG MODE ARGS...");
    config_path = argv[2];
    if (strcmp(m, "init") == 0) {
        mode_init(argv[1]);
        return 0;
    }
    if (strcmp(m, "libs") == 0) {
        mode_libs(argv + 4, argc - 4);
        return 0;
    }
    load(argv[1]);
    if (strcmp(m, "send") == 0 && argc == 8)
        mode_send((int)num(argv[4]), num(argv[5]), argv[6], argv[7]);
    else if (strcmp(m, "instances") == 0 && argc == 7 && num(argv[4]) > 1)
        mode_instances(num(argv[4]), argv[5], argv[6]);
    else if (strcmp(m, "rss") == 0 && argc == 8)
        mode_rss(num(argv[4]), num(argv[5]), argv[6], argv[7]);
    else if (strcmp(m, "batch") == 0 && argc == 6)
        mode_batch(argv[4], argv[5]);
    else if (strcmp(m, "watch") == 0 && argc == 7)
        mode_watch(num(argv[4]), argv[5], argv[6]);
    else
        bench_die("unknown mode or wrong arguments: %s", m);
    return 0;
}
