/*
 * metrics.c - the counters of GET /metrics: calls by provider, command
 * and outcome with their latency, HTTP answers by status, and, per
 * provider, whether its last call met an open breaker. Process-wide and
 * small: a fixed table under one mutex.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fmd.h"

#define SERIES_MAX 512

struct series {
    char provider[FMD_LABEL_MAX], command[FMD_LABEL_MAX], outcome[16];
    uint64_t n;
    int64_t ms_sum;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct series calls[SERIES_MAX];
static size_t n_calls;
static uint64_t http[6]; /* by status class: 1xx .. 5xx, 0: unanswered */

void fmd_metrics_label(char *dst, const char *src)
{
    size_t i = 0;
    for (; i < FMD_LABEL_MAX - 1 && src[i]; i++)
        dst[i] =
            (src[i] == '"' || src[i] == '\\' || src[i] == '\n') ? '_' : src[i];
    dst[i] = '\0';
}

void fmd_metrics_call(const char *provider, const char *command,
                      const char *outcome, int64_t ms)
{
    char p[FMD_LABEL_MAX], c[FMD_LABEL_MAX], o[16];
    fmd_metrics_label(p, provider);
    fmd_metrics_label(c, command);
    snprintf(o, sizeof o, "%s", outcome);
    pthread_mutex_lock(&mu);
    size_t i = 0;
    while (i < n_calls &&
           (strcmp(calls[i].provider, p) || strcmp(calls[i].command, c) ||
            strcmp(calls[i].outcome, o)))
        i++;
    if (i == n_calls && n_calls < SERIES_MAX) {
        struct series *s = &calls[n_calls++];
        memcpy(s->provider, p, sizeof p);
        memcpy(s->command, c, sizeof c);
        memcpy(s->outcome, o, sizeof o);
    }
    if (i < n_calls) {
        calls[i].n++;
        calls[i].ms_sum += ms;
    }
    pthread_mutex_unlock(&mu);
}

void fmd_metrics_http(int status)
{
    pthread_mutex_lock(&mu);
    http[status >= 100 && status < 600 ? status / 100 : 0]++;
    pthread_mutex_unlock(&mu);
}

int fmd_metrics_put(struct fleetmod_buf *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    return fleetmod_buf_write(out, line, (size_t)n);
}

int fmd_metrics_render(struct fleetmod_buf *out)
{
    int bad = 0;
    pthread_mutex_lock(&mu);
    bad |= fmd_metrics_put(out,
                           "# TYPE fleetmodd_calls counter\n"
                           "# HELP fleetmodd_calls Calls through the guard by "
                           "provider, command and outcome.\n");
    for (size_t i = 0; i < n_calls && !bad; i++)
        bad |= fmd_metrics_put(
            out,
            "fleetmodd_calls_total{provider=\"%s\",command=\"%s\","
            "outcome=\"%s\"} %llu\n",
            calls[i].provider, calls[i].command, calls[i].outcome,
            (unsigned long long)calls[i].n);
    bad |=
        fmd_metrics_put(out, "# TYPE fleetmodd_call_seconds summary\n"
                             "# HELP fleetmodd_call_seconds Time of the calls "
                             "through the guard.\n");
    for (size_t i = 0; i < n_calls && !bad; i++)
        bad |= fmd_metrics_put(
            out,
            "fleetmodd_call_seconds_sum{provider=\"%s\",command=\"%s\","
            "outcome=\"%s\"} %.3f\n"
            "fleetmodd_call_seconds_count{provider=\"%s\",command="
            "\"%s\",outcome=\"%s\"} %llu\n",
            calls[i].provider, calls[i].command, calls[i].outcome,
            (double)calls[i].ms_sum / 1000.0, calls[i].provider,
            calls[i].command, calls[i].outcome, (unsigned long long)calls[i].n);
    bad |= fmd_metrics_put(
        out, "# TYPE fleetmodd_http_responses counter\n"
             "# HELP fleetmodd_http_responses HTTP answers by status "
             "class (0xx: the client left first).\n");
    for (int c = 0; c < 6 && !bad; c++)
        bad |= fmd_metrics_put(
            out, "fleetmodd_http_responses_total{class=\"%dxx\"} %llu\n", c,
            (unsigned long long)http[c]);
    pthread_mutex_unlock(&mu);
    return bad;
}

/* ---- breakers: what the last call to each provider met -----------------*/

struct breaker {
    char provider[FMD_LABEL_MAX];
    bool open;
};

static struct breaker breakers[64];
static size_t n_breakers;

void fmd_metrics_breaker(const char *provider, bool open)
{
    char p[FMD_LABEL_MAX];
    fmd_metrics_label(p, provider);
    pthread_mutex_lock(&mu);
    size_t i = 0;
    while (i < n_breakers && strcmp(breakers[i].provider, p))
        i++;
    if (i == n_breakers && n_breakers < sizeof breakers / sizeof *breakers)
        memcpy(breakers[n_breakers++].provider, p, sizeof p);
    if (i < n_breakers)
        breakers[i].open = open;
    pthread_mutex_unlock(&mu);
}

bool fmd_metrics_breaker_open(const char *provider)
{
    bool open = false;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_breakers; i++) {
        if (strcmp(breakers[i].provider, provider) == 0)
            open = breakers[i].open;
    }
    pthread_mutex_unlock(&mu);
    return open;
}
