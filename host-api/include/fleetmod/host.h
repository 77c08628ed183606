/*
 * fleetmod/host.h - libfleetmod, the library hosts link against.
 *
 * It loads provider modules (search path, dlopen, validation of the
 * contract's table, init), calls them, routes commands across several
 * providers (stacks), and spares C hosts from hand-packing msgpack.
 *
 *     pkg-config --cflags --libs fleetmod
 *
 * Everything here is thread-safe unless said otherwise; nothing keeps
 * hidden global state except the read-only search path taken from the
 * environment at each call. Functions that return an error text write it
 * into a caller's buffer (err, errlen; err may be NULL): one line, no
 * trailing newline, naming the file, symbol, section or check that failed.
 *
 * Growth (how libfleetmod.so.1 stays binary compatible, as module.h does
 * for modules): a symbol, a struct layout and a documented behaviour of
 * 1.0 never change. The structs a caller allocates in 1.0 (struct
 * fleetmod_request, struct fleetmod_reply, struct fleetmod_reply_error,
 * struct fleetmod_stack_entry, struct fleetmod_buf) are frozen: no member
 * is ever added to them, because a binary built against 1.0 allocates
 * their 1.0 size. What comes later comes as new functions, marked "Since
 * 1.1" and exported in the linker version node FLEETMOD_1.1 (a program
 * that uses one needs libfleetmod 1.1 and says so through its versioned
 * symbol): new request keys through struct fleetmod_msg_builder, new reply
 * keys through struct fleetmod_reply_map, both opaque and keyed by name,
 * so that a key added in 1.2 needs no new symbol at all. A struct that a
 * caller must allocate is only ever added with struct_size as its first
 * member, read as module.h's FLEETMOD_HAS_MEMBER reads the module table.
 */
#ifndef FLEETMOD_HOST_H
#define FLEETMOD_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fleetmod/module.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A sensible size for the err buffers below. */
#define FLEETMOD_ERR_MAX 512

/* ------------------------------------------------------------------------
 * Return codes
 */

/* A short English sentence for rc ("the provider could not be reached").
 * Never NULL; an unknown value gets a generic text. */
const char *fleetmod_strerror(fleetmod_rc rc);

/* The rc's name without prefix, as in a reply's error.name ("EDENIED"):
 * exactly module.h's fleetmod_error_name(rc), so a reply libfleetmod
 * writes and one a module writes name an rc alike. Never NULL; a value
 * the header does not know gets "EINTERNAL" (1.0 said "EUNKNOWNRC"). */
const char *fleetmod_rc_name(fleetmod_rc rc);

/* ------------------------------------------------------------------------
 * Loading modules
 *
 * A module is named by a path (anything containing '/') or a bare name
 * ("mobway"), which is looked up as NAME.so (NAME itself when it already
 * ends in ".so") in each directory of the colon-separated environment
 * variable FLEETMOD_MODULE_PATH (empty entries skipped), then in the
 * compiled-in module directory (fleetmod_moduledir()). The first file
 * that exists wins.
 */

/* A loaded module and one instance of it. Opaque. */
struct fleetmod_handle;

/* The module directory compiled into libfleetmod (the fleetmod.pc
 * variable moduledir), e.g. "/usr/lib/x86_64-linux-gnu/fleetmod". */
const char *fleetmod_moduledir(void);

/* Resolve a module name or path to the file that fleetmod_open would load.
 * Writes the path into path (size bytes). Returns FLEETMOD_OK, or
 * FLEETMOD_ECONFIG with err naming every directory searched (or, for a
 * path, why it cannot be used). Does not load anything. */
fleetmod_rc fleetmod_module_find(const char *module, char *path, size_t size,
                                 char *err, size_t errlen);

/* Load a module's file without creating an instance: dlopen with
 * RTLD_NOW | RTLD_LOCAL, resolve fleetmod_module_v1, validate the table
 * (abi_version, struct_size, name syntax [a-z0-9_]{1,32}, non-empty
 * version, init/send/confirm/status present). On success *table points to
 * the module's table and *dl to the dlopen handle, which the caller closes
 * with dlclose(3) once done with the table. Returns FLEETMOD_ECONFIG with a
 * precise err on any failure. Used by fleetcmd modules and the
 * conformance tool; hosts normally use fleetmod_open. */
fleetmod_rc fleetmod_module_probe(const char *path,
                                  const struct fleetmod_module **table,
                                  void **dl, char *err, size_t errlen);

/* Called for each *.so file found on the search path, in search order
 * (FLEETMOD_MODULE_PATH entries, then the module directory; within a
 * directory by name; a name seen earlier shadows later ones and is not
 * repeated). table is NULL and error says why when the file is not a
 * valid module (error is NULL otherwise). Each file is probed with
 * fleetmod_module_probe and dlclosed after the call: table, path and error
 * are valid only during it. Return non-zero to stop. */
typedef int (*fleetmod_module_visit_fn)(void *user, const char *path,
                                        const struct fleetmod_module *table,
                                        const char *error);

/* Visit every module on the search path. Returns the number visited
 * (including the one that asked to stop). */
size_t fleetmod_modules_foreach(fleetmod_module_visit_fn visit, void *user);

/* Find, probe and initialise a module. config_path may be NULL (the
 * module's default); host may be NULL (no logging; user and log must stay
 * valid until fleetmod_close). On success *out is a new handle. On failure
 * *out is NULL and the rc is FLEETMOD_ECONFIG for a loader failure (file
 * not found, dlopen error, missing symbol, bad table) or whatever the
 * module's init returned (a value the library does not know, from a newer
 * or broken module, becomes FLEETMOD_EINTERNAL); err says which file and
 * which check. When init refuses, err reads "module NAME (FILE) did not
 * start with CONFIG: WHY", WHY being the first line the module logged at
 * LOG_ERR during init (the config not named again when that line names
 * it; "(and N more in the log)" when it logged more), or the rc's sentence
 * when it logged none; the rc's name is not in err (the caller has the
 * rc). The module logs through the library, which hands every line on to
 * host's log unchanged (and to nothing when host is NULL). */
fleetmod_rc fleetmod_open(const char *module, const char *config_path,
                          const struct fleetmod_host *host,
                          struct fleetmod_handle **out, char *err,
                          size_t errlen);

/* The module's table and the file it was loaded from. */
const struct fleetmod_module *
fleetmod_handle_module(const struct fleetmod_handle *h);
const char *fleetmod_handle_path(const struct fleetmod_handle *h);

/* Forward a call to the module (see fleetmod_call_fn in module.h for the
 * rules: exactly one reply map is written, thread-safe, bounded). An rc
 * the library does not know is returned as FLEETMOD_EINTERNAL (the reply
 * keeps the module's own error.code). h NULL or write NULL: nothing
 * reaches a module, the rc is FLEETMOD_EINVAL, and when write is not NULL
 * one reply map is written (provider "fleetmod", status "failed", error
 * EINVAL, delivered "no"). */
fleetmod_rc fleetmod_send(struct fleetmod_handle *h, const char *req,
                          size_t req_len, fleetmod_write_fn write, void *sink);
fleetmod_rc fleetmod_confirm(struct fleetmod_handle *h, const char *req,
                             size_t req_len, fleetmod_write_fn write,
                             void *sink);
fleetmod_rc fleetmod_status(struct fleetmod_handle *h, const char *req,
                            size_t req_len, fleetmod_write_fn write,
                            void *sink);

/* Shut the instance down and dlclose the module. NULL is ignored. Not
 * concurrent with any other call on h. */
void fleetmod_close(struct fleetmod_handle *h);

/* ------------------------------------------------------------------------
 * Stacks: several providers in one ini file and its drop-in files,
 * PAM-style. The file format and the routing rules, item by item, are in
 * fleetmod-stack(5); what each function guarantees is below.
 */

/* An open stack. Opaque. It keeps no mutable state once open: send,
 * confirm and status may be called from any number of threads at once. */
struct fleetmod_stack;

/* SYSCONFDIR "/fleetmod/stack.conf", the default stack file. Never NULL. */
const char *fleetmod_default_stack_path(void);

/* Open the stack file path (NULL: fleetmod_default_stack_path()), then
 * its drop-in files (path without ".conf", plus ".d", every NAME.conf in
 * it in strcmp order; stack.conf reads stack.d/), and load every enabled
 * section's module in order, each with host (see fleetmod_open for host).
 *
 * On success *out is the stack, for fleetmod_stack_close. On failure *out
 * is NULL, nothing stays loaded, and err reads "FILE:LINE: [SECTION]
 * what" with FILE the stack or drop-in file:
 * - FLEETMOD_ECONFIG for a file that breaks the format (duplicate section
 *   across all the files, unknown or repeated key, a bad control,
 *   optional or enabled word, empty vins, missing module), an unreadable
 *   file or drop-in directory, or no enabled section at all (err then
 *   names a disabled section's file, or the files read, and what to do);
 * - a provider's rc when a section without optional = true fails to load
 *   or init (an optional one is kept as "failed" and never routed to);
 * - FLEETMOD_ENOMEM.
 * Blocks for as long as the modules' init (no network traffic). */
fleetmod_rc fleetmod_stack_open(const char *path,
                                const struct fleetmod_host *host,
                                struct fleetmod_stack **out, char *err,
                                size_t errlen);

/* One provider of a stack, for listing. Pointers live as long as the
 * stack. */
struct fleetmod_stack_entry {
    const char *section;     /* unique section name */
    const char *module_path; /* the file loaded; as written if failed */
    const struct fleetmod_module *module; /* NULL when it failed to load */
    const char *state;                    /* "ready" or "failed" */
    const char *error;                    /* why it failed, else NULL */
};

/* The number of providers: the enabled sections. */
size_t fleetmod_stack_size(const struct fleetmod_stack *s);
/* Fills *out for provider i (0-based, stack order). false, *out
 * untouched, if i is out of range. */
bool fleetmod_stack_entry(const struct fleetmod_stack *s, size_t i,
                          struct fleetmod_stack_entry *out);

/* Since 1.1. The most items ("vins", "ids") one batch call through s may
 * carry: the largest max_batch (fleetmod_module_max_batch) of its ready
 * providers, FLEETMOD_BATCH_DEFAULT when none is ready. A provider with a
 * smaller limit gets its share in several calls of at most its limit. */
size_t fleetmod_stack_max_batch(const struct fleetmod_stack *s);

/*
 * Route one call (the shape of fleetmod_call_fn, module.h). Each
 * guarantees:
 * - exactly one reply map is written to write/sink, whose "provider" is
 *   the section that answered (a batch: see below), or "stack" when the
 *   stack answered itself: then nothing reached a module (a request that
 *   is not a msgpack map or is over FLEETMOD_MAX_REQUEST_BYTES, a send
 *   without a usable vin/vins, an unknown "provider": FLEETMOD_EINVAL; no
 *   provider takes the VIN: FLEETMOD_EDENIED);
 * - a command reaches at most one provider: fleetmod_stack_send goes on
 *   to the next provider only after an EDENIED from a "sufficient" one,
 *   and its answer then carries "refusals", one {provider, name, message}
 *   map per denial, in order; status goes on only after ENOTFOUND;
 * - the rc is the answering module's (an rc the library does not know:
 *   FLEETMOD_EINTERNAL), and a module reply that is not one msgpack map
 *   becomes a FLEETMOD_EINTERNAL reply (delivered "unknown");
 * - a batch ("vins"; status "ids" without "provider") means what that many
 *   single calls would, each item carrying its own provider and
 *   refusals, in request order, with rc FLEETMOD_OK whatever the items'
 *   fates. A provider gets its items in one call, or in calls of at most
 *   its module's max_batch. A list that is not 1 to
 *   fleetmod_stack_max_batch(s) strings, or that comes with vin (id), is
 *   FLEETMOD_EINVAL and nothing is sent. The reply's own "provider" is the
 *   one section that answered every item, else "stack". A status batch's
 *   wait_ms bounds the whole batch;
 * - it returns within the providers' bounds (the calls run one after the
 *   other on the calling thread);
 * - s NULL: FLEETMOD_EINVAL, with a "stack" reply when write is not NULL;
 *   write NULL: FLEETMOD_EINVAL, nothing called.
 * confirm goes to the section named by "provider", else routes like send;
 * it has no batch form (FLEETMOD_EINVAL). status goes to the section
 * named by "provider" (a failed optional one: FLEETMOD_ECONFIG), else asks
 * the ready providers in order until one knows the id.
 */
fleetmod_rc fleetmod_stack_send(struct fleetmod_stack *s, const char *req,
                                size_t req_len, fleetmod_write_fn write,
                                void *sink);
fleetmod_rc fleetmod_stack_confirm(struct fleetmod_stack *s, const char *req,
                                   size_t req_len, fleetmod_write_fn write,
                                   void *sink);
fleetmod_rc fleetmod_stack_status(struct fleetmod_stack *s, const char *req,
                                  size_t req_len, fleetmod_write_fn write,
                                  void *sink);

/* Close every provider (shutdown, dlclose) and free s. NULL is ignored.
 * Not concurrent with any other call on s. */
void fleetmod_stack_close(struct fleetmod_stack *s);

/* ------------------------------------------------------------------------
 * Message helpers: so a C host never hand-packs msgpack.
 */

/* A growable byte buffer. Zero-initialise it; free with fleetmod_buf_free. */
struct fleetmod_buf {
    char *data;
    size_t len;
    size_t cap;
};

/* A fleetmod_write_fn appending to a struct fleetmod_buf (the sink). */
int fleetmod_buf_write(void *sink, const char *buf, size_t len);
void fleetmod_buf_free(struct fleetmod_buf *b);

/* A request in C terms. Zero-initialise it and set what the call needs;
 * NULL strings, zero counts and wait_ms 0 are left out of the message. */
struct fleetmod_request {
    const char *vin;
    const char *command;
    const char *code;
    const char *id;
    const char *request_id;
    const char *provider;
    uint64_t wait_ms;
    const char *const *vins; /* batch send: n_vins strings */
    size_t n_vins;
    const char *const *ids; /* batch status: n_ids strings */
    size_t n_ids;
};

/* Pack req as a msgpack map, appended to out. FLEETMOD_ENOMEM on
 * allocation failure. */
fleetmod_rc fleetmod_request_pack(const struct fleetmod_request *req,
                                  struct fleetmod_buf *out);

/* The error map of a reply. */
struct fleetmod_reply_error {
    int code;               /* the rc */
    const char *name;       /* "EDENIED"; never NULL when has_error */
    const char *message;    /* never NULL when has_error */
    int http_status;        /* 0 when no HTTP answer came */
    const char *delivered;  /* "no", "yes", "unknown" or NULL */
    int64_t retry_after_ms; /* -1 when not given */
};

/* A reply decoded into C. Strings are NUL-terminated copies (NULL when the
 * key is absent or not a string) owned by the struct. */
struct fleetmod_reply {
    const char *provider;
    const char *status;
    bool terminal;
    const char *id;
    const char *vin;
    const char *command;
    const char *request_id;
    const char *code;
    const char *message;
    const char *detail_text; /* detail when it is a string */
    bool has_detail_map;     /* detail is a map (see fleetmod_msg_to_json) */
    bool has_created, has_updated, has_executed;
    int64_t created, updated, executed;
    bool has_error;
    struct fleetmod_reply_error error;
    size_t n_results;               /* status "batch" */
    struct fleetmod_reply *results; /* n_results items, request order */
    void *reserved;                 /* keeps the 1.0 layout; always NULL */
};

/* Decode a reply map. Unknown keys are ignored, and so is a known key whose
 * value has the wrong type. Returns FLEETMOD_EINVAL if buf is not exactly
 * one msgpack map with string "provider" and "status", or a "results" item
 * is not such a map (out is then zeroed), FLEETMOD_ENOMEM, or FLEETMOD_OK.
 * Any bytes are safe: sizes claimed inside buf are checked against len
 * before anything is allocated. Free with fleetmod_reply_free in every
 * case. */
fleetmod_rc fleetmod_reply_decode(const char *buf, size_t len,
                                  struct fleetmod_reply *out);
void fleetmod_reply_free(struct fleetmod_reply *r);

/* ------------------------------------------------------------------------
 * Since 1.1: requests and replies by key.
 *
 * struct fleetmod_request and struct fleetmod_reply hold the keys of 1.0
 * and will never hold more (see "Growth" above). A request with any other
 * key (deadline, requester, reason, ...) is built with a builder; any key
 * of a reply (journal, duplicate, late, deadline, ...) is read through a
 * reply map. Both work for every key, present and future.
 */

/* A request map under construction. Opaque; one thread at a time. */
struct fleetmod_msg_builder;

/* A new, empty builder; NULL when memory ran out. Free it with
 * fleetmod_msg_builder_free. */
struct fleetmod_msg_builder *fleetmod_msg_builder_new(void);
void fleetmod_msg_builder_free(struct fleetmod_msg_builder *b);

/* Set key (a non-empty string) to a string, an integer, a boolean or an
 * array of n strings (n may be 0). The key and values are copied. A key
 * set again gets the new value in its old place; keys are packed in the
 * order first set. FLEETMOD_EINVAL when b, key, value or one of values
 * is NULL (b unchanged), FLEETMOD_ENOMEM (b unchanged), else FLEETMOD_OK.
 *
 *     b = fleetmod_msg_builder_new();
 *     fleetmod_msg_builder_set_str(b, "vin", vin);
 *     fleetmod_msg_builder_set_str(b, "command", "lock_door");
 *     fleetmod_msg_builder_set_int(b, "deadline", deadline);
 *     fleetmod_msg_builder_pack(b, &req);
 */
fleetmod_rc fleetmod_msg_builder_set_str(struct fleetmod_msg_builder *b,
                                         const char *key, const char *value);
fleetmod_rc fleetmod_msg_builder_set_int(struct fleetmod_msg_builder *b,
                                         const char *key, int64_t value);
fleetmod_rc fleetmod_msg_builder_set_bool(struct fleetmod_msg_builder *b,
                                          const char *key, bool value);
fleetmod_rc fleetmod_msg_builder_set_strs(struct fleetmod_msg_builder *b,
                                          const char *key,
                                          const char *const *values, size_t n);

/* Append the map of every key set so far to out (b stays usable).
 * FLEETMOD_EINVAL when b or out is NULL, FLEETMOD_ENOMEM (out as it
 * was), else FLEETMOD_OK. */
fleetmod_rc fleetmod_msg_builder_pack(const struct fleetmod_msg_builder *b,
                                      struct fleetmod_buf *out);

/* A decoded reply map (or one item of its results). Opaque and
 * read-only: any number of threads may read one at once. */
struct fleetmod_reply_map;

/* Decode buf (len bytes) as one msgpack map. On success *out owns copies
 * of everything (buf may go) and is freed with fleetmod_reply_map_free.
 * FLEETMOD_EINVAL when buf is not exactly one msgpack map (*out NULL),
 * FLEETMOD_ENOMEM. Any bytes are safe: claimed sizes are checked against
 * len before anything is allocated. */
fleetmod_rc fleetmod_reply_map_decode(const char *buf, size_t len,
                                      struct fleetmod_reply_map **out);
/* Free a map from fleetmod_reply_map_decode (never one from
 * fleetmod_reply_item) and every item taken from it. NULL is ignored. */
void fleetmod_reply_map_free(struct fleetmod_reply_map *m);

/* The value of key in m. key may be a dotted path into nested maps
 * ("error.name"), each part under 128 bytes; a key containing "." cannot
 * be read this way. A key that is absent, or whose value has another
 * type, reads as absent: get_str returns NULL (also for a string holding
 * a NUL byte), get_int and get_bool return false and leave *out alone.
 * get_int reads integers that fit int64_t. get_str's string lives as long
 * as the map it was decoded into. m NULL reads as an empty map. */
const char *fleetmod_reply_get_str(const struct fleetmod_reply_map *m,
                                   const char *key);
bool fleetmod_reply_get_int(const struct fleetmod_reply_map *m, const char *key,
                            int64_t *out);
bool fleetmod_reply_get_bool(const struct fleetmod_reply_map *m,
                             const char *key, bool *out);

/* The length of the array at key ("results" of a batch reply); 0 when
 * absent or not an array. */
size_t fleetmod_reply_count(const struct fleetmod_reply_map *m,
                            const char *key);
/* Item i of the array at key as a map, readable with the functions above
 * (fleetmod_reply_get_str(fleetmod_reply_item(m, "results", i), "vin")).
 * NULL when out of range or not a map. It lives as long as m's decoded
 * map; never free it. */
const struct fleetmod_reply_map *
fleetmod_reply_item(const struct fleetmod_reply_map *m, const char *key,
                    size_t i);

/* Render any one msgpack object as compact UTF-8 JSON text on one line,
 * map keys in message order. Floats stay reals (1.0, printed with the
 * fewest digits that read back exactly), integers above INT64_MAX become
 * reals; maps with non-string keys get their keys rendered as JSON text
 * (1 -> "1"); binary becomes a base64 string; ext {"ext":TYPE,"data":
 * BASE64}; NaN and infinities null; invalid UTF-8 bytes U+FFFD. Returns a
 * malloc'd string for free(3), or NULL if buf is not exactly one valid
 * msgpack object (nesting deeper than 32 containers counts as invalid) or
 * memory ran out. */
char *fleetmod_msg_to_json(const char *buf, size_t len);

#ifdef __cplusplus
}
#endif

/* The command journal and its guards (since 1.1). */
#include <fleetmod/guard.h>

#endif /* FLEETMOD_HOST_H */
