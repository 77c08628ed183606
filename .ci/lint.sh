#!/bin/sh
# make lint: the layout, the dialect and the static analysis STYLE asks
# for, on every C file of the tree.
#
#   sh .ci/lint.sh            (from the top of the tree; make lint)
#
# 1. clang-format --dry-run -Werror with the tree's .clang-format;
# 2. the dialect: `!p` (never `p == NULL` / `p != NULL`) and `sizeof *p`,
#    `sizeof x` (parentheses only around a type: `sizeof(struct s)`);
# 3. cppcheck (warning, portability), its findings being errors;
# 4. every document a source cites (NAME.md) is one the tree ships.
# Each finding is printed as FILE:LINE: what; the last line counts them.
# CLANG_FORMAT and CPPCHECK name the tools.
set -u
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
CPPCHECK=${CPPCHECK:-cppcheck}

if git rev-parse --git-dir >/dev/null 2>&1; then
    files=$(git ls-files '*.c' '*.h')
    # (not the lint's own scripts, whose examples name documents)
    others=$(git ls-files '*.c' '*.h' '*.mk' '*.py' '*.sh' '*.1' '*.3' '*.5' \
        '*.7' 'Makefile' ':!.ci/*')
    docs=$(git ls-files '*.md')
else
    files=$(find . -name '*.[ch]' ! -path './build*' | sed 's|^\./||')
    others=$files
    docs=$(find . -name '*.md' ! -path './build*' | sed 's|^\./||')
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lint.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
: >"$tmp/found"

# 1. Layout: one line per file that clang-format would change.
for f in $files; do
    if ! "$CLANG_FORMAT" --dry-run -Werror "$f" >"$tmp/cf" 2>&1; then
        n=$(grep -c ': error: ' "$tmp/cf")
        line=$(sed -n 's/^[^:]*:\([0-9]*\):.*error.*/\1/p' "$tmp/cf" | head -n 1)
        echo "$f:$line: layout: $n place(s) clang-format would change" \
            >>"$tmp/found"
    fi
done

# 2. The dialect. A sizeof in parentheses must hold a type: a keyword, a
# name ending in _t, or a typedef of the tree (typedef ... NAME;).
grep -hoE 'typedef[^;]*[[:space:]]\**([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*;' \
    $files 2>/dev/null | sed -E 's/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*;$/\1/' \
    | sort -u | tr '\n' '|' >"$tmp/typedefs"
types="struct|union|enum|const|volatile|unsigned|signed|char|short|int|long|float|double|void|bool|_Bool|[A-Za-z0-9_]+_t|$(cat "$tmp/typedefs")FLEETMOD_NEVER_A_TYPE"
grep -nE '(==|!=)[[:space:]]*NULL\b|\bNULL[[:space:]]*(==|!=)' $files 2>/dev/null |
    sed -E 's/^([^:]*:[0-9]*):.*/\1: dialect: compare with NULL; write !p or p/' \
    >>"$tmp/found"
# Only an object in parentheses is flagged: a name, *name, and their
# members and elements (sizeof(x), sizeof(*p), sizeof(p->m), sizeof(a[0])).
# A type (keyword, *_t, a typedef of the tree) stays as it is, and so do
# shapes no expression rewrite could improve, such as the member size
# sizeof(((T *)0)->m) or a function pointer type.
obj='\bsizeof[[:space:]]*\([[:space:]]*\*?[[:space:]]*[A-Za-z_][A-Za-z0-9_]*([[:space:]]*(->|\.)[[:space:]]*[A-Za-z_][A-Za-z0-9_]*|\[[^]]*\])*[[:space:]]*\)'
grep -nE "$obj" $files 2>/dev/null |
    grep -vE "\bsizeof[[:space:]]*\([[:space:]]*($types)[[:space:]]*\)" |
    sed -E 's/^([^:]*:[0-9]*):.*/\1: dialect: sizeof(expression); write sizeof expr (parentheses only for a type)/' \
    >>"$tmp/found"

# 3. cppcheck, with the definitions the build passes on the command line
# and the compiler's (__GNUC__: gcc and clang both define it).
# varFuncNullUB: a NULL that ends a variadic list is a pointer on the
# platforms we build on (glibc defines NULL as ((void *)0)).
"$CPPCHECK" --quiet --std=c11 --enable=warning,portability --inline-suppr \
    --suppress=missingIncludeSystem --suppress=varFuncNullUB \
    --template='{file}:{line}: cppcheck: {message} [{id}]' \
    -D__GNUC__=12 -D_GNU_SOURCE -DSYSCONFDIR='"/etc"' \
    -D_Noreturn='__attribute__((noreturn))' \
    -DFLEETMOD_MODULEDIR='"/usr/lib/fleetmod"' -DFLEETMOD_SYSCONFDIR='"/etc"' \
    -DMOBWAY_VERSION='"0"' -DFLEETCMD_VERSION='"0"' \
    -Ihost-api/include $files 2>>"$tmp/found" >/dev/null

# 4. Cited documents exist in the tree.
grep -noE '\b[A-Za-z][A-Za-z0-9_-]*\.md\b' $others 2>/dev/null |
while IFS=: read -r f line doc; do
    printf '%s\n' "$docs" | grep -qE "(^|/)$doc\$" ||
        echo "$f:$line: cites $doc, which the tree does not ship"
done >>"$tmp/found"

sort -u "$tmp/found"
n=$(sort -u "$tmp/found" | grep -c .)
echo "lint: $n finding(s)"
[ "$n" -eq 0 ]
