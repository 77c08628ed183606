/*
 * rc.c - names and texts of the return codes (module.h, enum fleetmod_rc).
 */
#include "internal.h"

static const struct {
    const char *name;
    const char *text;
} rcs[FLEETMOD_RC_COUNT] = {
    [FLEETMOD_OK] = {"OK", "success"},
    [FLEETMOD_EINVAL] = {"EINVAL", "the request message is malformed"},
    [FLEETMOD_ECONFIG] = {"ECONFIG",
                          "the configuration is missing, unreadable, unsafe "
                          "or invalid"},
    [FLEETMOD_EAUTH] = {"EAUTH",
                        "the provider rejected the credentials or signature"},
    [FLEETMOD_EDENIED] = {"EDENIED", "the vehicle or command is unknown to "
                                     "this provider or not allowed"},
    [FLEETMOD_ECONFIRM] = {"ECONFIRM", "the confirmation code is invalid or "
                                       "already used; start over"},
    [FLEETMOD_EPROVIDER] = {"EPROVIDER",
                            "the provider failed to carry the command out"},
    [FLEETMOD_EUNREACHABLE] = {"EUNREACHABLE",
                               "the provider could not be reached; the "
                               "request was not delivered"},
    [FLEETMOD_EUNKNOWN] = {"EUNKNOWN",
                           "no usable answer came; the request may have been "
                           "delivered"},
    [FLEETMOD_ERATELIMIT] = {"ERATELIMIT",
                             "the provider asked us to slow down"},
    [FLEETMOD_ENOTFOUND] = {"ENOTFOUND", "no command with that id"},
    [FLEETMOD_ENOMEM] = {"ENOMEM", "out of memory"},
    [FLEETMOD_EINTERNAL] = {"EINTERNAL", "internal error"},
};

static int known(fleetmod_rc rc)
{
    /* The enum may carry any int a newer (or broken) module returned. */
    return (unsigned)rc < FLEETMOD_RC_COUNT;
}

FLEETMOD_API const char *fleetmod_strerror(fleetmod_rc rc)
{
    return known(rc) ? rcs[rc].text : "unknown error code";
}

FLEETMOD_API const char *fleetmod_rc_name(fleetmod_rc rc)
{
    return known(rc) ? rcs[rc].name : "EUNKNOWNRC";
}

fleetmod_rc fm_rc_known(fleetmod_rc rc)
{
    return known(rc) ? rc : FLEETMOD_EINTERNAL;
}
