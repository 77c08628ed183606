/*
 * requester.h - who asks for a guarded command: the login name of the
 * real user id, from the password database. Never from the environment
 * (USER, LOGNAME) or a flag: the journal records who ran fleetcmd, not who
 * they said they were, and the policy's requesters = globs match it.
 */
#ifndef FLEETCMD_REQUESTER_H
#define FLEETCMD_REQUESTER_H

#include <stddef.h>

/* The login name of getuid() into buf; "uid:N" when the password database
 * has no entry for it (a container's unnamed user), which no name glob
 * such as ops-* matches. */
void fc_requester(char *buf, size_t len);

#endif
