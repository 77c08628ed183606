/* modcall.c - loading a module, building requests, reading replies. */
#include "modcall.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/msgreq.h"

int rel_module_open(struct rel_module *m, const char *path)
{
    fleetmod_module_fn entry;

    m->table = NULL;
    m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        return -1;
    }
    *(void **)&entry = dlsym(m->dl, FLEETMOD_MODULE_SYMBOL);
    if (!entry || !(m->table = entry())) {
        fprintf(stderr, "%s: no usable %s\n", path, FLEETMOD_MODULE_SYMBOL);
        dlclose(m->dl);
        m->dl = NULL;
        return -1;
    }
    return 0;
}

void rel_module_close(struct rel_module *m)
{
    if (m->dl)
        dlclose(m->dl);
    m->dl = NULL;
    m->table = NULL;
}

static FILE *log_file;
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void open_log(void)
{
    const char *path = getenv("REL_LOG");

    if (path && !(log_file = fopen(path, "a")))
        perror(path);
    if (log_file)
        setvbuf(log_file, NULL, _IOLBF, 0);
}

static void host_log(void *user, int level, const char *msg)
{
    (void)user;
    if (log_file)
        fprintf(log_file, "%d\t%s\n", level, msg);
}

const struct fleetmod_host *rel_host(void)
{
    static const struct fleetmod_host host = {sizeof host, NULL, host_log};

    pthread_once(&log_once, open_log);
    return &host;
}

double rel_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void rel_call(fleetmod_call_fn fn, struct fleetmod_instance *inst,
              struct rel_reply *r, ...)
{
    msgpack_sbuffer req;
    va_list ap;
    double t0;

    msgpack_sbuffer_init(&req);
    va_start(ap, r);
    msgreq_build(&req, ap);
    va_end(ap);
    msgpack_sbuffer_init(&r->buf);
    msgpack_unpacked_init(&r->msg);
    t0 = rel_now_ms();
    r->rc = fn(inst, req.data, req.size, msgpack_sbuffer_write, &r->buf);
    r->ms = rel_now_ms() - t0;
    msgpack_sbuffer_destroy(&req);
    r->map = msgpack_unpack_next(&r->msg, r->buf.data, r->buf.size, NULL) ==
                         MSGPACK_UNPACK_SUCCESS &&
                     r->msg.data.type == MSGPACK_OBJECT_MAP
                 ? &r->msg.data
                 : NULL;
}

void rel_reply_free(struct rel_reply *r)
{
    msgpack_unpacked_destroy(&r->msg);
    msgpack_sbuffer_destroy(&r->buf);
}

const char *rel_str(const msgpack_object *m, const char *key, char *buf,
                    size_t size)
{
    const msgpack_object *v = msgmap_get(m, key);

    buf[0] = '\0';
    if (v && v->type == MSGPACK_OBJECT_STR)
        snprintf(buf, size, "%.*s", (int)v->via.str.size, v->via.str.ptr);
    return buf;
}

int64_t rel_int(const msgpack_object *m, const char *key)
{
    const msgpack_object *v = msgmap_get(m, key);

    if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)v->via.u64;
    if (v && v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return v->via.i64;
    return -1;
}

fleetmod_rc rel_item_rc(const msgpack_object *item)
{
    int64_t code = rel_int(msgmap_get(item, "error"), "code");

    return code < 0 ? FLEETMOD_OK : (fleetmod_rc)code;
}
