#!/bin/sh
# Rewrites the files named (default: every C file git knows) into the
# tree's dialect where that is mechanical and safe, for `make lint`:
#   sizeof(expr)       -> sizeof expr    (never a type: keywords, *_t and
#                                         the tree's typedefs are left)
#   x == NULL          -> !x             (same value, always)
#   x != NULL          -> x              (only as a condition: in if/while,
#                                         beside && || ?, after return)
# What it leaves (an != NULL used as a number, odd shapes) `make lint`
# still lists, for a person. Then: clang-format -i on the same files.
#
#   sh .ci/dialect-fix.sh [FILE...]
set -eu
[ $# -gt 0 ] || set -- $(git ls-files '*.c' '*.h')
TYPEDEFS=$(grep -hoE 'typedef[^;]*[[:space:]]\**([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*;' "$@" |
    sed -E 's/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*;$/\1/' | sort -u |
    tr '\n' '|')
export TYPEDEFS
perl -pi -e '
BEGIN {
    my $t = $ENV{TYPEDEFS}; $t =~ s/\|$//;
    $types = qr/(?:struct|union|enum|const|volatile|unsigned|signed|char|short|int|long|float|double|void|bool|_Bool|\w+_t|[A-Z]\w*|$t)\b/;
    $post = qr/(?:\[[^\[\]]*\]|->\w+|\.\w+)/;
    $call = qr/\((?:[^()]|\([^()]*\))*\)/;
    $operand = qr/(?:\*?[A-Za-z_]\w*(?:$post|$call)*|$call)/;
}
s/\bsizeof\((?!\s*$types)(\*?\s*[A-Za-z_]\w*$post*)\)/sizeof $1/g;
s/(?<![\w\]\)>.])($operand)\s*==\s*NULL\b/!$1/g;
s/((?:\b(?:if|while)\s*\(|&&|\|\||\?|\breturn)\s*)($operand)\s*!=\s*NULL\b(?=\s*(?:\)|&&|\|\||\?))/$1$2/g;
' "$@"
