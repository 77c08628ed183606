/* The X-Signature rule of POST /vehicle-command, implemented from the API
 * page alone: HMAC-SHA256 (key: the sign-secret's bytes) over
 *   json.dumps({"vin": vin, "command": command},
 *              separators=(",", ":"), sort_keys=True)
 * as Python writes it, hex-encoded in lowercase. */
#ifndef SIM_CANON_H
#define SIM_CANON_H

#include <stddef.h>

#define CANON_SIG_HEX_LEN 65

/* Returns the canonical body {"command":"...","vin":"..."} (malloc'd, or
 * NULL when out of memory). vin and command are UTF-8 (as jansson hands
 * them over, NULs allowed) and are escaped the way Python's ensure_ascii
 * does: \" \\ \n \r \t \b \f, every other byte outside 0x20..0x7E as
 * \u00xx, non-ASCII characters as \uxxxx (lowercase hex), characters past
 * U+FFFF as a surrogate pair. */
char *canon_body(const char *vin, size_t vin_len, const char *command,
                 size_t command_len);

/* Writes the lowercase hex HMAC-SHA256 of body keyed with secret. */
void canon_sign(const char *secret, const char *body,
                char hex[CANON_SIG_HEX_LEN]);

#endif
