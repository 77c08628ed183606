/* log.c - one formatted line to the host's log callback. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

void mw_log(const struct mw_log *log, int level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!log || !log->fn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* one line whatever a request carried: control bytes become '?' */
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    log->fn(log->user, level, line);
}
