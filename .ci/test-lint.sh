#!/bin/sh
# The lint's own rules on a small tree made here: each kind of finding is
# reported for the file that has it and only there, and a clean file
# passes.
#
#   sh .ci/test-lint.sh      (from the top of the tree; make check-lint)
#
# Closes with "N passed, N failed".
set -u
top=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lint-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; sed 's/^/#   /' "$tmp/out"; }

mkdir "$tmp/clean" "$tmp/dirty"
cp .clang-format "$tmp/clean/" && cp .clang-format "$tmp/dirty/"
cat >"$tmp/clean/good.c" <<'C'
#include <stdlib.h>

struct pair {
    int a;
    int b;
};

/* Layout, !p and sizeof *p as the tree writes them. */
struct pair *pair_new(void)
{
    struct pair *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    p->a = (int)sizeof(struct pair);
    p->b = 0;
    return p;
}
C
cp "$tmp/clean/good.c" "$tmp/dirty/good.c"
printf 'int layout(void) {\n  return 1;\n}\n' >"$tmp/dirty/layout.c"
cat >"$tmp/dirty/null.c" <<'C'
#include <stddef.h>

int is_set(const char *p)
{
    return p != NULL;
}
C
cat >"$tmp/dirty/size.c" <<'C'
#include <string.h>

void clear(int *p)
{
    memset(p, 0, sizeof(*p));
}
C
cat >"$tmp/dirty/cites.c" <<'C'
/* The rules of NOTSHIPPED.md. */
int cites(void)
{
    return 0;
}
C
cat >"$tmp/dirty/bug.c" <<'C'
int bug(void)
{
    int a[2];
    a[2] = 0;
    return a[0];
}
C

# lint.sh reads the files under the current directory (no git there).
(cd "$tmp/clean" && GIT_DIR=/nonexistent sh "$top/.ci/lint.sh") >"$tmp/out" 2>&1
if [ $? -eq 0 ] && grep -q '^lint: 0 finding(s)$' "$tmp/out"; then
    ok "a clean file passes"
else
    not_ok "a clean file passes"
fi
(cd "$tmp/dirty" && GIT_DIR=/nonexistent sh "$top/.ci/lint.sh") >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then ok "findings fail lint"; else not_ok "findings fail lint"; fi
# expect FILE KIND NAME: one finding of KIND, for FILE.
expect() {
    if grep -q "^$1:[0-9]*: $2" "$tmp/out"; then ok "$3"; else not_ok "$3"; fi
}
expect layout.c 'layout:' "a layout clang-format would change is found"
expect null.c 'dialect: compare with NULL' "p != NULL is found"
expect size.c 'dialect: sizeof(expression)' "sizeof(*p) is found"
expect cites.c 'cites NOTSHIPPED.md' "a cited document the tree lacks is found"
expect bug.c 'cppcheck:' "cppcheck's finding is reported"
if grep -q '^good.c:' "$tmp/out"; then
    not_ok "the clean file has no finding among dirty ones"
else
    ok "the clean file has no finding among dirty ones"
fi
if grep -q '^lint: 5 finding(s)$' "$tmp/out"; then
    ok "nothing else is found"
else
    not_ok "nothing else is found"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
