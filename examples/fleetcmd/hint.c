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

void fc_hint_confirm(const struct fc_args *a, const char *vin,
                     const char *command, const struct fleetmod_reply *r)
{
    fputs("  fleetcmd", stderr);
    print_option("-m", a->module);
    print_option("-c", a->config);
    print_option("-s", a->stack);
    fputs(" confirm", stderr);
    print_shell_word(vin);
    print_shell_word(command);
    print_shell_word(r->code ? r->code : "CODE");
    if (!a->module)
        print_option("--provider", r->provider);
    fputc('\n', stderr);
}
