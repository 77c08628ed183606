/*
 * exit.c - a reply's exit status (see exit.h).
 */
#include "exit.h"

#include <string.h>

static bool is(const struct fleetmod_reply *r, const char *status)
{
    return r->status && strcmp(r->status, status) == 0;
}

int fc_exit_of(fleetmod_rc rc, const struct fleetmod_reply *r, bool waited)
{
    if (rc != FLEETMOD_OK)
        return (int)rc;
    if (is(r, "error"))
        return FC_EXIT_ERROR;
    if (is(r, "confirmation"))
        return FC_EXIT_UNCONFIRMED;
    if (waited && !r->terminal)
        return FC_EXIT_PENDING;
    return 0;
}
