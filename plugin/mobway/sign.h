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
 * A sign-secret kept keyed for the life of an instance. OpenSSL 3's
 * one-shot HMAC() fetches the algorithm from its provider and keys a
 * fresh context on every call (~20,000 instructions, more than the rest
 * of a send); a kept key is fetched and keyed once, and each signature
 * reuses an idle keyed context (~6,000). Any number of threads may sign
 * with one kept key at once.
 *
 * A key is kept by the address of the caller's buffer, which must outlive
 * it: mw_sign_hmac then finds it without the caller holding anything
 * more than the key. Keeping is cheap: the first signature fetches and
 * keys. Forgetting frees its contexts, and OpenSSL wipes the key material
 * in them. Returns 0, or -1 when memory ran out.
 */
int mw_sign_keep(const char *key, size_t key_len);

/* Forgets a key kept by mw_sign_keep (no signature with it may be under
 * way). A NULL or unknown key is ignored. */
void mw_sign_forget(const char *key);

/* HMAC-SHA256 of msg keyed with key, as lowercase hex into out: through
 * its keyed contexts when key is kept, else one-shot. Returns 0, or -1 on
 * an OpenSSL failure. */
int mw_sign_hmac(const char *key, size_t key_len, const char *msg,
                 size_t msg_len, char out[MW_SIGNATURE_SIZE]);

#endif
