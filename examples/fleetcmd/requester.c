/*
 * requester.c - the login name of the real uid.
 */
#include "requester.h"

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

void fc_requester(char *buf, size_t len)
{
    uid_t uid = getuid();
    const struct passwd *pw = getpwuid(uid);

    if (pw && pw->pw_name && pw->pw_name[0])
        snprintf(buf, len, "%s", pw->pw_name);
    else
        snprintf(buf, len, "uid:%lu", (unsigned long)uid);
}
