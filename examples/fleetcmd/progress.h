/*
 * progress.h - a line on a terminal while one long library call runs
 * (journal stats over a large journal, reconcile asking a provider about
 * many commands): "reconcile: 40 open commands... 3.2 s", rewritten in
 * place and erased at the end. Nothing at all when stderr is not a
 * terminal, and nothing for a call shorter than FC_PROGRESS_AFTER_MS.
 */
#ifndef FLEETCMD_PROGRESS_H
#define FLEETCMD_PROGRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define FC_PROGRESS_AFTER_MS 500

struct fc_progress {
    char what[96];
    bool running; /* the ticker thread was started */
    bool stop;    /* under mu */
    bool shown;   /* under mu: a line is on the terminal */
    uint64_t start_ms;
    pthread_mutex_t mu;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC */
    pthread_t thread;
};

/* Start the line saying what (copied) when stderr is a terminal; else, or
 * when no thread can be started, do nothing (the call runs all the same). */
void fc_progress_start(struct fc_progress *p, const char *what);

/* Stop and erase the line; nothing after a start that showed nothing. */
void fc_progress_stop(struct fc_progress *p);

#endif
