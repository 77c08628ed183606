/* Bearer tokens: HS256 JWTs shaped like the one the docs show, payload
 * {"company": NAME, "expiration": "YYYY-MM-DDTHH:MM:SS.ffffff"} (UTC-3),
 * signed with a key drawn at start-up. Stateless: nothing to store or
 * expire, and tokens die with the process. */
#ifndef SIM_TOKEN_H
#define SIM_TOKEN_H

#include "fixtures.h"

enum token_check { TOKEN_OK, TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED };

/* Draws the signing key; -1 if the random generator fails. */
int token_init(void);

/* A new token for company valid for ttl_s seconds (malloc'd; NULL when out
 * of memory). */
char *token_issue(const char *company, long ttl_s);

/* Checks an Authorization header value ("Bearer <jwt>", may be NULL) and
 * stores the token's company index on TOKEN_OK. */
enum token_check token_verify(const char *authorization,
                              const struct sim_fixtures *fx, int *company);

/* The 401 detail text for a failed check. */
const char *token_check_text(enum token_check check);

#endif
