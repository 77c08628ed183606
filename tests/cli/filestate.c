/*
 * filestate.c - a provider module for fleetcmd's tests whose commands and
 * confirmation codes live in files, so that they outlive the process.
 *
 * A real provider keeps its commands at its backend: `fleetcmd confirm` or
 * `fleetcmd status` in a later run finds what an earlier run started. The
 * skeleton keeps them in process memory, so these cross-run flows need a
 * provider like this one. init's config_path is the state directory.
 *
 * Any 17-character VIN is known except those starting with "WVW" (EDENIED).
 * disable_ignition asks for confirmation (a random 6-digit code, one use);
 * every command is done one second after it starts: "success", except the
 * command "fail", which ends in status "error" (the vehicle failed). The
 * command "lost" starts like any other, then answers EUNKNOWN (delivered
 * "unknown") with its id, as a provider whose answer was lost after it
 * took the command: the command runs, and only its status tells.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

#include <fleetmod/module.h>

#define NAME "filestate"
#define DONE_AFTER_MS 1000

struct fleetmod_instance {
    char dir[1024];
};

struct req {
    char vin[32], command[40], code[16], id[40], request_id[128];
    uint64_t wait_ms;
};

struct rep {
    fleetmod_rc rc;
    const char *status, *error_name, *error_text;
    char id[40], code[8], message[128];
    const struct req *q;
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static fleetmod_rc fs_init(const struct fleetmod_host *host, const char *path,
                           struct fleetmod_instance **out)
{
    struct fleetmod_instance *inst;
    struct stat st;

    (void)host;
    *out = NULL;
    if (!path || stat(path, &st) != 0 || !S_ISDIR(st.st_mode) ||
        strlen(path) >= sizeof inst->dir)
        return FLEETMOD_ECONFIG;
    *out = inst = calloc(1, sizeof *inst);
    if (!inst)
        return FLEETMOD_ENOMEM;
    snprintf(inst->dir, sizeof inst->dir, "%s", path);
    return FLEETMOD_OK;
}

static void fs_shutdown(struct fleetmod_instance *inst)
{
    free(inst);
}

/* ---- requests ---------------------------------------------------------- */

static bool take_str(const msgpack_object *v, char *dst, size_t size)
{
    if (v->type != MSGPACK_OBJECT_STR || v->via.str.size >= size)
        return false;
    memcpy(dst, v->via.str.ptr, v->via.str.size);
    dst[v->via.str.size] = '\0';
    return true;
}

static bool take_field(struct req *q, const msgpack_object_kv *kv)
{
    static const struct {
        const char *key;
        size_t off, size;
    } fields[] = {
        {"vin", offsetof(struct req, vin), sizeof q->vin},
        {"command", offsetof(struct req, command), sizeof q->command},
        {"code", offsetof(struct req, code), sizeof q->code},
        {"id", offsetof(struct req, id), sizeof q->id},
        {"request_id", offsetof(struct req, request_id), sizeof q->request_id},
    };
    const msgpack_object_str *k = &kv->key.via.str;

    if (kv->key.type != MSGPACK_OBJECT_STR)
        return false;
    if (k->size == 7 && memcmp(k->ptr, "wait_ms", 7) == 0) {
        q->wait_ms = kv->val.via.u64;
        return kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER;
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strlen(fields[i].key) == k->size &&
            memcmp(fields[i].key, k->ptr, k->size) == 0)
            return take_str(&kv->val, (char *)q + fields[i].off,
                            fields[i].size);
    return true; /* unknown keys are ignored */
}

static bool all(const char *s, int (*ok)(int), size_t min, size_t max)
{
    size_t n = strlen(s);

    if (n < min || n > max)
        return false;
    for (; *s; s++)
        if (!ok((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static fleetmod_rc decode(const char *buf, size_t len, struct req *q)
{
    msgpack_unpacked u;
    size_t off = 0;
    bool ok;

    memset(q, 0, sizeof *q);
    msgpack_unpacked_init(&u);
    ok = len <= 4096 &&
         msgpack_unpack_next(&u, buf, len, &off) == MSGPACK_UNPACK_SUCCESS &&
         u.data.type == MSGPACK_OBJECT_MAP;
    for (uint32_t i = 0; ok && i < u.data.via.map.size; i++)
        ok = take_field(q, &u.data.via.map.ptr[i]);
    msgpack_unpacked_destroy(&u);
    /* Everything that becomes part of a file name is checked here. */
    return ok && all(q->vin, isalnum, 0, 17) &&
                   all(q->command, islower, 0, 32) &&
                   all(q->id, isxdigit, 0, 32)
               ? FLEETMOD_OK
               : FLEETMOD_EINVAL;
}

/* ---- replies ----------------------------------------------------------- */

static void pack_kv(msgpack_packer *pk, const char *k, const char *v)
{
    msgpack_pack_str_with_body(pk, k, strlen(k));
    msgpack_pack_str_with_body(pk, v, strlen(v));
}

static const char *delivered(const struct rep *r)
{
    return r->rc == FLEETMOD_EUNKNOWN ? "unknown" : "no";
}

static fleetmod_rc reply(const struct rep *r, fleetmod_write_fn w, void *sink)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    const char *status = r->rc ? "failed" : r->status;
    bool terminal =
        r->rc || strcmp(status, "success") == 0 || strcmp(status, "error") == 0;
    uint32_t n = 3 + !!r->id[0] + !!r->q->vin[0] + !!r->q->command[0] +
                 !!r->q->request_id[0] + 2 * !!r->code[0] +
                 (r->rc == 0 && strcmp(status, "error") == 0) + !!r->rc;
    int wrc;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, n);
    pack_kv(&pk, "provider", NAME);
    pack_kv(&pk, "status", status);
    msgpack_pack_str_with_body(&pk, "terminal", 8);
    terminal ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
    if (r->id[0])
        pack_kv(&pk, "id", r->id);
    if (r->q->vin[0])
        pack_kv(&pk, "vin", r->q->vin);
    if (r->q->command[0])
        pack_kv(&pk, "command", r->q->command);
    if (r->q->request_id[0])
        pack_kv(&pk, "request_id", r->q->request_id);
    if (r->code[0]) {
        pack_kv(&pk, "code", r->code);
        pack_kv(&pk, "message", r->message);
    }
    if (r->rc == 0 && strcmp(status, "error") == 0)
        pack_kv(&pk, "detail", "the vehicle did not answer");
    if (r->rc) {
        msgpack_pack_str_with_body(&pk, "error", 5);
        msgpack_pack_map(&pk, 4);
        msgpack_pack_str_with_body(&pk, "code", 4);
        msgpack_pack_int(&pk, (int)r->rc);
        pack_kv(&pk, "name", r->error_name);
        pack_kv(&pk, "message", r->error_text);
        pack_kv(&pk, "delivered", delivered(r));
    }
    wrc = w(sink, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    return wrc ? FLEETMOD_ENOMEM : r->rc;
}

static void fail(struct rep *r, fleetmod_rc rc, const char *name,
                 const char *text)
{
    r->rc = rc;
    r->error_name = name;
    r->error_text = text;
}

/* ---- state files ------------------------------------------------------- */

static void state_path(const struct fleetmod_instance *inst, char *out,
                       const char *kind, const char *a, const char *b)
{
    snprintf(out, PATH_MAX, "%s/%s.%s.%s", inst->dir, kind, a, b);
}

static bool random_digits(char *out, size_t n, const char *alphabet)
{
    unsigned char raw[32];
    FILE *f = fopen("/dev/urandom", "rb");
    bool ok = f && n <= sizeof raw && fread(raw, 1, n, f) == n;

    if (f)
        fclose(f);
    for (size_t i = 0; ok && i < n; i++)
        out[i] = alphabet[raw[i] % strlen(alphabet)];
    out[ok ? n : 0] = '\0';
    return ok;
}

static void start(struct fleetmod_instance *inst, struct rep *r)
{
    char path[PATH_MAX];
    FILE *f;

    if (!random_digits(r->id, 16, "0123456789abcdef")) {
        fail(r, FLEETMOD_EINTERNAL, "EINTERNAL", "no random id");
        return;
    }
    state_path(inst, path, "cmd", r->id, "x");
    f = fopen(path, "w");
    if (!f) {
        fail(r, FLEETMOD_EINTERNAL, "EINTERNAL", "cannot write state");
        return;
    }
    fprintf(f, "%s %s %llu\n", r->q->vin, r->q->command,
            (unsigned long long)now_ms());
    fclose(f);
    r->status = "pending";
}

static bool known_vehicle(struct rep *r)
{
    if (strlen(r->q->vin) != 17 || !r->q->command[0]) {
        fail(r, FLEETMOD_EINVAL, "EINVAL", "vin or command is invalid");
        return false;
    }
    if (strncmp(r->q->vin, "WVW", 3) == 0) {
        fail(r, FLEETMOD_EDENIED, "EDENIED", "VIN not found");
        return false;
    }
    return true;
}

static void do_send(struct fleetmod_instance *inst, struct rep *r)
{
    char path[PATH_MAX];
    FILE *f;

    if (!known_vehicle(r))
        return;
    if (strcmp(r->q->command, "disable_ignition") != 0) {
        start(inst, r);
        if (!r->rc && strcmp(r->q->command, "lost") == 0)
            fail(r, FLEETMOD_EUNKNOWN, "EUNKNOWN",
                 "no answer came after the request was sent");
        return;
    }
    if (!random_digits(r->code, 6, "0123456789")) {
        fail(r, FLEETMOD_EINTERNAL, "EINTERNAL", "no random code");
        return;
    }
    state_path(inst, path, "code", r->q->vin, r->q->command);
    f = fopen(path, "w");
    if (!f) {
        fail(r, FLEETMOD_EINTERNAL, "EINTERNAL", "cannot write state");
        return;
    }
    fputs(r->code, f);
    fclose(f);
    r->status = "confirmation";
    snprintf(r->message, sizeof r->message, "stop the vehicle first");
}

static void do_confirm(struct fleetmod_instance *inst, struct rep *r)
{
    char path[PATH_MAX], code[8] = "";
    FILE *f;

    if (!known_vehicle(r))
        return;
    state_path(inst, path, "code", r->q->vin, r->q->command);
    f = fopen(path, "r");
    if (f) {
        if (!fgets(code, sizeof code, f))
            code[0] = '\0';
        fclose(f);
        unlink(path); /* one attempt per code, right or wrong */
    }
    if (!code[0] || strcmp(code, r->q->code) != 0) {
        fail(r, FLEETMOD_ECONFIRM, "ECONFIRM",
             "the confirmation code is invalid or already used");
        return;
    }
    start(inst, r);
}

static void do_status(struct fleetmod_instance *inst, struct rep *r,
                      struct req *q)
{
    char path[PATH_MAX];
    unsigned long long created = 0;
    uint64_t deadline = now_ms() + q->wait_ms, done;
    FILE *f;

    snprintf(r->id, sizeof r->id, "%s", q->id);
    state_path(inst, path, "cmd", q->id, "x");
    f = q->id[0] ? fopen(path, "r") : NULL;
    if (!f || fscanf(f, "%17s %32s %llu", q->vin, q->command, &created) != 3) {
        if (f)
            fclose(f);
        {
            fail(r, FLEETMOD_ENOTFOUND, "ENOTFOUND", "no such command");
            return;
        }
    }
    fclose(f);
    done = created + DONE_AFTER_MS;
    while (now_ms() < done && now_ms() < deadline)
        usleep(20000);
    r->status = now_ms() < done                   ? "pending"
                : strcmp(q->command, "fail") == 0 ? "error"
                                                  : "success";
}

enum call { SEND, CONFIRM, STATUS };

static fleetmod_rc call(enum call c, struct fleetmod_instance *inst,
                        const char *buf, size_t len, fleetmod_write_fn w,
                        void *sink)
{
    struct req q;
    struct rep r = {.status = "failed"};

    r.q = &q;
    if (decode(buf, len, &q) != FLEETMOD_OK)
        fail(&r, FLEETMOD_EINVAL, "EINVAL", "malformed request");
    else if (c == SEND)
        do_send(inst, &r);
    else if (c == CONFIRM)
        do_confirm(inst, &r);
    else
        do_status(inst, &r, &q);
    return reply(&r, w, sink);
}

static fleetmod_rc fs_send(struct fleetmod_instance *i, const char *b, size_t n,
                           fleetmod_write_fn w, void *s)
{
    return call(SEND, i, b, n, w, s);
}

static fleetmod_rc fs_confirm(struct fleetmod_instance *i, const char *b,
                              size_t n, fleetmod_write_fn w, void *s)
{
    return call(CONFIRM, i, b, n, w, s);
}

static fleetmod_rc fs_status(struct fleetmod_instance *i, const char *b,
                             size_t n, fleetmod_write_fn w, void *s)
{
    return call(STATUS, i, b, n, w, s);
}

FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void)
{
    static const struct fleetmod_module table = {
        .struct_size = sizeof(struct fleetmod_module),
        .abi_version = FLEETMOD_ABI_VERSION,
        .name = NAME,
        .version = "0.1.0",
        .init = fs_init,
        .send = fs_send,
        .confirm = fs_confirm,
        .status = fs_status,
        .shutdown = fs_shutdown,
    };
    return &table;
}
