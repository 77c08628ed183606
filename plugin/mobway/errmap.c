/* errmap.c - Mobway's error texts and HTTP statuses to fleetmod_rc. */
#include "errmap.h"

#include <string.h>

/* The seed's texts (POST /vehicle-command), byte for byte. The two
 * "Invalid ..." texts are matched by their first sentence, as the design
 * names them ("Invalid VIN..."). */
static const struct {
    const char *text;
    bool prefix;
    fleetmod_rc rc;
} texts[] = {
    {"Invalid VIN.", true, FLEETMOD_EINVAL},
    {"Invalid command.", true, FLEETMOD_EINVAL},
    {"VIN not found or unauthorized access.", false, FLEETMOD_EDENIED},
    {"Command not found or unauthorized access.", false, FLEETMOD_EDENIED},
    {"Sign-secret not found.", false, FLEETMOD_EAUTH},
    {"X-Signature invalid.", false, FLEETMOD_EAUTH},
    {"Failed to send command to the OEM.", false, FLEETMOD_EPROVIDER},
    {"Failed to initiate command with the OEM or retrieve status URL.", false,
     FLEETMOD_EPROVIDER},
    {"Confirmation invalid", false, FLEETMOD_ECONFIRM},
    {"Confirmation already used", false, FLEETMOD_ECONFIRM},
};

fleetmod_rc mw_errmap_text(const char *text)
{
    if (!text)
        return FLEETMOD_OK;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t n = strlen(texts[i].text);
        if (strncmp(text, texts[i].text, n) == 0 &&
            (texts[i].prefix || text[n] == '\0'))
            return texts[i].rc;
    }
    return FLEETMOD_OK;
}

/* The token route: a command was never sent, whatever went wrong. A 4xx
 * is Mobway refusing our login (the credentials, or the form they came
 * in): retrying the same request will not help, so it is not "safe to
 * retry" EUNREACHABLE. */
static fleetmod_rc token_status(long status)
{
    if (status == 429)
        return FLEETMOD_ERATELIMIT;
    if (status >= 400 && status < 500)
        return FLEETMOD_EAUTH;
    return FLEETMOD_EUNREACHABLE;
}

/* A 4xx other than 401/403/429 on a command or status route: the request
 * was refused, so nothing ran. */
static fleetmod_rc client_error(enum mw_route route, long status)
{
    if (status == 404)
        return route == MW_ROUTE_STATUS ? FLEETMOD_ENOTFOUND : FLEETMOD_EDENIED;
    if (status == 400 || status == 422)
        return FLEETMOD_EINVAL;
    return FLEETMOD_EUNKNOWN;
}

fleetmod_rc mw_errmap_http(enum mw_route route, long status, const char *text)
{
    fleetmod_rc rc = mw_errmap_text(text);

    if (route == MW_ROUTE_STATUS && status == 404)
        return FLEETMOD_ENOTFOUND; /* whatever its text */
    if (rc != FLEETMOD_OK)
        return rc;
    if (route == MW_ROUTE_TOKEN)
        return token_status(status);
    if (status == 401 || status == 403)
        return FLEETMOD_EAUTH;
    if (status == 429)
        return FLEETMOD_ERATELIMIT;
    if (status >= 400 && status < 500)
        return client_error(route, status);
    /* 2xx without a usable body, 3xx (not followed: it may have run), 5xx */
    return FLEETMOD_EUNKNOWN;
}

static const char *const sentences[FLEETMOD_RC_COUNT] = {
    "success",
    "the request is malformed",
    "the module's configuration is invalid",
    "Mobway rejected our credentials or signature",
    "the VIN or command is unknown or not allowed for this account",
    "the confirmation code is invalid or already used: start over",
    "Mobway or the OEM failed to carry the command out",
    "Mobway could not be reached; nothing was sent",
    ("the request may have reached Mobway but no usable answer came; "
     "check its status before resending"),
    "Mobway asked us to slow down",
    "no command with that id",
    "out of memory",
    "internal error",
    "the host's own policy refused the request; nothing reached Mobway",
};

const char *mw_errmap_sentence(fleetmod_rc rc)
{
    /* an rc module.h added after this table has no sentence yet */
    return (unsigned)rc < FLEETMOD_RC_COUNT && sentences[rc] ? sentences[rc]
                                                             : "internal error";
}

const char *mw_errmap_not_sent(enum mw_route route)
{
    return route == MW_ROUTE_STATUS ? "nothing was looked up"
                                    : "no command was sent";
}

const char *mw_errmap_unknown_next(enum mw_route route)
{
    return route == MW_ROUTE_STATUS
               ? "ask for the command's status again"
               : "the command may have run: check its status before "
                 "resending";
}
