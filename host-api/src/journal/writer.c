/*
 * journal/writer.c - the writer of an intent and the proof that it is
 * gone (writer.h). Linux /proc; elsewhere nothing is recorded and rows
 * wait for the call's bound.
 */
#include "writer.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Reads one line of path into buf without its newline; false on error. */
static bool read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f);
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok && buf[0];
}

/* The state (field 3) and start time (field 22) of /proc/PID/stat. The
 * name (field 2) may hold blanks and parentheses: the fields are counted
 * from its last ')'. */
static bool proc_stat(int64_t pid, char *state, int64_t *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%" PRId64 "/stat", pid);
    if (!read_line(path, buf, sizeof buf))
        return false;
    const char *p = strrchr(buf, ')');
    unsigned long long v;
    /* After ')': state, then fields 4..21 skipped, then 22. */
    if (!p || sscanf(p + 1,
                     " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s"
                     " %*s %*s %*s %*s %*s %*s %llu",
                     state, &v) != 2)
        return false;
    *start = (int64_t)v;
    return true;
}

static bool boot_id(char *buf, size_t len)
{
    return read_line("/proc/sys/kernel/random/boot_id", buf, len);
}

void fm_writer_self(struct fm_jwriter *w)
{
    /* Per thread, so no lock; per process, so a forked child reads its own. */
    static _Thread_local struct fm_jwriter cache;
    int64_t pid = (int64_t)getpid();
    if (cache.pid != pid) {
        char state;
        struct fm_jwriter now = {.pid = pid};
        if (!proc_stat(pid, &state, &now.start) ||
            !boot_id(now.boot, sizeof now.boot))
            now = (struct fm_jwriter){0};
        cache = now;
    }
    *w = cache;
}

bool fm_writer_gone(const struct fm_jwriter *w)
{
    char boot[sizeof w->boot], state;
    int64_t start;
    if (w->pid <= 0 || w->pid > INT32_MAX || !w->boot[0] ||
        !boot_id(boot, sizeof boot) || strcmp(boot, w->boot))
        return false;
    if (kill((pid_t)w->pid, 0) == -1 && errno == ESRCH)
        return true;
    /* It exists (or is another user's): whose is it now? */
    if (!proc_stat(w->pid, &state, &start))
        return false;
    return start != w->start || state == 'Z' || state == 'X';
}
