#!/bin/sh
# Each manual page renders without a warning, the way lintian checks them
# (man --warnings, UTF-8). Usage: sh packaging/check-man.sh PAGE...
set -u
passed=0
failed=0
for page in "$@"; do
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
        "$page" 2>&1 >/dev/null)
    if [ $? -eq 0 ] && [ -z "$out" ]; then
        passed=$((passed + 1))
        echo "PASS: $page renders without warnings"
    else
        failed=$((failed + 1))
        echo "FAIL: $page:"
        printf '%s\n' "$out" | sed 's/^/    /'
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
