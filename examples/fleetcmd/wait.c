/*
 * wait.c - status calls until the command is terminal, with progress.
 */
#include "wait.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

uint64_t fc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void fc_sleep_until(uint64_t deadline_ms)
{
    uint64_t now = fc_now_ms();
    struct timespec ts;

    if (now >= deadline_ms)
        return;
    ts.tv_sec = (time_t)((deadline_ms - now) / 1000);
    ts.tv_nsec = (long)((deadline_ms - now) % 1000) * 1000000;
    nanosleep(&ts, NULL);
}

static fleetmod_rc look(struct fc_session *s, const char *id,
                        const char *provider, uint64_t wait_ms,
                        struct fc_exchange *x)
{
    struct fleetmod_request req = {
        .id = id, .provider = provider, .wait_ms = wait_ms};

    return fc_exchange_run(s, FC_CALL_STATUS, &req, x);
}

static void show_progress(const char *id, const struct fc_exchange *x,
                          uint64_t elapsed_ms)
{
    fprintf(stderr, "\rwaiting for %.8s... %s %.1f s\033[K", id,
            x->reply.status, (double)elapsed_ms / 1000.0);
}

static bool done(const struct fc_exchange *x, uint64_t elapsed_ms,
                 uint64_t wait_ms)
{
    return x->rc != FLEETMOD_OK || x->reply.terminal || elapsed_ms >= wait_ms;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static fleetmod_rc wait_in_slices(struct fc_session *s, const char *id,
                                  const char *provider, uint64_t wait_ms,
                                  struct fc_exchange *x)
{
    uint64_t start = fc_now_ms();
    bool shown = false;

    for (;;) {
        uint64_t t0 = fc_now_ms(), used = t0 - start;
        uint64_t slice =
            min_u64(used < wait_ms ? wait_ms - used : 0, FC_WAIT_SLICE_MS);

        look(s, id, provider, slice, x);
        if (done(x, fc_now_ms() - start, wait_ms))
            break;
        show_progress(id, x, fc_now_ms() - start);
        shown = true;
        fc_exchange_free(x);
        fc_sleep_until(t0 + slice);
    }
    if (shown)
        fputs("\r\033[K", stderr);
    return x->rc;
}

fleetmod_rc fc_wait(struct fc_session *s, const char *id, const char *provider,
                    uint64_t wait_ms, struct fc_exchange *x)
{
    if (!isatty(STDERR_FILENO))
        return look(s, id, provider, wait_ms, x);
    return wait_in_slices(s, id, provider, wait_ms, x);
}
