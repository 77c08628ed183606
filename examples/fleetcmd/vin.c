/*
 * vin.c - VINs typed in lower case.
 */
#include "vin.h"

char *fc_vin_upcase(char *vin)
{
    /* By hand, not toupper(): the locale must not change a VIN. */
    for (char *p = vin; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return vin;
}
