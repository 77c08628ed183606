/*
 * wipecheck.c - LD_PRELOAD'ed into a host: scans every heap block as it is
 * freed (free, and realloc, which here always moves the block so that the
 * old one is scanned too) for the secrets listed in the file named by
 * REL_WIPE_SECRETS (one per line), and at exit writes one line per hit
 * to REL_WIPE_REPORT: "SECRET_INDEX<TAB>DSO that called free<TAB>symbol".
 *
 * A secret found in a freed block is a copy nobody wiped: it stays in the
 * heap for the next allocation (or a core dump) to see.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc's own allocator, under the names it exports for interposers. */
extern void __libc_free(void *p);
extern void *__libc_malloc(size_t n);

#define MAX_SECRETS 32
#define MAX_HITS 4096

static char store[8192];
static const char *secrets[MAX_SECRETS];
static size_t lens[MAX_SECRETS], n_secrets;
static struct {
    int secret;
    void *caller;
} hits[MAX_HITS];
static atomic_size_t n_hits;

/* Reads the secrets with open/read: no allocation before they are known. */
__attribute__((constructor)) static void load(void)
{
    const char *path = getenv("REL_WIPE_SECRETS");
    int fd = path ? open(path, O_RDONLY) : -1;
    ssize_t n = fd >= 0 ? read(fd, store, sizeof store - 1) : -1;
    char *s = store;

    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return;
    store[n] = '\0';
    while (*s && n_secrets < MAX_SECRETS) {
        size_t len = strcspn(s, "\n");
        if (len > 0) {
            secrets[n_secrets] = s;
            lens[n_secrets++] = len;
        }
        s += len + (s[len] == '\n');
    }
}

static void scan(const void *p, void *caller)
{
    size_t size = malloc_usable_size((void *)p);

    for (size_t i = 0; i < n_secrets; i++)
        if (memmem(p, size, secrets[i], lens[i])) {
            size_t k = atomic_fetch_add(&n_hits, 1);
            if (k < MAX_HITS) {
                hits[k].secret = (int)i;
                hits[k].caller = caller;
            }
        }
}

void free(void *p)
{
    if (p && n_secrets)
        scan(p, __builtin_return_address(0));
    __libc_free(p);
}

void *realloc(void *p, size_t n)
{
    void *q;
    size_t old;

    if (!p)
        return __libc_malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    if (!(q = __libc_malloc(n)))
        return NULL;
    old = malloc_usable_size(p);
    memcpy(q, p, old < n ? old : n);
    if (n_secrets)
        scan(p, __builtin_return_address(0));
    __libc_free(p);
    return q;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("REL_WIPE_REPORT");
    size_t n = atomic_load(&n_hits);
    FILE *f = path ? fopen(path, "w") : NULL;

    if (!f)
        return;
    n_secrets = 0; /* stdio's own frees are not the host's */
    for (size_t i = 0; i < n && i < MAX_HITS; i++) {
        Dl_info info = {0};
        dladdr(hits[i].caller, &info);
        fprintf(f, "%d\t%s\t%s\n", hits[i].secret,
                info.dli_fname ? info.dli_fname : "?",
                info.dli_sname ? info.dli_sname : "?");
    }
    fclose(f);
}
