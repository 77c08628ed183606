/* log.c - one formatted line to the host's log callback, the way every
 * module logs (fleetmod/modutil.h: cut at 1 KiB, control bytes '?'). */
#include "log.h"

#include <fleetmod/modutil.h>
#include <stdarg.h>

void mw_log(const struct mw_log *log, int level, const char *fmt, ...)
{
    struct fleetmod_log to = {log ? log->fn : NULL, log ? log->user : NULL};
    va_list ap;

    va_start(ap, fmt);
    fleetmod_logv(&to, level, fmt, ap);
    va_end(ap);
}
