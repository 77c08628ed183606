/*
 * minimal-host - the smallest correct fleetmod host: send one command to one
 * vehicle through any provider module and print the reply as JSON.
 *
 *   minimal-host MODULE CONFIG VIN COMMAND
 *
 * MODULE is a name (searched in FLEETMOD_MODULE_PATH, then the module
 * directory) or a path; CONFIG the module's ini file. Exit status 0 when
 * the module accepted the command (the JSON's "status" says where it
 * stands), 1 when it did not (the JSON's "error" says why), 2 when no
 * module could be loaded.
 *
 * Build: cc minimal-host.c $(pkg-config --cflags --libs fleetmod)
 */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include <fleetmod/host.h>

/* The module's log lines: warnings and worse go to stderr. */
static void log_line(void *user, int level, const char *msg)
{
    (void)user;
    if (level <= LOG_WARNING)
        fprintf(stderr, "minimal-host: %s\n", msg);
}

int main(int argc, char **argv)
{
    struct fleetmod_host host = {sizeof host, NULL, log_line};
    struct fleetmod_request req = {0};
    struct fleetmod_buf msg = {0}, reply = {0};
    struct fleetmod_handle *h;
    char err[FLEETMOD_ERR_MAX];

    if (argc != 5) {
        fprintf(stderr, "usage: minimal-host MODULE CONFIG VIN COMMAND\n");
        return 2;
    }
    if (fleetmod_open(argv[1], argv[2], &host, &h, err, sizeof err)) {
        fprintf(stderr, "minimal-host: %s\n", err);
        return 2;
    }

    req.vin = argv[3];
    req.command = argv[4];
    fleetmod_rc rc = fleetmod_request_pack(&req, &msg);
    if (rc == FLEETMOD_OK)
        rc = fleetmod_send(h, msg.data, msg.len, fleetmod_buf_write, &reply);

    /* Every call writes one reply map, also when it fails: print it whole,
     * and read its error in C for the person at the terminal. */
    char *json = fleetmod_msg_to_json(reply.data, reply.len);
    struct fleetmod_reply r;
    if (json)
        puts(json);
    if (fleetmod_reply_decode(reply.data, reply.len, &r) == FLEETMOD_OK &&
        r.has_error)
        fprintf(stderr, "minimal-host: %s: %s\n", r.error.name,
                r.error.message);
    else if (rc != FLEETMOD_OK)
        fprintf(stderr, "minimal-host: %s\n", fleetmod_strerror(rc));

    fleetmod_reply_free(&r);
    free(json);
    fleetmod_buf_free(&msg);
    fleetmod_buf_free(&reply);
    fleetmod_close(h);
    return rc == FLEETMOD_OK ? 0 : 1;
}
