/*
 * msgsize.h - check the sizes a msgpack message claims before msgpack-c
 * believes them. A header of its own because it serves anyone who reads
 * msgpack from a stranger: the skeleton's request decoder, and the
 * conformance tool reading a module's replies.
 */
#ifndef SKELETON_MSGSIZE_H
#define SKELETON_MSGSIZE_H

#include <stdbool.h>
#include <stddef.h>

/* msgpack-c's own nesting limit (MSGPACK_EMBED_STACK_SIZE). */
#define SK_MSGPACK_DEPTH 32

/* True when buf starts with one complete msgpack object whose claimed
 * sizes (str/bin/ext lengths, array/map counts) all fit in the bytes that
 * follow them, nested at most SK_MSGPACK_DEPTH containers deep. msgpack-c
 * allocates what a message claims before reading it: run this first, and
 * msgpack-c then allocates at most in proportion to len. Bytes after the
 * object are not looked at. */
bool sk_msgpack_sizes_ok(const char *buf, size_t len);

#endif /* SKELETON_MSGSIZE_H */
