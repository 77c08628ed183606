#!/usr/bin/env python3
"""make bench-fleetmodd: fleetmodd's numbers (fleetmodd(8)), each against
a baseline of the same run. Not part of make check.

1. POST /v1/commands over the unix socket from 16 keep-alive connections,
   mobway-sim answering after 20 ms, against bench_direct (a C host calling
   the same guard from 16 threads): the ratio should be at least 0.8.
2. 10,000 open keep-alive connections (each has had one answer): the
   service's RSS should stay under 200 MiB.
Each run uses a fresh SQLite journal. Prints one line per figure.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
import socket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mobway_sim import MobwaySim  # noqa: E402
from fmd import Service, UnixHTTPConnection  # noqa: E402

VIN = "6AHFT68CKAF501652"
# Named in the output: the rate is the service's and this client's
# together, so a reader comparing runs must know which client drove it.
CLIENT = ("python3 %d.%d http.client over the unix socket, 16 keep-alive "
          "threads" % sys.version_info[:2])


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024.0
    return -1


def http_rate(svc, conns, calls):
    failed = []

    def worker():
        c = UnixHTTPConnection(svc.sock)
        for _ in range(calls):
            c.request("POST", "/v1/commands", body=json.dumps(
                {"vin": VIN, "command": "location"}),
                headers={"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 201:
                failed.append(r.status)
        c.close()
    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return conns * calls / (time.monotonic() - t0), failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fleetmodd", required=True)
    ap.add_argument("--mobway", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--direct", required=True)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--connections", type=int, default=10000)
    opts = ap.parse_args()
    for k in ("fleetmodd", "mobway", "sim", "direct"):
        setattr(opts, k, os.path.abspath(getattr(opts, k)))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = opts.connections + 100
    if hard < want:
        print("bench-fleetmodd: the descriptor limit (%d) is below %d"
              % (hard, want))
        return 1
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    with MobwaySim(opts.sim, "--complete-ms", "60000") as s:
        s.set_faults(latency=20)
        with Service(opts, s) as svc:
            r = subprocess.run([opts.direct, svc.p("stack.conf"),
                                svc.p("policy.conf"), "16", str(opts.calls),
                                VIN], capture_output=True, text=True)
            if r.returncode:
                print("bench_direct failed:", r.stdout, r.stderr)
                return 1
            direct = float(r.stdout.split()[1])
        with Service(opts, s) as svc:
            svc.start()
            rate, failed = http_rate(svc, 16, opts.calls)
        ratio = rate / direct
        print("client: %s" % CLIENT)
        print("POST /v1/commands, 16 connections, sim 20 ms: %.1f/s; the "
              "guard called directly: %.1f/s; ratio %.2f (want >= 0.80)%s"
              % (rate, direct, ratio, " FAILED %r" % failed[:5]
                 if failed else ""))
        s.clear_faults()
        with Service(opts, s) as svc:
            svc.start()
            socks = []
            for _ in range(opts.connections):
                k = socket.socket(socket.AF_UNIX)
                k.connect(svc.sock)
                k.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
                socks.append(k)
            ok = sum(k.recv(65536).startswith(b"HTTP/1.1 200")
                     for k in socks)
            rss = rss_mib(svc.proc.pid)
            print("%d open keep-alive connections (%d answered): RSS %.0f "
                  "MiB (want < 200)" % (len(socks), ok, rss))
            for k in socks:
                k.close()
    return 0 if ratio >= 0.8 and rss < 200 and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
