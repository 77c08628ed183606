/*
 * stack.h - what the stack files of libfleetmod share: the parsed stack
 * file and the open stack.
 */
#ifndef FLEETMOD_STACK_H
#define FLEETMOD_STACK_H

#include <stdbool.h>

#include "internal.h"

enum fm_control { FM_REQUIRED, FM_SUFFICIENT };

/* One section of a stack file, then one provider of an open stack. */
struct fm_provider {
    char *section;
    char *file;   /* the stack or drop-in file it is in, for errors */
    int line;     /* of the section header, for errors */
    char *module; /* as written */
    char *config; /* NULL: the module's default */
    enum fm_control control;
    bool optional;
    bool enabled; /* false: parsed, then left out of the stack */
    char **globs; /* vins; none: every VIN */
    size_t n_globs;
    /* Filled by fleetmod_stack_open. */
    struct fleetmod_handle *h; /* NULL when it failed (optional only) */
    char *error;               /* why it failed */
    size_t max_batch; /* its module's batch limit (fleetmod_module_max_batch) */
};

struct fleetmod_stack {
    struct fm_provider *p;
    size_t n;
    /* The longest batch the stack takes: the largest max_batch of its ready
     * providers (FLEETMOD_BATCH_DEFAULT when none is ready). A provider
     * with a smaller limit gets its items in several calls. */
    size_t max_batch;
};

/* stack_config.c: parse the stack file at path, then its drop-in files,
 * into s (file order; enabled sections only). FLEETMOD_ECONFIG with
 * "FILE:LINE: [SECTION] what" in err, FLEETMOD_ENOMEM. On failure s may
 * hold part of the files: free it with fm_stack_free. */
fleetmod_rc fm_stack_parse(const char *path, struct fleetmod_stack *s,
                           char *err, size_t errlen);

/* stack_config.c: the drop-in directory of the stack file at path: path
 * without a final ".conf", plus ".d". */
void fm_stack_dropin_dir(const char *path, char *dir, size_t size);

/* stack.c: close provider p and free what it holds (not p itself). */
void fm_provider_free(struct fm_provider *p);

/* stack.c: close the providers and free everything s holds. */
void fm_stack_free(struct fleetmod_stack *s);

/* The provider of the replies (and batch items) the stack writes itself. */
#define FM_STACK_PROVIDER "stack"

/* The provider of the replies libfleetmod writes for a call it could not
 * make at all (a NULL handle). */
#define FM_LIB_PROVIDER "fleetmod"

typedef fleetmod_rc (*fm_call_fn)(struct fleetmod_handle *h, const char *req,
                                  size_t req_len, fleetmod_write_fn write,
                                  void *sink);

/* One call through a stack: the request as bytes and decoded, and where
 * its reply goes. */
struct fm_call {
    fm_call_fn fn;
    const char *req;
    size_t len;
    msgpack_object obj;
    fleetmod_write_fn write;
    void *sink;
};

/* stack_route.c: p is ready and its vins globs take vin. */
bool fm_provider_takes(const struct fm_provider *p, const char *vin);

/* stack_batch.c: the batch list of the request ("ids" for status, else
 * "vins") into *list, NULL when it has none. FLEETMOD_EINVAL with why
 * (whylen bytes) when it is not 1 to s->max_batch strings or comes with
 * the one-item key ("id", "vin"). */
fleetmod_rc fm_batch_list(const struct fleetmod_stack *s,
                          const msgpack_object *req, bool status,
                          const msgpack_object **list, char *why,
                          size_t whylen);

/* stack_batch.c: a send (status false) or status (status true) batch
 * routed item by item, as many single calls would be, with one call per
 * provider that gets items (several when they are more than its
 * max_batch); the merged reply is written to c. Returns
 * FLEETMOD_OK once written, whatever the items' fates; FLEETMOD_ENOMEM. */
fleetmod_rc fm_stack_batch(const struct fleetmod_stack *s,
                           const struct fm_call *c, bool status,
                           const msgpack_object *list);

/* One provider's denial of a command that then went on to the next one:
 * the reply's "refusals" say why each provider before the one that
 * answered refused (fleetmod-stack(5)). name and message point into the
 * refusing provider's reply, which lives as long as the call; NULL (or
 * not a string) when it had none: then the rc's own name and text. */
struct fm_refusal {
    const char *provider; /* its section */
    fleetmod_rc rc;
    const msgpack_object *name, *message;
};

/* The refusals an answer came after (n may be 0). */
struct fm_refusals {
    const struct fm_refusal *r;
    size_t n;
};

/* stack_reply.c: the refusal of section from its reply's error map
 * (error may be NULL). */
struct fm_refusal fm_refusal_of(const char *section, fleetmod_rc rc,
                                const msgpack_object *error);

/* stack_reply.c: relay a provider's reply (reply, len) to write/sink with
 * "provider" set to section at the top and in every batch result, and the
 * refusals before it. A reply that is not one map is replaced by an
 * EINTERNAL reply of our own. Returns rc, or the rc of what went wrong. */
fleetmod_rc fm_stack_relay(const char *section, fleetmod_rc rc,
                           const char *reply, size_t len,
                           const struct fm_refusals *ref,
                           fleetmod_write_fn write, void *sink);

/* stack_reply.c: k is the string name. */
bool fm_key_is(const msgpack_object *k, const char *name);

/* stack_reply.c: map with its "provider" replaced by (or given) section,
 * also in the maps of its "results", and "refusals" set to ref when it has
 * any (ref may be NULL). Non-zero when pk failed. */
int fm_pack_with_provider(msgpack_packer *pk, const msgpack_object *map,
                          const char *section, const struct fm_refusals *ref);

/* stack_reply.c: the head of a batch reply up to its results array of n
 * items: provider, status "batch", terminal true, request_id echoed from
 * req when it has one. Non-zero when pk failed. */
int fm_pack_batch_head(msgpack_packer *pk, const char *provider,
                       const msgpack_object *req, size_t n);

/* A key echoed into a failure reply when its value is a string. */
struct fm_echo {
    const char *key;
    const msgpack_object *val; /* may be NULL */
};

/* A failure reply: provider, status "failed", terminal true, the echoed
 * keys, and an error map: the module's own (error, when a map) or one made
 * of rc, message and whether rc means delivered. */
struct fm_failure {
    const char *provider; /* NULL: "stack" */
    fleetmod_rc rc;
    const char *message;
    const msgpack_object *error;
    struct fm_echo echo[2];
    struct fm_refusals refusals; /* before the failure; may be empty */
};

/* stack_reply.c: pack f. Non-zero when pk failed. */
int fm_pack_failure(msgpack_packer *pk, const struct fm_failure *f);

/* stack_reply.c: the stack's own failure reply: provider "stack" (or
 * section when not NULL), status "failed", error.code rc, error.message
 * message, request_id echoed from req when it has one. Returns rc, or
 * FLEETMOD_ENOMEM when write failed. */
fleetmod_rc fm_stack_fail(const char *section, const msgpack_object *req,
                          fleetmod_rc rc, const char *message,
                          fleetmod_write_fn write, void *sink);

#endif /* FLEETMOD_STACK_H */
