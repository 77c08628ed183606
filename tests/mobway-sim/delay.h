/* The latency and hold faults without blocking a worker thread: the
 * connection is suspended and a timer thread resumes it when its time has
 * come, so other connections served by the same worker go on meanwhile. */
#ifndef SIM_DELAY_H
#define SIM_DELAY_H

#include <microhttpd.h>

struct delay;

/* Starts the timer thread; NULL on failure. */
struct delay *delay_start(void);

/* Suspends c (from its access handler) and resumes it after ms. -1 (c not
 * suspended) when out of memory or stopping: serve it now. */
int delay_add(struct delay *d, struct MHD_Connection *c, long ms);

/* Resumes every connection still waiting and joins the thread; later
 * delay_add calls refuse. Called before MHD_stop_daemon, which wants no
 * connection suspended. */
void delay_stop(struct delay *d);

/* Frees d, once the daemon that used it has stopped. */
void delay_free(struct delay *d);

#endif
