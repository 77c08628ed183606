#!/usr/bin/env python3
"""make bench-webhook: fleetmodd's webhooks across a receiver's outage
(fleetmodd(8): a receiver down for 60 s, then up: every event delivered,
none lost, repeats only with the same event_id). Not part of make check.

A fleetmodd with the service's own delivery defaults (max_backoff 300 s)
journals commands sent over its socket while nothing listens at the
webhook's address, spread over the outage; mobway-sim completes each after
200 ms, so each command makes two events (pending, success). Then a
receiver comes up, answers 204 to every delivery and checks each
signature. Counted: the events expected (two per command journaled), the
distinct event_ids delivered, those lost, the repeats and whether each
repeat carried its first delivery's body.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "fleetmodd"))
from mobway_sim import MobwaySim  # noqa: E402
from fmd import Service, free_port  # noqa: E402

VINS = ("6AHFT68CKAF501652", "9BWZZZ377VT004251")
COMMANDS = ("location", "lock_door")
SECRET = "whsec-bench"


class DefaultDelivery(Service):
    """A Service whose [webhook] keeps fleetmodd's own retry schedule:
    the test helper shortens it to 2 s, which would hide what an outage
    costs."""

    def configure(self, policy="", service="", webhook=None):
        super().configure(policy, service, webhook)
        path = self.p("fleetmodd.conf")
        with open(path) as f:
            lines = [ln for ln in f if not ln.startswith(("max_backoff",
                                                          "timeout"))]
        with open(path, "w") as f:
            f.writelines(lines)


class Receiver:
    """Answers 204 to every POST; keeps (event_id, raw body) of each and
    the bodies whose X-Signature does not verify."""

    def __init__(self, port):
        self.got, self.bad, self.last = [], [], None
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                want = hmac.new(SECRET.encode(), raw,
                                hashlib.sha256).hexdigest()
                if not hmac.compare_digest(
                        self.headers.get("X-Signature", ""), want):
                    outer.bad.append(raw)
                outer.got.append((json.loads(raw)["event_id"], raw))
                outer.last = time.monotonic()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def backlog(svc):
    return svc.request("GET", "/v1/health")[2]["webhook"]["backlog"]


def outage(opts, svc):
    """Commands spread over the outage; returns their journal ids."""
    journals = []
    t0 = time.monotonic()
    for i in range(opts.commands):
        # the i-th command at i/N of the outage
        time.sleep(max(0.0, t0 + opts.outage * i / opts.commands -
                       time.monotonic()))
        status, _, body = svc.request("POST", "/v1/commands", {
            "vin": VINS[i % 2], "command": COMMANDS[i // 2 % 2]})
        if status != 201:
            raise RuntimeError("POST /v1/commands: %d %r" % (status, body))
        journals.append(body["journal"])
    time.sleep(max(0.0, t0 + opts.outage - time.monotonic()))
    return journals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fleetmodd", required=True)
    ap.add_argument("--mobway", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--outage", type=int, default=60, help="seconds")
    ap.add_argument("--commands", type=int, default=30)
    opts = ap.parse_args()
    for k in ("fleetmodd", "mobway", "sim"):
        setattr(opts, k, os.path.abspath(getattr(opts, k)))
    port = free_port()
    url = "http://127.0.0.1:%d/fleet-events" % port
    print("bench: webhook receiver down for %d s while %d commands are sent"
          % (opts.outage, opts.commands), file=sys.stderr)
    with MobwaySim(opts.sim, "--complete-ms", "200") as s, \
            DefaultDelivery(opts, s, webhook=(url, SECRET)) as svc:
        svc.start()
        journals = outage(opts, svc)
        held = backlog(svc)
        want = {"%s:%s" % (j, st) for j in journals
                for st in ("pending", "success")}
        rcv = Receiver(port)
        up = time.monotonic()
        # Every delivery retried by then: 2^k backoff passes the outage
        # once, plus the watcher's own seconds.
        deadline = up + 2 * opts.outage + 60
        try:
            while time.monotonic() < deadline:
                ids = {i for i, _ in rcv.got}
                if want <= ids and backlog(svc) == 0:
                    break
                time.sleep(0.5)
            # Late repeats would come within a second of the last one.
            time.sleep(1)
            got = list(rcv.got)
        finally:
            rcv.stop()
        left = backlog(svc)
    bodies = {}
    for i, raw in got:
        bodies.setdefault(i, set()).add(raw)
    lost = len(want - set(bodies))
    extra = len(set(bodies) - want)
    repeats = len(got) - len(bodies)
    changed = sum(len(v) > 1 for v in bodies.values())
    took = (rcv.last - up) if rcv.last else float("nan")
    rows = [
        ("events journaled while the receiver was down (backlog %d)" % held,
         len(want), "-", "info", "-"),
        ("distinct event_ids delivered", len(bodies), len(want),
         "= %d" % len(want), "ok" if not lost and not extra else "MISSED"),
        ("events lost", lost, 0, "= 0", "ok" if not lost else "MISSED"),
        ("repeats (same event_id), of them with a different body",
         "%d, %d" % (repeats, changed), "-", "changed = 0",
         "ok" if not changed else "MISSED"),
        ("deliveries whose X-Signature did not verify", len(rcv.bad), 0,
         "= 0", "ok" if not rcv.bad else "MISSED"),
        ("seconds from the receiver up to the last delivery", "%.1f" % took,
         "-", "info", "-"),
        ("outbox backlog at the end", left, 0, "= 0",
         "ok" if not left else "MISSED"),
    ]
    print("\nfleetmodd webhooks across a %d s outage, %s, %d CPU(s)"
          % (opts.outage, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             os.cpu_count()))
    print("receiver: python3 http.server on 127.0.0.1, 204 to every POST; "
          "fleetmodd's default max_backoff (300 s)\n")
    fmt = "%-66s | %10s | %10s | %-18s | %s"
    print(fmt % ("name", "measured", "expected", "target", "verdict"))
    for r in rows:
        print(fmt % r)
    missed = sum(r[4] == "MISSED" for r in rows)
    print("\nbench: %s" % ("every target met" if not missed
                           else "%d target(s) missed" % missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
