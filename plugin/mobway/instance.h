/*
 * instance.h - struct fleetmod_instance of mobway.so: one config, one
 * account, its HTTP pool and its token. Shares nothing with other
 * instances.
 */
#ifndef MW_INSTANCE_H
#define MW_INSTANCE_H

#include <fleetmod/module.h>
#include <fleetmod/modutil.h>
#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "sign.h"
#include "token.h"

struct fleetmod_instance {
    struct fleetmod_fork_guard fork; /* a forked child may not use it */
    struct mw_log log;
    struct mw_config cfg;
    struct mw_http *http; /* made by the first call, see ready_mu */
    pthread_mutex_t ready_mu;
    atomic_bool ready; /* http is made (and libcurl initialised) */
    struct mw_token token;
    struct mw_signer *signer; /* the sign-secret, kept keyed */
};

#endif
