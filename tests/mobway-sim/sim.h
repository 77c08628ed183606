/* The simulator's shared state and the request context every route sees. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include "fixtures.h"
#include "stats.h"
#include "store.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

struct delay;

/* The command line (see --help). */
struct sim_config {
    const char *host;
    unsigned port;
    const char *port_file;
    const char *fixtures;
    const char *cert;
    const char *key;
    long complete_ms;
    long token_ttl_s;
    long code_ttl_s;
    bool quiet;
};

struct sim {
    struct sim_config cfg;
    struct sim_fixtures fx;
    struct store *store;
    struct delay *delay;
    struct MHD_Daemon *daemon;
    char *oversize; /* the body of the oversize fault, built once */
    size_t oversize_len;
};

struct request;
typedef enum MHD_Result (*route_fn)(struct sim *s, struct MHD_Connection *c,
                                    struct request *rq);

struct route {
    const char *method;
    const char *path;
    bool prefix; /* path is a prefix; the rest is rq->arg */
    enum sim_route stat;
    route_fn handle;
};

/* Largest request body accepted (413 beyond). */
#define REQUEST_BODY_MAX 65536

struct request {
    const struct route *route; /* NULL: no such path or method */
    unsigned miss_status;      /* 404 or 405 when route is NULL */
    char arg[64];              /* the {id} of a prefix route */
    char *body;
    size_t len;
    size_t cap;
    bool too_big;
    bool delayed;  /* the latency fault has been served */
    json_t *held;  /* the hold fault: the 200 answer, sent once resumed */
    char line[96]; /* "METHOD /path" for the log line (cut if longer) */
};

enum MHD_Result route_token(struct sim *s, struct MHD_Connection *c,
                            struct request *rq);
enum MHD_Result route_command_post(struct sim *s, struct MHD_Connection *c,
                                   struct request *rq);
enum MHD_Result route_command_get(struct sim *s, struct MHD_Connection *c,
                                  struct request *rq);
enum MHD_Result route_sim_stats(struct sim *s, struct MHD_Connection *c,
                                struct request *rq);
enum MHD_Result route_sim_faults(struct sim *s, struct MHD_Connection *c,
                                 struct request *rq);
enum MHD_Result route_sim_reset(struct sim *s, struct MHD_Connection *c,
                                struct request *rq);

/* Starts listening as s->cfg says (cert_pem/key_pem: NULL for plain
 * HTTP); -1 with a sentence in err on failure. */
int server_start(struct sim *s, const char *cert_pem, const char *key_pem,
                 char *err, size_t err_len);

/* The port actually bound (useful with --port 0). */
unsigned server_port(const struct sim *s);

/* Stops accepting, resumes delayed requests and joins every thread. */
void server_stop(struct sim *s);

#endif
