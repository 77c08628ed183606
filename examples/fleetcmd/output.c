/*
 * output.c - replies as JSON lines or as a summary for people.
 */
#include "output.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "msgmap.h"
#include "utc.h"

static const char *or_dash(const char *s)
{
    return s ? s : "-";
}

static void print_time(const char *key, bool has, int64_t t)
{
    char buf[32];

    if (has)
        printf("  %s=%s\n", key, fc_utc(t, buf, sizeof buf));
}

/* A nested value (map, array, binary) as the same JSON --json shows. */
static void print_as_json(FILE *out, msgpack_object o)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    char *json;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_object(&pk, o);
    json = fleetmod_msg_to_json(sb.data, sb.size);
    fputs(json ? json : "?", out);
    free(json);
    msgpack_sbuffer_destroy(&sb);
}

static void print_value(FILE *out, msgpack_object o)
{
    switch (o.type) {
    case MSGPACK_OBJECT_STR:
        fprintf(out, "%.*s", (int)o.via.str.size, o.via.str.ptr);
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        fprintf(out, "%" PRIu64, o.via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        fprintf(out, "%" PRId64, o.via.i64);
        break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        /* 15 digits: what a double holds exactly in decimal, so 0.1 does
         * not read 0.10000000000000001. */
        fprintf(out, "%.15g", o.via.f64);
        break;
    default:
        print_as_json(out, o);
    }
}

/* The reply map as the module wrote it, for the keys struct
 * fleetmod_reply leaves out; NULL when it is not a map. u is the caller's,
 * destroyed after use. */
static const msgpack_object *raw_map(msgpack_unpacked *u,
                                     const struct fleetmod_buf *raw)
{
    size_t off = 0;

    msgpack_unpacked_init(u);
    if (msgpack_unpack_next(u, raw->data, raw->len, &off) ==
            MSGPACK_UNPACK_SUCCESS &&
        u->data.type == MSGPACK_OBJECT_MAP)
        return &u->data;
    return NULL;
}

/* "  KEY=VALUE" for each entry of a "detail" map. */
static void print_detail_map(const msgpack_object *m)
{
    const msgpack_object *d = fc_msgmap_get(m, "detail");

    for (uint32_t i = 0;
         d && d->type == MSGPACK_OBJECT_MAP && i < d->via.map.size; i++) {
        fputs("  ", stdout);
        print_value(stdout, d->via.map.ptr[i].key);
        putchar('=');
        print_value(stdout, d->via.map.ptr[i].val);
        putchar('\n');
    }
}

/* A stack's "refusals" ([{provider, name, message}]): why each provider
 * it went past refused the VIN, one line each. */
static void print_refusals(FILE *out, const msgpack_object *m)
{
    const msgpack_object *a = fc_msgmap_get(m, "refusals");

    for (uint32_t i = 0;
         a && a->type == MSGPACK_OBJECT_ARRAY && i < a->via.array.size; i++) {
        const msgpack_object *e = &a->via.array.ptr[i];
        const char *keys[] = {"provider", "name", "message"};
        const char *seps[] = {"  refused by ", ": ", ": "};
        if (e->type != MSGPACK_OBJECT_MAP)
            continue;
        for (size_t k = 0; k < 3; k++) {
            const msgpack_object *v = fc_msgmap_get(e, keys[k]);
            fputs(seps[k], out);
            if (v)
                print_value(out, *v);
            else
                fputc('-', out);
        }
        fputc('\n', out);
    }
}

/* key's value in m when it is a string, else NULL; printed with %.*s. */
static const msgpack_object *str_of(const msgpack_object *m, const char *key)
{
    const msgpack_object *v =
        m && m->type == MSGPACK_OBJECT_MAP ? fc_msgmap_get(m, key) : NULL;

    return v && v->type == MSGPACK_OBJECT_STR ? v : NULL;
}

static bool true_of(const msgpack_object *m, const char *key)
{
    const msgpack_object *v = fc_msgmap_get(m, key);

    return v && v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
}

/* A guard's keys (guard.h): the journal row, a coalesced duplicate, the
 * deadline that applied, a status executed after it. */
static void print_guard_keys(const msgpack_object *m)
{
    const msgpack_object *j = str_of(m, "journal");
    const msgpack_object *d = fc_msgmap_get(m, "deadline");

    if (j)
        printf("  journal=%.*s\n", (int)j->via.str.size, j->via.str.ptr);
    if (true_of(m, "duplicate"))
        puts("  duplicate=true (the command already under way; nothing "
             "was sent)");
    if (d && (d->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
              d->type == MSGPACK_OBJECT_NEGATIVE_INTEGER))
        print_time("deadline", true, d->via.i64);
    if (true_of(m, "late"))
        puts("  late=true (executed after the deadline)");
}

/* What the raw map adds to the decoded reply: the guard's keys, detail
 * entries, refusals. */
static void print_raw_extras(const struct fleetmod_buf *raw)
{
    msgpack_unpacked u;
    const msgpack_object *m = raw_map(&u, raw);

    if (m) {
        print_guard_keys(m);
        print_detail_map(m);
        print_refusals(stdout, m);
    }
    msgpack_unpacked_destroy(&u);
}

/* The parts of a failed reply that its error line leaves out: the
 * error's "detail" (the library's own words, when the message is ours),
 * the reply's detail text, and a stack's refusals. */
static void print_error_extras(const struct fc_exchange *x)
{
    msgpack_unpacked u;
    const msgpack_object *m = raw_map(&u, &x->raw);
    const msgpack_object *e = m ? fc_msgmap_get(m, "error") : NULL;
    const msgpack_object *d =
        e && e->type == MSGPACK_OBJECT_MAP ? fc_msgmap_get(e, "detail") : NULL;

    const msgpack_object *mine = str_of(m, "journal");
    const msgpack_object *other = str_of(e, "journal");

    if (d) {
        fputs("  detail: ", stderr);
        print_value(stderr, *d);
        fputc('\n', stderr);
    } else if (x->reply.detail_text)
        fprintf(stderr, "  detail: %s\n", x->reply.detail_text);
    /* A refusal is journaled too; a duplicate names the row it repeats. */
    if (mine)
        fprintf(stderr, "  journal: %.*s\n", (int)mine->via.str.size,
                mine->via.str.ptr);
    if (other)
        fprintf(stderr, "  the command under way: journal %.*s\n",
                (int)other->via.str.size, other->via.str.ptr);
    if (m)
        print_refusals(stderr, m);
    msgpack_unpacked_destroy(&u);
}

/* ", reason: duplicate" for a refusal by a guard (error.reason). */
static void print_reason(const struct fc_exchange *x)
{
    msgpack_unpacked u;
    const msgpack_object *m = raw_map(&u, &x->raw);
    const msgpack_object *e = m ? fc_msgmap_get(m, "error") : NULL;
    const msgpack_object *r = str_of(e, "reason");

    if (r)
        fprintf(stderr, ", reason: %.*s", (int)r->via.str.size, r->via.str.ptr);
    msgpack_unpacked_destroy(&u);
}

/* A field of the reply, else the same field of the reply that started the
 * command (NULL when there is none). */
static const char *about(const char *mine, const char *started)
{
    return mine ? mine : started;
}

static void print_summary(const struct fc_exchange *x,
                          const struct fleetmod_reply *started,
                          bool with_message)
{
    const struct fleetmod_reply *r = &x->reply;

    printf("%s  %s  %s", r->status,
           or_dash(about(r->command, started ? started->command : NULL)),
           or_dash(about(r->vin, started ? started->vin : NULL)));
    if (r->id)
        printf("  id=%s", r->id);
    printf("\n  provider=%s\n", r->provider);
    if (r->code)
        printf("  code=%s\n", r->code);
    if (r->message && with_message)
        printf("  message=%s\n", r->message);
    print_time("created", r->has_created, r->created);
    print_time("updated", r->has_updated, r->updated);
    print_time("executed", r->has_executed, r->executed);
    if (r->detail_text)
        printf("  detail=%s\n", r->detail_text);
    print_raw_extras(&x->raw);
}

void fc_output_error(const struct fc_exchange *x)
{
    const struct fleetmod_reply_error *e = &x->reply.error;

    if (!x->reply.has_error) {
        fprintf(stderr, "fleetcmd: %s: %s\n", fleetmod_rc_name(x->rc),
                fleetmod_strerror(x->rc));
        return;
    }
    fprintf(stderr, "fleetcmd: %s: %s (delivered: %s", e->name, e->message,
            or_dash(e->delivered));
    if (e->http_status)
        fprintf(stderr, ", http %d", e->http_status);
    if (e->retry_after_ms >= 0)
        fprintf(stderr, ", retry after %" PRId64 " ms", e->retry_after_ms);
    print_reason(x);
    fputs(")\n", stderr);
    print_error_extras(x);
}

static void print_json(const struct fc_exchange *x)
{
    char *json = fleetmod_msg_to_json(x->raw.data, x->raw.len);

    if (json)
        puts(json);
    free(json);
}

void fc_output_reply(bool json, const struct fc_exchange *x)
{
    fc_output_waited(json, x, NULL);
}

static void show(bool json, const struct fc_exchange *x,
                 const struct fleetmod_reply *started, bool with_message)
{
    const struct fleetmod_reply *r = &x->reply;

    if (json)
        print_json(x);
    else if (x->rc == FLEETMOD_OK)
        print_summary(x, started, with_message);
    /* Flushed per reply: a script reading a pipe sees the send reply while
     * fleetcmd still waits for the outcome. */
    fflush(stdout);
    if (x->rc != FLEETMOD_OK)
        fc_output_error(x);
    else if (!json && r->status && strcmp(r->status, "error") == 0)
        fprintf(stderr,
                "fleetcmd: the provider reports that command %s failed\n",
                or_dash(r->id));
}

void fc_output_waited(bool json, const struct fc_exchange *x,
                      const struct fleetmod_reply *started)
{
    show(json, x, started, true);
}

void fc_output_asking(bool json, const struct fc_exchange *x)
{
    show(json, x, NULL, false);
}
