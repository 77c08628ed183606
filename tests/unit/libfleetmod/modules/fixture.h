/*
 * fixture.h - file-system fixtures shared by the libfleetmod unit tests:
 * temporary directories, files and links to the test modules.
 * TEST_MODULES (set by tests/unit/build.mk) is the directory of the built
 * test modules.
 */
#ifndef FLEETMOD_TEST_FIXTURE_H
#define FLEETMOD_TEST_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new empty directory (mkdtemp under TMPDIR); the caller frees the
 * string and removes the tree with fixture_rmtree. */
static inline char *fixture_tmpdir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *dir = malloc(strlen(base) + 32);
    if (!dir)
        return NULL;
    sprintf(dir, "%s/fleetmod-test.XXXXXX", base);
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

/* dir/name into out (size bytes). */
static inline const char *fixture_path(char *out, size_t size, const char *dir,
                                       const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
    return out;
}

/* Write text to dir/name. Returns 0 on success. */
static inline int fixture_write(const char *dir, const char *name,
                                const char *text)
{
    char path[4096];
    FILE *f = fopen(fixture_path(path, sizeof path, dir, name), "w");
    if (!f)
        return -1;
    int bad = fputs(text, f) < 0;
    return fclose(f) != 0 || bad ? -1 : 0;
}

/* Make dir/name a symlink to the built test module MODULE.so. */
static inline int fixture_link_module(const char *dir, const char *name,
                                      const char *module)
{
    char target[4096], path[4096];
    snprintf(target, sizeof target, "%s/%s.so", TEST_MODULES, module);
    return symlink(target, fixture_path(path, sizeof path, dir, name));
}

/* Remove the tree at path: files, links and directories (the stack
 * tests' drop-in directories). */
static inline void fixture_rmtree_at(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char sub[4096];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int n = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (n < 0 || (size_t)n >= sizeof sub)
            continue;
        if (unlink(sub) != 0)
            fixture_rmtree_at(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

/* Remove a fixture directory and everything in it, then free the
 * string. */
static inline void fixture_rmtree(char *dir)
{
    if (!dir)
        return;
    fixture_rmtree_at(dir);
    free(dir);
}

#endif /* FLEETMOD_TEST_FIXTURE_H */
