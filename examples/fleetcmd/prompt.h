/*
 * prompt.h - asking a person before a command that needs confirmation.
 *
 * A person can answer when stdin and stderr are both terminals: the
 * question goes to stderr and the answer comes from stdin, so stdout may be
 * redirected (fleetcmd --json send ... > log) and the person is still
 * asked. Without a terminal fleetcmd never asks: it prints the code and
 * leaves the decision to --yes, --code or a later confirm.
 */
#ifndef FLEETCMD_PROMPT_H
#define FLEETCMD_PROMPT_H

#include <stdbool.h>

#include <fleetmod/host.h>

bool fc_prompt_interactive(void);

/* Show the provider's message for the reply r (status "confirmation") and
 * ask "y/N". True only for an answer of y or yes (any case); an empty
 * line, anything else, or end of input means no. */
bool fc_prompt_confirm(const struct fleetmod_reply *r);

#endif
