/*
 * lifecycle.c - the module as a guest in a host's process.
 *
 *   lifecycle MOBWAY SKELETON SKELETON_CONF MOBWAY_CONF SIM_URL CYCLES
 *
 * The host itself uses libcurl (a request to the simulator) and OpenSSL
 * (an HMAC against RFC 4231's vector) before loading any module and again
 * after closing them; in between, CYCLES rounds of dlopen, init, one
 * command, shutdown and dlclose of both modules, with the resident set
 * measured after round 100 and after the last; then fork: a child using
 * its parent's instance gets EINTERNAL, a child's own instance works, and
 * the parent's instance still works. Prints "ok"/"not ok" lines, the RSS
 * figures, and "N passed, N failed".
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "modcall.h"

static int passed, failed;

static void check(int ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "not ok", what);
    ok ? passed++ : failed++;
}

static size_t sink(char *d, size_t s, size_t n, void *u)
{
    (void)d;
    *(size_t *)u += s * n;
    return s * n;
}

/* The host's own libcurl and OpenSSL still work. */
static void host_libraries(const char *sim_url, const char *when)
{
    static const char want[] =
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1], url[256], what[128];
    CURL *e = curl_easy_init();
    size_t got = 0;
    long status = 0;

    snprintf(url, sizeof url, "%s/_sim/stats", sim_url);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &got);
    curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    snprintf(what, sizeof what, "host's curl_easy_perform %s the modules",
             when);
    check(status == 200 && got > 0, what);
    HMAC(EVP_sha256(), "Jefe", 4,
         (const unsigned char *)"what do ya want for nothing?", 28, mac, &len);
    for (unsigned i = 0; i < len; i++)
        sprintf(hex + 2 * i, "%02x", mac[i]);
    snprintf(what, sizeof what, "host's OpenSSL HMAC-SHA256 %s the modules",
             when);
    check(len == 32 && strcmp(hex, want) == 0, what);
}

/* dlopen, init, one command, shutdown, dlclose; 0 when all went well. */
static int cycle(const char *path, const char *conf, const char *vin)
{
    struct rel_module m;
    struct fleetmod_instance *inst = NULL;
    struct rel_reply r;
    int bad;

    if (rel_module_open(&m, path) != 0)
        return -1;
    if (m.table->init(NULL, conf, &inst) != FLEETMOD_OK) {
        rel_module_close(&m);
        return -1;
    }
    rel_call(m.table->send, inst, &r, "vin", vin, "command", "location", NULL);
    bad = r.rc != FLEETMOD_OK || !r.map;
    rel_reply_free(&r);
    m.table->shutdown(inst);
    rel_module_close(&m);
    return bad;
}

static long rss_kib(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f && fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = 0;
    if (f)
        fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static fleetmod_rc send_one(const struct fleetmod_module *m,
                            struct fleetmod_instance *inst)
{
    struct rel_reply r;
    fleetmod_rc rc;

    rel_call(m->send, inst, &r, "vin", "6AHFT68CKAF501652", "command",
             "location", NULL);
    rc = r.map ? r.rc : FLEETMOD_EINTERNAL + 100;
    rel_reply_free(&r);
    return rc;
}

/* Child exit status: 0 all well, 1 parent's instance not EINTERNAL,
 * 2 own instance failed. */
static int child(const struct fleetmod_module *m,
                 struct fleetmod_instance *parents, const char *conf)
{
    struct fleetmod_instance *own = NULL;
    int bad = 0;

    if (send_one(m, parents) != FLEETMOD_EINTERNAL)
        bad |= 1;
    if (m->init(NULL, conf, &own) != FLEETMOD_OK || send_one(m, own) != 0)
        bad |= 2;
    m->shutdown(own);
    m->shutdown(parents); /* not ours: must be left alone */
    return bad;
}

static void fork_rules(const char *path, const char *conf)
{
    struct rel_module m;
    struct fleetmod_instance *inst = NULL;
    int status = -1;
    pid_t pid;

    if (rel_module_open(&m, path) != 0 ||
        m.table->init(NULL, conf, &inst) != FLEETMOD_OK) {
        check(0, "fork: the parent's instance");
        return;
    }
    check(send_one(m.table, inst) == FLEETMOD_OK, "fork: parent sends before");
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(child(m.table, inst, conf));
    waitpid(pid, &status, 0);
    check(WIFEXITED(status) && !(WEXITSTATUS(status) & 1),
          "fork: a child calling the parent's instance gets EINTERNAL");
    check(WIFEXITED(status) && !(WEXITSTATUS(status) & 2),
          "fork: a child's own instance works");
    check(send_one(m.table, inst) == FLEETMOD_OK,
          "fork: the parent keeps working after the child");
    m.table->shutdown(inst);
    rel_module_close(&m);
}

int main(int argc, char **argv)
{
    long cycles, rss100 = 0, rss_end, bad = 0;
    char what[160];

    if (argc != 7 || (cycles = atol(argv[6])) < 100) {
        fprintf(stderr, "usage: lifecycle MOBWAY SKELETON SKELETON_CONF "
                        "MOBWAY_CONF SIM_URL CYCLES(>=100)\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    host_libraries(argv[5], "before");
    for (long i = 1; i <= cycles; i++) {
        bad += cycle(argv[1], argv[4], "6AHFT68CKAF501652") != 0;
        bad += cycle(argv[2], argv[3], "WP0ZZZ99ZTS392124") != 0;
        if (i == 100)
            rss100 = rss_kib();
    }
    rss_end = rss_kib();
    snprintf(what, sizeof what,
             "%ld cycles of dlopen, init, send, shutdown, dlclose of "
             "mobway.so and skeleton.so: %ld failed",
             cycles, bad);
    check(bad == 0, what);
    printf("# rss after cycle 100: %ld KiB, after cycle %ld: %ld KiB, "
           "growth %ld KiB\n",
           rss100, cycles, rss_end, rss_end - rss100);
    snprintf(what, sizeof what,
             "RSS growth from cycle 100 to %ld: %ld KiB "
             "(under 1024)",
             cycles, rss_end - rss100);
    /* A sanitizer's allocator keeps freed memory in quarantine: RSS says
     * nothing about leaks there (the sanitizer itself checks them). */
    if (getenv("REL_SANITIZED"))
        printf("# skipped under a sanitizer: %s\n", what);
    else
        check(rss_end - rss100 < 1024, what);
    host_libraries(argv[5], "after");
    fork_rules(argv[1], argv[4]);
    curl_global_cleanup();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
