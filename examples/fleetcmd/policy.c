/*
 * policy.c - the policy file of a run.
 */
#include "policy.h"

#include <stdio.h>
#include <unistd.h>

#include <fleetmod/host.h>

const char *fc_policy_path(const struct fc_args *a)
{
    const char *path = fleetmod_default_policy_path();

    if (a->policy)
        return a->policy;
    /* A default file that is there but unreadable is the guard's to report
     * (by name): only a missing one means "no policy". */
    return access(path, F_OK) == 0 ? path : NULL;
}

const char *fc_policy_needed(const struct fc_args *a, const char *what)
{
    const char *path = fc_policy_path(a);

    if (!path)
        fprintf(stderr,
                "fleetcmd: %s needs a policy file naming the journal: give "
                "--policy FILE (there is none at %s)\n",
                what, fleetmod_default_policy_path());
    return path;
}
