/*
 * sign.h - the body of POST /vehicle-command and its X-Signature.
 *
 * Mobway recomputes the signature from the vin and command it received as
 * Python's json.dumps({"vin": vin, "command": command},
 * separators=(",", ":"), sort_keys=True) and HMAC-SHA256 keyed with the
 * sign-secret. We write that canonical string ourselves: Python escapes
 * every character outside 0x20..0x7E as \uXXXX in lowercase hex (non-BMP
 * as a surrogate pair) and " \ \b \f \n \r \t with short escapes; jansson's
 * JSON_ENSURE_ASCII writes uppercase hex, which would change the signature.
 */
#ifndef MW_SIGN_H
#define MW_SIGN_H

#include <stddef.h>

/* Lowercase hex of a SHA-256 HMAC, plus NUL. */
#define MW_SIGNATURE_SIZE 65

/* The canonical JSON {"code":..,"command":..,"vin":..} (code left out
 * when NULL) as a new NUL-terminated string, escaped as Python does.
 * Returns NULL when a string is not valid UTF-8 or memory ran out. */
char *mw_sign_body(const char *code, const char *command, const char *vin);

/*
 * An instance's sign-secret, kept keyed. OpenSSL 3's one-shot HMAC()
 * fetches the algorithm from its provider and keys a fresh context on
 * every call (~20,000 instructions, more than the rest of a send); a
 * signer fetches and keys once (at its first signature) and each
 * signature reuses an idle keyed context (~6,000). Any number of threads
 * may sign with one signer at once.
 *
 * key is the caller's buffer and must outlive the signer (the instance's
 * config, wiped at shutdown). Freeing a signer frees its contexts, and
 * OpenSSL wipes the key material in them. NULL when memory ran out.
 */
struct mw_signer;
struct mw_signer *mw_signer_new(const char *key, size_t key_len);
void mw_signer_free(struct mw_signer *s);

/* HMAC-SHA256 of msg as lowercase hex into out. Returns 0, or -1 on an
 * OpenSSL failure. */
int mw_signer_hmac(struct mw_signer *s, const char *msg, size_t msg_len,
                   char out[MW_SIGNATURE_SIZE]);

#endif
