/*
 * notify.c - readiness and stopping for systemd's Type=notify
 * (sd_notify(3)); a no-op when not started by systemd.
 */
#include <systemd/sd-daemon.h>

#include "fmd.h"

void fmd_notify(const char *state)
{
    sd_notify(0, state);
}
