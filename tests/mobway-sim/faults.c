#include "faults.h"

#include <openssl/rand.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[FAULT_COUNT] = {
    "latency",   "status5xx", "reset-before", "reset-after",
    "malformed", "oversize",  "ratelimit",    "hold",
};

/* Read on every command request by every worker thread; written rarely. */
static atomic_long settings[FAULT_COUNT];

#define LATENCY_MAX_MS 600000

static int fault_by_name(const char *name, size_t len)
{
    for (int i = 0; i < FAULT_COUNT; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return i;
    return -1;
}

static bool in_range(int fault, long value)
{
    long max =
        fault == FAULT_LATENCY || fault == FAULT_HOLD ? LATENCY_MAX_MS : 100;
    return value >= 0 && value <= max;
}

int faults_parse_spec(const char *spec)
{
    const char *eq = strchr(spec, '=');
    int fault = eq ? fault_by_name(spec, (size_t)(eq - spec)) : -1;
    if (fault < 0)
        return -1;
    char *end;
    long value = strtol(eq + 1, &end, 10);
    if (end == eq + 1 || *end || !in_range(fault, value))
        return -1;
    atomic_store(&settings[fault], value);
    return 0;
}

/* Checks every key first so that a bad request changes nothing. */
static int validate(const json_t *body, char *err, size_t err_len)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)body, key, value)
    {
        int fault = fault_by_name(key, strlen(key));
        if (strcmp(key, "clear") == 0 && json_is_boolean(value))
            continue;
        if (fault < 0) {
            snprintf(err, err_len, "unknown fault '%s'", key);
            return -1;
        }
        if (!json_is_integer(value) ||
            !in_range(fault, (long)json_integer_value(value))) {
            snprintf(err, err_len, "fault '%s' out of range", key);
            return -1;
        }
    }
    return 0;
}

int faults_apply_json(const json_t *body, char *err, size_t err_len)
{
    if (!json_is_object(body)) {
        snprintf(err, err_len, "expected a JSON object");
        return -1;
    }
    if (validate(body, err, err_len) < 0)
        return -1;
    if (json_is_true(json_object_get(body, "clear")))
        for (int i = 0; i < FAULT_COUNT; i++)
            atomic_store(&settings[i], 0);
    for (int i = 0; i < FAULT_COUNT; i++) {
        json_t *value = json_object_get(body, names[i]);
        if (value)
            atomic_store(&settings[i], (long)json_integer_value(value));
    }
    return 0;
}

json_t *faults_json(void)
{
    json_t *obj = json_object();
    for (int i = 0; i < FAULT_COUNT; i++)
        json_object_set_new(obj, names[i],
                            json_integer(atomic_load(&settings[i])));
    return obj;
}

long faults_get(enum sim_fault fault)
{
    return atomic_load_explicit(&settings[fault], memory_order_relaxed);
}

/* xorshift64 per thread, seeded from OpenSSL: cheap enough for every
 * request, and no lock. */
static uint64_t next_random(void)
{
    static _Thread_local uint64_t state;
    while (state == 0)
        if (RAND_bytes((unsigned char *)&state, sizeof state) != 1)
            state = (uint64_t)(uintptr_t)&state;
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

bool faults_roll(enum sim_fault fault)
{
    long percent = faults_get(fault);
    return percent > 0 && (long)(next_random() % 100) < percent;
}
