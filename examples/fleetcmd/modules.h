/*
 * modules.h - fleetcmd modules: what can be loaded, and in which state.
 *
 * Without -m/-s: every *.so on the search path (FLEETMOD_MODULE_PATH, then
 * the module directory) with name, version and path; a file that is not a
 * valid module is listed with its error. With -m: that one module. With
 * -s: the stack's providers (section, name, version, state), which opens
 * them as a send would. --json prints one object per line.
 *
 * Returns the exit status: 0 when the listing was made (broken modules are
 * part of it), else the rc that prevented it (ECONFIG for -m naming a file
 * that is not a module).
 */
#ifndef FLEETCMD_MODULES_H
#define FLEETCMD_MODULES_H

#include "args.h"

int fc_cmd_modules(const struct fc_args *a);

#endif
