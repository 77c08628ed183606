/*
 * fuzz_config.c - the module's ini file (mw_config_load, inih underneath)
 * on any text. The input is written to a private memfd and read back
 * through /proc/self/fd, as a config file would be.
 *
 * Checks, besides the sanitizers: only OK, ECONFIG or ENOMEM; every
 * ECONFIG says why in the log; an accepted config holds what init relies
 * on (a base_url without a trailing slash, a sign secret, credentials or
 * a fixed token, sane poll bounds).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static int logged;

static void count_log(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    assert(msg[0] != '\0');
    logged++;
}

static void check_ok(const struct mw_config *c)
{
    size_t n = strlen(c->base_url);

    assert(n > 0 && c->base_url[n - 1] != '/');
    assert(c->sign_secret.data && c->sign_secret.len > 0);
    assert(c->token.data || (c->client_id.data && c->client_secret.data));
    assert(c->poll_initial_ms >= 1 && c->poll_initial_ms <= c->poll_max_ms);
    assert(c->max_connections >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct mw_log log = {count_log, NULL};
    struct mw_config cfg;
    char path[64];
    int fd = memfd_create("fuzz-config", MFD_CLOEXEC);
    fleetmod_rc rc;

    assert(fd >= 0);
    /* private, so that an inline secret is not refused for the mode */
    assert(fchmod(fd, 0600) == 0);
    assert(write(fd, data, size) == (ssize_t)size);
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    logged = 0;
    rc = mw_config_load(&cfg, path, &log);
    close(fd);
    assert(rc == FLEETMOD_OK || rc == FLEETMOD_ECONFIG ||
           rc == FLEETMOD_ENOMEM);
    if (rc == FLEETMOD_ECONFIG)
        assert(logged > 0);
    if (rc == FLEETMOD_OK) {
        check_ok(&cfg);
        mw_config_free(&cfg);
    }
    return 0;
}
