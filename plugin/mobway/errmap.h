/*
 * errmap.h - from what Mobway answered to a fleetmod return code.
 *
 * The seed's error texts come first (they are what Mobway documents), the
 * HTTP status second; the caller keeps the text verbatim in the reply's
 * error.message. Whether anything was delivered follows from the rc.
 */
#ifndef MW_ERRMAP_H
#define MW_ERRMAP_H

#include <fleetmod/module.h>
#include <stdbool.h>

#include "http.h" /* enum mw_route */

/* The rc of one of the seed's error texts, or FLEETMOD_OK when text is
 * NULL or not one of them. */
fleetmod_rc mw_errmap_text(const char *text);

/* The rc of an HTTP answer without a usable status: text (may be NULL)
 * first, then http_status on route. Never FLEETMOD_OK. */
fleetmod_rc mw_errmap_http(enum mw_route route, long http_status,
                           const char *text);

/* An English sentence for rc, for error.message when Mobway gave no text. */
const char *mw_errmap_sentence(fleetmod_rc rc);

/* What a call on route did not do when it stopped before its request
 * left: a send or confirm "no command was sent", a status "nothing was
 * looked up" (a lookup sends no command). The end of a message that
 * starts with the reason. */
const char *mw_errmap_not_sent(enum mw_route route);

/* What to do after a request on route that may have reached Mobway and
 * got no usable answer: a command may have run (check before resending),
 * a status is only asked again. The end of a message that starts with
 * what happened. */
const char *mw_errmap_unknown_next(enum mw_route route);

#endif
