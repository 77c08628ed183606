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

/* HMAC-SHA256 of msg keyed with key, as lowercase hex into out.
 * Returns 0, or -1 on an OpenSSL failure. */
int mw_sign_hmac(const char *key, size_t key_len, const char *msg,
                 size_t msg_len, char out[MW_SIGNATURE_SIZE]);

#endif
