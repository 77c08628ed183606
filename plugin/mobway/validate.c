/* validate.c - VIN, command name and command id shapes. */
#include "validate.h"

#include <stddef.h>

/* Every call checks its VIN and command: plain comparisons, as glibc's
 * strspn builds a table of its set on each call. */
static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ISO 3779: digits and capitals without I, O, Q. */
static bool vin_char(char c)
{
    return is_digit(c) ||
           (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'Q');
}

static bool command_char(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
}

static bool id_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
           c == '-';
}

static bool printable(char c)
{
    return c >= 0x20 && c <= 0x7e;
}

/* Whether s is 1 to max characters of ok, then its end. Stops at the
 * first character beyond max, so a long s is not read to its end. */
static bool all_of(const char *s, size_t min, size_t max, bool (*ok)(char))
{
    size_t n = 0;

    if (!s)
        return false;
    while (n <= max && ok(s[n]))
        n++;
    return n >= min && n <= max && s[n] == '\0';
}

bool mw_vin_valid(enum mw_vin_check check, const char *vin)
{
    if (check == MW_VIN_ISO3779)
        return all_of(vin, 17, 17, vin_char);
    return all_of(vin, 1, 64, printable);
}

bool mw_command_valid(const char *command)
{
    return all_of(command, 1, 64, command_char);
}

bool mw_id_valid(const char *id)
{
    return all_of(id, 1, MW_ID_MAX, id_char);
}
