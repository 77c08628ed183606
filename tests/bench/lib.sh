# Shell functions shared by the bench scripts (POSIX sh; source it after
# setting TMP): a row of the table is NAME|MEASURED|BASELINE|RATIO|TARGET|VERDICT
# in $ROWS, and table prints them.

say() { echo "bench: $*" >&2; }

# The value of key=... in a driver's output line.
get() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# row NAME MEASURED BASELINE RATIO TARGET VERDICT
row() { printf '%s|%s|%s|%s|%s|%s\n' "$@" >>"$ROWS"; }

# verdict VALUE OP LIMIT: "ok" or "MISSED"
verdict() {
    if awk -v r="$1" -v l="$3" "BEGIN { exit !(r $2 l) }"; then
        echo ok
    else
        echo MISSED
    fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# table TITLE MEASURED_HEADING: the rows under a head naming the machine,
# then how many targets were missed.
table() {
    echo
    echo "$1, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPU(s):" \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "client and mobway-sim share this machine's CPUs (the baseline too)"
    echo
    awk -F'|' -v m="$2" 'BEGIN { printf "%-66s | %10s | %10s | %6s | %-18s | %s\n", "name", m, "baseline", "ratio", "target", "verdict" }
        { printf "%-66s | %10s | %10s | %6s | %-18s | %s\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
    echo
}

# The verdict line after the notes: every target met, or how many missed.
verdicts() {
    _missed=$(grep -c '|MISSED$' "$ROWS")
    if [ "$_missed" -eq 0 ]; then
        echo "bench: every target met"
    else
        echo "bench: $_missed target(s) missed"
    fi
}
