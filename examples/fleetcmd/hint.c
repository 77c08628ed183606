/*
 * hint.c - command lines to run next.
 */
#include "hint.h"

#include <stdio.h>
#include <string.h>

/* Words a POSIX shell reads back unchanged are printed bare. */
static void print_shell_word(const char *w)
{
    if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789_-./:=@%+,") == strlen(w)) {
        fprintf(stderr, " %s", w);
        return;
    }
    fputs(" '", stderr);
    for (; *w; w++) {
        if (*w == '\'')
            fputs("'\\''", stderr);
        else
            fputc(*w, stderr);
    }
    fputc('\'', stderr);
}

static void print_option(const char *opt, const char *value)
{
    if (!value)
        return;
    fprintf(stderr, " %s", opt);
    print_shell_word(value);
}

/* "  fleetcmd" and the options that chose the provider, and the policy:
 * a pasted line that left it out would skip the journal and the guards. */
static void print_target(const struct fc_args *a)
{
    fputs("  fleetcmd", stderr);
    print_option("-m", a->module);
    print_option("-c", a->config);
    print_option("-s", a->stack);
    print_option("--policy", a->policy);
}

/* A stack routes a confirm or a status by the provider that answered;
 * one module needs no --provider. */
static void print_provider(const struct fc_args *a, const char *provider)
{
    if (!a->module)
        print_option("--provider", provider);
    fputc('\n', stderr);
}

void fc_hint_confirm(const struct fc_args *a, const char *vin,
                     const char *command, const struct fleetmod_reply *r)
{
    print_target(a);
    fputs(" confirm", stderr);
    print_shell_word(vin);
    print_shell_word(command);
    print_shell_word(r->code ? r->code : "CODE");
    /* A policy that requires a reason asks it of the confirm too. */
    print_option("--reason", a->reason);
    print_provider(a, r->provider);
}

void fc_hint_status(const struct fc_args *a, const char *id,
                    const char *provider)
{
    print_target(a);
    fputs(" status", stderr);
    print_shell_word(id);
    print_provider(a, provider);
}

void fc_hint_status_file(const struct fc_args *a)
{
    print_target(a);
    fputs(" status --ids-file FILE", stderr);
    print_provider(a, a->provider);
}
