/*
 * guarded_host.c - the smallest host of a guard: one location through
 * mobway.so, journaled where the policy says. Built by
 * tests/pg/installed.sh against the installed packages.
 *
 *   guarded_host MOBWAY_CONF POLICY VIN     prints the rc's text, exits rc
 */
#include <stdio.h>

#include <fleetmod/host.h>

int main(int argc, char **argv)
{
    char err[FLEETMOD_ERR_MAX];
    struct fleetmod_stack *s;
    struct fleetmod_guard *g;
    if (argc != 4)
        return 64;
    if (fleetmod_stack_open_module("mobway", argv[1], NULL, &s, err,
                                   sizeof err))
        return fprintf(stderr, "stack: %s\n", err), 2;
    if (fleetmod_guard_open(argv[2], s, NULL, &g, err, sizeof err)) {
        fleetmod_stack_close(s);
        return fprintf(stderr, "guard: %s\n", err), 2;
    }
    struct fleetmod_request rq = {.vin = argv[3], .command = "location"};
    struct fleetmod_buf req = {0}, reply = {0};
    fleetmod_request_pack(&rq, &req);
    fleetmod_rc rc =
        fleetmod_guard_send(g, req.data, req.len, fleetmod_buf_write, &reply);
    puts(fleetmod_strerror(rc));
    fleetmod_buf_free(&req);
    fleetmod_buf_free(&reply);
    fleetmod_guard_close(g);
    fleetmod_stack_close(s);
    return (int)rc;
}
