/*
 * err.c - the error lines libfleetmod writes into a caller's buffer.
 */
#include <stdio.h>

#include "internal.h"

void fm_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* Texts from modules and dlerror end up here: keep the promise of one
     * printable line. */
    for (char *p = err; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
}
