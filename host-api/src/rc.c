/*
 * rc.c - names and texts of the return codes (module.h, enum fleetmod_rc).
 */
#include "internal.h"

/* The names come from module.h (fleetmod_error_name): one table for
 * modules and hosts. */
static const char *const texts[FLEETMOD_RC_COUNT] = {
    [FLEETMOD_OK] = "success",
    [FLEETMOD_EINVAL] = "the request message is malformed",
    [FLEETMOD_ECONFIG] = "the configuration is missing, unreadable, unsafe "
                         "or invalid",
    [FLEETMOD_EAUTH] = "the provider rejected the credentials or signature",
    [FLEETMOD_EDENIED] = "the vehicle or command is unknown to "
                         "this provider or not allowed",
    [FLEETMOD_ECONFIRM] = "the confirmation code is invalid or "
                          "already used; start over",
    [FLEETMOD_EPROVIDER] = "the provider failed to carry the command out",
    [FLEETMOD_EUNREACHABLE] = "the provider could not be reached; the "
                              "request was not delivered",
    [FLEETMOD_EUNKNOWN] = "no usable answer came; the request may have been "
                          "delivered",
    [FLEETMOD_ERATELIMIT] = "the provider asked us to slow down",
    [FLEETMOD_ENOTFOUND] = "no command with that id",
    [FLEETMOD_ENOMEM] = "out of memory",
    [FLEETMOD_EINTERNAL] = "internal error",
    [FLEETMOD_EREFUSED] = "refused by the host's policy; nothing was sent",
};

static int known(fleetmod_rc rc)
{
    /* The enum may carry any int a newer (or broken) module returned. */
    return (unsigned)rc < FLEETMOD_RC_COUNT;
}

FLEETMOD_API const char *fleetmod_strerror(fleetmod_rc rc)
{
    return known(rc) ? texts[rc] : "unknown error code";
}

FLEETMOD_API const char *fleetmod_rc_name(fleetmod_rc rc)
{
    /* module.h's answer, for every value: a stack's reply and a module's
     * name one rc alike. */
    return fleetmod_error_name(rc);
}

fleetmod_rc fm_rc_known(fleetmod_rc rc)
{
    return known(rc) ? rc : FLEETMOD_EINTERNAL;
}
