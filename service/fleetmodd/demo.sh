#!/bin/sh
# fleetmodd's part of make demo: the service on a temporary unix socket,
# driven with curl --unix-socket.
#
#   sh service/fleetmodd/demo.sh BUILD_DIR      (examples/demo/demo.sh calls it)
#
# It starts mobway-sim, a small webhook receiver (python3, stdlib) and
# fleetmodd in a temporary directory, then: a command, its status with
# wait, an idempotent repeat, a refused duplicate, and the webhook events
# the receiver got, their signatures checked. Everything it started is
# stopped, and the directory removed, on every exit.
set -eu

cd "$(dirname "$0")/../.."
B=${1:?usage: demo.sh BUILD_DIR}
VIN=6AHFT68CKAF501652
VIN2=9BWZZZ377VT004251

# shellcheck source=tests/lib/mobway-sim.sh
. tests/lib/mobway-sim.sh

DIR=$(mktemp -d "${TMPDIR:-/tmp}/fleetmodd-demo.XXXXXX")
FMD_PID=
RCV_PID=
cleanup() {
    [ -n "$FMD_PID" ] && kill "$FMD_PID" 2>/dev/null && wait "$FMD_PID" || :
    [ -n "$RCV_PID" ] && kill "$RCV_PID" 2>/dev/null && wait "$RCV_PID" || :
    sim_stop || :
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM

caption() {
    printf '\n== %s\n' "$*"
}

# call EXPECTED_HTTP_STATUS CURL_ARGS...: show the command, run it, show
# the body, check the status. The body is kept in $DIR/body.
call() {
    want=$1
    shift
    printf '$ curl --unix-socket %s' "$DIR/fleetmodd.sock"
    for a in "$@"; do
        case $a in
        *[!A-Za-z0-9_./:=-]*) printf " '%s'" "$a" ;;
        *) printf ' %s' "$a" ;;
        esac
    done
    printf '\n'
    got=$(curl -sS --max-time 60 --unix-socket "$DIR/fleetmodd.sock" \
        -o "$DIR/body" -w '%{http_code}' "$@")
    cat "$DIR/body"
    printf '\n(HTTP %s)\n' "$got"
    if [ "$got" != "$want" ]; then
        echo "demo: expected HTTP $want, got $got" >&2
        exit 1
    fi
}

json_get() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
        "$DIR/body" "$1"
}

setup() {
    sim_start "$B/bin/mobway-sim" --complete-ms 500
    (umask 077
     echo demo-secret >"$DIR/client_secret"
     echo demo-sign-secret >"$DIR/sign_secret"
     echo demo-webhook-secret >"$DIR/webhook.secret")
    cat >"$DIR/mobway.conf" <<CONF
[mobway]
base_url = $SIM_URL
allow_http = true
client_id = demo-client
client_secret_file = $DIR/client_secret
sign_secret_file = $DIR/sign_secret
CONF
    cat >"$DIR/stack.conf" <<CONF
[mobway]
module = $B/modules/mobway.so
config = $DIR/mobway.conf
CONF
    cat >"$DIR/policy.conf" <<CONF
[journal]
url = sqlite:$DIR/journal.db

[command lock_door]
duplicate = reject
CONF
    # The receiver: prints each event and whether its X-Signature is the
    # HMAC-SHA256 of the raw body with the shared secret.
    cat >"$DIR/receiver.py" <<'PY'
import hashlib, hmac, http.server, json, signal, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
secret = open(sys.argv[1]).read().strip().encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        ok = hmac.compare_digest(self.headers.get("X-Signature", ""),
            hmac.new(secret, raw, hashlib.sha256).hexdigest())
        ev = json.loads(raw)
        with open(sys.argv[3], "a") as f:
            f.write("%s signature %s\n" % (ev["event_id"], "ok" if ok else "BAD"))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2] + ".tmp", "w").write(str(srv.server_port))
__import__("os").rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
PY
    python3 "$DIR/receiver.py" "$DIR/webhook.secret" "$DIR/rcv.port" \
        "$DIR/events" &
    RCV_PID=$!
    wait_for "$DIR/rcv.port" "the webhook receiver"
    cat >"$DIR/fleetmodd.conf" <<CONF
[service]
stack = $DIR/stack.conf
policy = $DIR/policy.conf
socket = $DIR/fleetmodd.sock
watch_interval = 1

[webhook]
url = http://127.0.0.1:$(cat "$DIR/rcv.port")/fleet-events
secret_file = $DIR/webhook.secret
CONF
    "$B/sbin/fleetmodd" --foreground --config "$DIR/fleetmodd.conf" \
        2>"$DIR/fleetmodd.log" &
    FMD_PID=$!
    wait_for "$DIR/fleetmodd.sock" "fleetmodd"
}

# wait_for PATH WHAT: up to 10 s for PATH to appear.
wait_for() {
    i=0
    while [ ! -e "$1" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            echo "demo: $2 did not start" >&2
            exit 1
        fi
        sleep 0.1
    done
}

main() {
    caption "fleetmodd: the providers as a local HTTP service (unix socket $DIR/fleetmodd.sock)"
    setup
    caption "fleetmodd: a command; 201 with its journal id (the requester is your login, from the socket)"
    call 201 -H 'Content-Type: application/json' \
        -d "{\"vin\": \"$VIN\", \"command\": \"location\"}" \
        http://localhost/v1/commands
    journal=$(json_get journal)
    caption "fleetmodd: its status, waiting up to 10 s for the end"
    call 200 "http://localhost/v1/commands/$journal?wait=10"
    caption "fleetmodd: lock_door with an Idempotency-Key, twice: one command, the same answer"
    call 201 -H 'Content-Type: application/json' -H 'Idempotency-Key: order-4711' \
        -d "{\"vin\": \"$VIN2\", \"command\": \"lock_door\"}" \
        http://localhost/v1/commands
    cp "$DIR/body" "$DIR/first"
    call 201 -H 'Content-Type: application/json' -H 'Idempotency-Key: order-4711' \
        -d "{\"vin\": \"$VIN2\", \"command\": \"lock_door\"}" \
        http://localhost/v1/commands
    cmp -s "$DIR/first" "$DIR/body" || { echo "demo: the repeat differs" >&2; exit 1; }
    caption "fleetmodd: the same lock_door without the key: the policy refuses the duplicate (409)"
    call 409 -H 'Content-Type: application/json' \
        -d "{\"vin\": \"$VIN2\", \"command\": \"lock_door\"}" \
        http://localhost/v1/commands
    caption "fleetmodd: the webhook receiver got each new state, signed"
    i=0
    until grep -q "$journal:success signature ok" "$DIR/events" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 300 ]; then
            echo "demo: no webhook for $journal:success within 30 s" >&2
            exit 1
        fi
        sleep 0.1
    done
    cat "$DIR/events"
    if grep -q BAD "$DIR/events"; then
        echo "demo: a signature did not verify" >&2
        exit 1
    fi
}

main
