/*
 * conformance.h - fleetmod-conformance: any module against the contract.
 *
 * The tool uses module.h, dlopen/dlsym, msgpack-c and libc only: it does
 * not link libfleetmod, so it judges a module independently of our own
 * loader (a loader bug cannot hide a module bug).
 *
 *   tap.c        ok N - ... / not ok N - ...: why, and the summary line
 *   elfsyms.c    the module file's exported symbols, read from its ELF
 *   reply.c      is a reply one valid msgpack map that keeps the rules?
 *   cases.c      the malformed requests every module must refuse
 *   calls.c      checks that call the module: bad input, write failure,
 *                unknown id, threads, fork, the optional real command
 *   life.c       checks of the module's life: table, init, shutdown, reload
 *   main.c       arguments and the order of the checks
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include <fleetmod/module.h>

#define WHY_SIZE 512

/* ---- tap.c ----------------------------------------------------------- */

/* Report one check: why NULL or "" means it passed. */
void tap(const char *desc, const char *why);
/* Report one check whose failure reason is formatted. */
void tap_fail(const char *desc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "N passed, N failed"; the exit status (0 only when none failed). */
int tap_summary(void);
/* Stop: later checks cannot run. Prints the summary; returns exit 1. */
int tap_bail(const char *why);

/* ---- elfsyms.c ------------------------------------------------------- */

/* True when the file's dynamic symbol table defines exactly one exported
 * symbol, FLEETMOD_MODULE_SYMBOL; else why lists what is wrong. */
bool elf_exports_only_entry(const char *path, char *why, size_t whylen);

/* ---- reply.c --------------------------------------------------------- */

/* True when buf is exactly one msgpack map that is a valid reply of the
 * module named provider to a call that returned rc: provider, a known
 * status, terminal consistent with it, "error" with the rc's code and name
 * when rc != 0. Else why says what is wrong. */
bool reply_valid(const char *provider, fleetmod_rc rc, const char *buf,
                 size_t len, char *why, size_t whylen);

/* The string value of key in the reply map buf (len bytes) copied into
 * out; false when absent or not a string. buf must be reply_valid. */
bool reply_str(const char *buf, size_t len, const char *key, char *out,
               size_t outlen);

/* ---- cases.c --------------------------------------------------------- */

enum call { CALL_SEND, CALL_CONFIRM, CALL_STATUS };
extern const char *const call_names[3];

/* A request: bytes to send, what the case is about, and the TAP line it
 * counts towards (many cases may share one: "every truncation"). */
struct req {
    const char *desc;
    const char *group;
    msgpack_sbuffer buf;
};

/* Every malformed request for call, each of which must get EINVAL.
 * Returns the number of cases written into *out (malloc'd; free with
 * cases_free). vin is a syntactically valid VIN to build near-valid
 * requests around. */
size_t cases_malformed(enum call call, const char *vin, struct req **out);
/* seeded random byte strings (count of them), the same on every run. */
size_t cases_random(uint32_t seed, size_t count, struct req **out);
void cases_free(struct req *cases, size_t n);

/* A well-formed request map: pairs of (key, value) strings, n pairs. */
void req_pack(msgpack_sbuffer *buf, size_t n, const char *const *kv);

/* ---- the module under test ------------------------------------------- */

struct target {
    const char *path;
    const char *config;
    const char *vin, *command; /* optional real command, else NULL */
    void *dl;
    const struct fleetmod_module *m;
    struct fleetmod_instance *inst;
    struct fleetmod_host host;
};

/* The call function of the table for call. */
fleetmod_call_fn target_fn(const struct target *t, enum call call);

/* One call into a buffer: rc, and whether the reply is valid (why if not). */
fleetmod_rc call_capture(const struct target *t, enum call call,
                         const char *req, size_t len, msgpack_sbuffer *out);

/* ---- life.c ---------------------------------------------------------- */

/* Echo the module's log lines to stderr (--verbose). */
extern bool log_verbose;

/* Symbols, dlopen, table. False when later checks cannot run. */
bool check_load(struct target *t);
/* init with the config (leaves t->inst set), a missing config, no host,
 * two instances at once. False when there is no instance to test. */
bool check_init(struct target *t);
/* Log lines seen so far were single lines with syslog levels. */
void check_log(void);
/* shutdown(NULL), shutdown of the instance, dlclose. */
void check_shutdown(struct target *t);
/* dlopen, init, one call, shutdown, dlclose, many times. */
void check_reload(const struct target *t, int times);

/* ---- calls.c --------------------------------------------------------- */

void check_malformed(const struct target *t);
void check_write_failure(const struct target *t);
void check_unknown_id(const struct target *t);
void check_threads(const struct target *t, int threads, int rounds);
void check_fork(const struct target *t);
void check_probe(const struct target *t);

/* An id no module has issued, in UUID syntax. */
#define UNKNOWN_ID "00000000-0000-4000-8000-000000000000"

#endif /* CONFORMANCE_H */
