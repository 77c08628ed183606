/*
 * fleetmod/module.h - the fleetmod contract, version 1.
 *
 * Everything a provider module author needs, and everything a host needs to
 * load a module by hand with dlopen(3). Header only: no library is required
 * to build a module.
 *
 * A host (a dispatch server, a telematics gateway, the fleetcmd CLI) loads
 * provider modules at run time, the way Linux-PAM loads pam_*.so: the host
 * never links against a provider, so swapping an OEM backend means editing a
 * config file, never recompiling.
 *
 * Stability: once released, v1 never changes incompatibly. It only grows at
 * the end of struct fleetmod_module and struct fleetmod_host; each side reads
 * a member of the other's struct only if that member lies inside the other's
 * struct_size (see FLEETMOD_HAS_MEMBER). Enum values are never renumbered or
 * reused.
 *
 * Messages across the boundary are msgpack maps with string keys, documented
 * at the end of this file.
 */
#ifndef FLEETMOD_MODULE_H
#define FLEETMOD_MODULE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The contract version this header describes. */
#define FLEETMOD_ABI_VERSION 1

/* The one symbol a module exports, as a string for dlsym(3). */
#define FLEETMOD_MODULE_SYMBOL "fleetmod_module_v1"

/* Requests longer than this are refused with FLEETMOD_EINVAL. */
#define FLEETMOD_MAX_REQUEST_BYTES ((size_t)1024 * 1024)

/* Marks the entry point as exported when everything else is built with
 * -fvisibility=hidden. */
#if defined(__GNUC__) || defined(__clang__)
#define FLEETMOD_EXPORT __attribute__((visibility("default")))
#else
#define FLEETMOD_EXPORT
#endif

/* True when MEMBER of a struct of TYPE lies inside the struct_size that the
 * other side reported in S (a pointer to that struct). Check this before
 * reading any member appended after v1.0. */
#define FLEETMOD_HAS_MEMBER(S, TYPE, MEMBER)                                   \
    ((S)->struct_size >= offsetof(TYPE, MEMBER) + sizeof(((TYPE *)0)->MEMBER))

/*
 * Return codes. Append-only: a value is never renumbered nor reused.
 * The last column of each comment answers the question a host must ask
 * before retrying: was anything delivered to the vehicle's provider?
 */
typedef enum fleetmod_rc {
    /* The call did what was asked; the reply's "status" says where the
     * command stands. Delivered: yes. */
    FLEETMOD_OK = 0,
    /* The request message is malformed: not msgpack, not a map, a missing or
     * mistyped field, a VIN or command that fails validation, a code that is
     * not 6 digits, a request over FLEETMOD_MAX_REQUEST_BYTES.
     * Delivered: no. */
    FLEETMOD_EINVAL = 1,
    /* The module's configuration is missing, unreadable, unsafe (a secret
     * file others can read) or invalid. Delivered: no. */
    FLEETMOD_ECONFIG = 2,
    /* The provider rejected our credentials or signature. Delivered: no. */
    FLEETMOD_EAUTH = 3,
    /* The VIN or the command is unknown to this provider or not allowed for
     * this account. Delivered: no. */
    FLEETMOD_EDENIED = 4,
    /* The confirmation code is invalid or already used: start over with
     * send. Delivered: no. */
    FLEETMOD_ECONFIRM = 5,
    /* The provider (or the OEM behind it) failed to carry the command out.
     * Delivered: yes, it failed there. */
    FLEETMOD_EPROVIDER = 6,
    /* The provider could not be reached (DNS, connect, TLS handshake): the
     * request was certainly not delivered; safe to retry. */
    FLEETMOD_EUNREACHABLE = 7,
    /* The request may have been delivered but no usable answer came
     * (timeout or reset after sending, a 5xx, an unparsable body).
     * NOT safe to resend blindly. Delivered: unknown. */
    FLEETMOD_EUNKNOWN = 8,
    /* The provider asked us to slow down (HTTP 429); the reply's error map
     * carries retry_after_ms when known. Delivered: no. */
    FLEETMOD_ERATELIMIT = 9,
    /* status: no command with that id. Delivered: no. */
    FLEETMOD_ENOTFOUND = 10,
    /* Out of memory. Delivered: unknown. */
    FLEETMOD_ENOMEM = 11,
    /* A bug or an impossible state (also: an instance used in a process it
     * was not made in, after fork). The log says more. Delivered: unknown. */
    FLEETMOD_EINTERNAL = 12,
    /* Refused by the host's own policy (a guard, fleetmod/guard.h) before
     * anything reached a module; error.reason says which guard. Modules
     * never return it. Delivered: no. (Since 1.1.) */
    FLEETMOD_EREFUSED = 13
} fleetmod_rc;

/* One more than the highest rc this header knows. Hosts must still accept
 * larger values from newer modules (treat them as FLEETMOD_EINTERNAL). */
#define FLEETMOD_RC_COUNT 14

/*
 * The error map's "name" of rc ("EDENIED"), and its "delivered": the
 * contract's answer to "was anything delivered to the vehicle's provider?"
 * for a call that ended with rc ("no", "yes" or "unknown"). Header-only,
 * so that every module and host answers from this one table; a value this
 * header does not know is "EINTERNAL", delivered "unknown".
 */
static inline const char *fleetmod_error_name(fleetmod_rc rc)
{
    static const char *const names[FLEETMOD_RC_COUNT] = {
        "OK",        "EINVAL",    "ECONFIG",      "EAUTH",    "EDENIED",
        "ECONFIRM",  "EPROVIDER", "EUNREACHABLE", "EUNKNOWN", "ERATELIMIT",
        "ENOTFOUND", "ENOMEM",    "EINTERNAL",    "EREFUSED"};
    unsigned i = (unsigned)rc; /* a negative rc wraps above the table */
    return i < FLEETMOD_RC_COUNT ? names[i] : "EINTERNAL";
}

static inline const char *fleetmod_rc_delivered(fleetmod_rc rc)
{
    switch (rc) {
    case FLEETMOD_OK:
    case FLEETMOD_EPROVIDER:
        return "yes";
    case FLEETMOD_EINVAL:
    case FLEETMOD_ECONFIG:
    case FLEETMOD_EAUTH:
    case FLEETMOD_EDENIED:
    case FLEETMOD_ECONFIRM:
    case FLEETMOD_EUNREACHABLE:
    case FLEETMOD_ERATELIMIT:
    case FLEETMOD_ENOTFOUND:
    case FLEETMOD_EREFUSED:
        return "no";
    default:
        return "unknown";
    }
}

/* An instance of a module: one configuration, one account. Each module
 * defines it; hosts only hold pointers. */
struct fleetmod_instance;

/*
 * Where replies go. The same shape as msgpack-c's msgpack_packer_write, so a
 * host may pass msgpack_sbuffer_write with a msgpack_sbuffer * as sink.
 * Returns 0 on success; anything else makes the module stop writing and
 * return FLEETMOD_ENOMEM (the reply is then incomplete and must be ignored).
 * A module calls it one or more times per call to append the bytes of
 * exactly one msgpack map; the pointer is valid only during the call.
 */
typedef int (*fleetmod_write_fn)(void *sink, const char *buf, size_t len);

/*
 * What the host hands the module at init. init copies what it needs: the
 * struct itself need not outlive the call, but user and log must stay valid
 * until shutdown.
 */
struct fleetmod_host {
    /* sizeof(struct fleetmod_host) as the host was compiled. */
    uint32_t struct_size;
    /* Passed back to every callback. */
    void *user;
    /* Log sink; may be NULL, then the module logs nothing. level uses
     * syslog(3) numbers: LOG_ERR 3, LOG_WARNING 4, LOG_NOTICE 5, LOG_INFO 6,
     * LOG_DEBUG 7. msg is one line without a trailing newline, valid only
     * during the call. May be called from any thread the host calls the
     * module from. A module never writes to stdout or stderr itself, and
     * never logs a secret: token, client secret, sign-secret, signature or
     * confirmation code. */
    void (*log)(void *user, int level, const char *msg);
};

/*
 * The shape of send, confirm and status.
 *
 * req, req_len: one msgpack map (see "Requests" below). Any byte string is
 * accepted: a malformed one gets FLEETMOD_EINVAL and a reply map, never a
 * crash, a leak or a hang. Sizes claimed inside the message are checked
 * against req_len before anything is allocated.
 *
 * write, sink: where the reply goes. Every call writes exactly one msgpack
 * map, also when it fails (then the map carries "error"). No memory crosses
 * the boundary for the host to free.
 *
 * Returns the rc; the reply's error.code carries the same value.
 *
 * Threads: may be called at the same time from any number of threads on the
 * same instance. Blocking: returns within the instance's configured
 * timeouts (plus wait_ms for status); never blocks forever on the network.
 * A module never resends a request that may have been delivered.
 */
typedef fleetmod_rc (*fleetmod_call_fn)(struct fleetmod_instance *inst,
                                        const char *req, size_t req_len,
                                        fleetmod_write_fn write, void *sink);

/*
 * The vtable a module exports through fleetmod_module_v1(). A static,
 * immutable table: hosts never write to it. Members in this order, forever.
 */
struct fleetmod_module {
    /* sizeof(struct fleetmod_module) as the module was compiled; a host
     * reads a member only if it lies inside struct_size. */
    uint32_t struct_size;
    /* FLEETMOD_ABI_VERSION (1). */
    uint32_t abi_version;
    /* Provider id, [a-z0-9_]{1,32}, e.g. "mobway". Also the "provider" key
     * of every reply the module writes. */
    const char *name;
    /* The module's release, semver, e.g. "1.0.0". */
    const char *version;
    /*
     * Read the module's ini file (config_path NULL: the module's default
     * path), validate it, set up, and return a new instance in *out.
     * host may be NULL (no logging). No network traffic. On failure *out is
     * left NULL and the rc says why (FLEETMOD_ECONFIG for configuration,
     * with the file, line and key in the log). Not concurrent with anything
     * else on the same instance; many instances of one module may live in a
     * process at once, each with its own config, sharing nothing visible.
     */
    fleetmod_rc (*init)(const struct fleetmod_host *host,
                        const char *config_path,
                        struct fleetmod_instance **out);
    /* Start a command on one vehicle (or a batch: "vins"). */
    fleetmod_call_fn send;
    /* Second step of a command that answered status "confirmation". */
    fleetmod_call_fn confirm;
    /* Look up (or, with wait_ms, wait for) a command's outcome (or a batch:
     * "ids"). */
    fleetmod_call_fn status;
    /* Free the instance and wipe its secrets. NULL is allowed and ignored.
     * Not concurrent with any other call on the instance. After it the
     * module stays safe to dlclose. */
    void (*shutdown)(struct fleetmod_instance *inst);
    /* --- 1.1: read with FLEETMOD_HAS_MEMBER (fleetmod_module_max_batch) ---
     * The most items ("vins", "ids") the module takes in one batch call; 0
     * or absent (a 1.0 module): FLEETMOD_BATCH_DEFAULT. A host or stack
     * never sends a longer batch: it splits it. */
    uint32_t max_batch;
};

/* The batch limit of a module that does not state one. */
#define FLEETMOD_BATCH_DEFAULT 1000

/* The most items module m takes in one batch call: its max_batch when
 * its table has one, else FLEETMOD_BATCH_DEFAULT. The one reading of the
 * limit, for hosts and stacks alike. */
static inline uint32_t
fleetmod_module_max_batch(const struct fleetmod_module *m)
{
    if (FLEETMOD_HAS_MEMBER(m, struct fleetmod_module, max_batch) &&
        m->max_batch > 0)
        return m->max_batch;
    return FLEETMOD_BATCH_DEFAULT;
}

/*
 * The one exported symbol. Returns a pointer to a static, immutable table,
 * or NULL only if the module cannot work at all in this process. The _v1
 * suffix is the negotiation: an incompatible v2 would add
 * fleetmod_module_v2 beside it.
 */
typedef const struct fleetmod_module *(*fleetmod_module_fn)(void);
FLEETMOD_EXPORT const struct fleetmod_module *fleetmod_module_v1(void);

/*
 * Rules a module keeps (the host relies on them):
 *
 * - Process state: never call exit or abort, install signal handlers,
 *   change the locale, umask or working directory, print, or call a
 *   library's global cleanup (curl_global_cleanup, OpenSSL cleanup): the
 *   host and other modules share those libraries. Global init happens once,
 *   thread-safely.
 * - Fork: an instance belongs to the process that made it. A child using
 *   its parent's instance gets FLEETMOD_EINTERNAL, and the parent's
 *   connections are left untouched. A child makes its own instance.
 * - dlclose after shutdown is safe (modules whose libraries cannot be
 *   unloaded link with -z nodelete).
 * - Symbols: fleetmod_module_v1 is the only exported symbol.
 *
 * ---------------------------------------------------------------------------
 * Messages: msgpack maps with string keys. Unknown keys in a request are
 * ignored (forward compatibility); unknown keys in a reply are ignored by
 * hosts. Strings are UTF-8. Times are integers, seconds since the Unix
 * epoch, UTC.
 *
 * Requests
 *   send     vin        str   required  the vehicle
 *            command    str   required  the provider's command name (each
 *                                       provider's man page lists its own)
 *            vins       [str] instead of vin: a batch (see below)
 *   confirm  vin, command str required  as in the send that asked for it
 *            code       str   required  the 6-digit code of the send reply
 *   status   id         str   required  command id from a send/confirm reply
 *            ids        [str] instead of id: a batch
 *            wait_ms    uint  optional  0/absent: one look; else poll (with
 *                                       backoff) until terminal or wait_ms
 *                                       passed, then answer the last status
 *   all      request_id str   optional  host correlation id, echoed in the
 *                                       reply and in log lines
 *   all      provider   str   optional  used by stacks to route confirm and
 *                                       status; modules ignore it
 *
 * Reply
 *   provider   str   always   the module's name (a stack: the section name)
 *   status     str   always   "confirmation" (waiting for confirm),
 *                             "pending", "success", "error" (the provider
 *                             says the command failed), "failed" (the call
 *                             itself failed, rc != 0), "batch"
 *   terminal   bool  always   true for success, error, failed, batch
 *   id         str   when the provider gave one (its own format)
 *   vin, command str when known (echo)
 *   request_id str   when sent (echo)
 *   created    int   send/confirm, when given
 *   updated    int   status, when given
 *   executed   int   status, when the vehicle reported a time
 *   code       str   status "confirmation": the 6-digit code
 *   message    str   status "confirmation": text to show the person
 *   detail     map|str status: what the vehicle returned (map, provider's
 *                    JSON types kept: float stays float, null stays nil) or
 *                    the provider's error text (str)
 *   error      map   rc != 0:
 *                code           int  the rc
 *                name           str  e.g. "EDENIED"
 *                message        str  the provider's own text, verbatim,
 *                                    where it gave one; else English
 *                http_status    int  when an HTTP answer came
 *                delivered      str  "no", "yes" or "unknown"
 *                retry_after_ms int  optional (ERATELIMIT)
 *   results    [map] status "batch": one reply map per item, in request
 *                    order, each with its own status and error
 *
 * Batches: a send with "vins" or a status with "ids" runs the items
 * concurrently on the calling thread (bounded by the module's connection
 * pool). The call's rc is FLEETMOD_OK when the batch ran, whatever the
 * items' fates; FLEETMOD_EINVAL when the batch itself is malformed (empty,
 * over the module's max_batch, both vin and vins). confirm has no batch
 * form.
 */

#ifdef __cplusplus
}
#endif

#endif /* FLEETMOD_MODULE_H */
