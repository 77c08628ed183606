/*
 * prompt.c - the y/N question on the terminal.
 */
#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

bool fc_prompt_interactive(void)
{
    return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

static bool is_yes(char *line)
{
    line[strcspn(line, "\r\n")] = '\0';
    return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

bool fc_prompt_confirm(const struct fleetmod_reply *r)
{
    char *line = NULL;
    size_t cap = 0;
    bool yes;

    fprintf(stderr, "%s asks to confirm %s on %s:\n  %s\nConfirm? [y/N] ",
            r->provider, r->command ? r->command : "the command",
            r->vin ? r->vin : "the vehicle",
            r->message ? r->message : "(no message)");
    fflush(stderr);
    yes = getline(&line, &cap, stdin) > 0 && is_yes(line);
    free(line);
    return yes;
}
