#!/usr/bin/env python3
"""fleetmodd end to end (fleetmodd(8), fleetmodd.conf(5)).

Run by `make check-fleetmodd`. A real fleetmodd in front of a real
mobway.so (dlopen) talking to its own mobway-sim, journaling into a real
SQLite file, driven over its unix socket with Python's http.client (a
small UnixHTTPConnection) and with curl --unix-socket. The simulator's
counters are the witness of what reached Mobway. Each test is named for
the rule it checks. Prints "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import pwd
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mobway_sim import MobwaySim  # noqa: E402
from testrun import Skip, check, run_tests, test  # noqa: E402
from testenv import free_port, write  # noqa: E402
from fmd import Service, UnixHTTPConnection  # noqa: E402

VIN = "6AHFT68CKAF501652"    # all six commands
VIN2 = "9BWZZZ377VT004251"   # location, lock_door, unlock_door
VIN_OEM_FAIL = "3VWFE21C04M000001"
ME = pwd.getpwuid(os.getuid()).pw_name
# fleetmodd(8): the HTTP status of each rc.
STATUS = {"EINVAL": 400, "EREFUSED": 409, "EDENIED": 403, "ENOTFOUND": 404,
          "ECONFIRM": 422, "ERATELIMIT": 429, "EUNREACHABLE": 503,
          "EUNKNOWN": 504, "EAUTH": 502, "EPROVIDER": 502}
HERE = os.path.dirname(os.path.abspath(__file__))
# The Makefile's $(MEMCHECK), for a run of this file by hand.
DEFAULT_MEMCHECK = ("valgrind -q --error-exitcode=99 --leak-check=full "
                    "--errors-for-leak-kinds=definite,indirect "
                    "--show-leak-kinds=definite,indirect")
TOP = os.path.join(HERE, "..", "..")

opts = None


def sim(*args):
    return MobwaySim(opts.sim, *args)


def posts(s):
    """Commands that reached Mobway (POST /vehicle-command, any answer)."""
    return sum(s.stats()["requests"]["POST /vehicle-command"].values())


def send(svc, vin=VIN, command="location", **kw):
    body = {"vin": vin, "command": command}
    body.update(kw)
    return svc.request("POST", "/v1/commands", body)


def until(cond, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("not within %d s: %s" % (timeout, what))


# ---- routes and answers ---------------------------------------------------

@test
def health_names_the_providers_and_the_journal():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        status, hdrs, body = svc.request("GET", "/v1/health")
        check(status == 200 and body["status"] == "ok", "health: %r" % body)
        p = body["providers"][0]
        check(p["provider"] == "mobway" and p["state"] == "ready" and
              p["breaker"] == "closed", "provider: %r" % p)
        check(body["journal"] == {"reachable": True, "host_id": "fmd-test",
                                  "error": None}, "journal: %r" % body)
        check(hdrs["content-type"] == "application/json", "type %r" % hdrs)


@test
def a_send_is_201_with_its_journal_and_the_requester_is_the_peers_login():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        status, _, body = send(svc, requester="mallory")
        check(status == 201, "status %d %r" % (status, body))
        check(body["status"] == "pending" and body["journal"], "%r" % body)
        rows = svc.rows()
        check(len(rows) == 1 and rows[0]["journal_id"] == body["journal"],
              "rows %r" % rows)
        check(rows[0]["requester"] == ME,
              "requester %r, expected the peer's login %r (the body said "
              "mallory)" % (rows[0]["requester"], ME))
        check(posts(s) == 1, "one command reached Mobway")


@test
def curl_over_the_unix_socket_sends_and_reads_back():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        code, out = svc.curl("-H", "Content-Type: application/json", "-d",
                             json.dumps({"vin": VIN2, "command": "lock_door"}),
                             "http://localhost/v1/commands")
        check(code == 201, "curl POST: %d %s" % (code, out))
        journal = json.loads(out)["journal"]
        code, out = svc.curl("http://localhost/v1/commands/%s?wait=10"
                             % journal)
        check(code == 200 and json.loads(out)["status"] == "success",
              "curl GET with wait: %d %s" % (code, out))


@test
def wait_answers_the_terminal_state_and_get_asks_through_the_guard():
    with sim("--complete-ms", "300") as s, Service(opts, s) as svc:
        svc.start()
        status, _, body = send(svc, wait=10)
        check(status == 201 and body["status"] == "success" and
              body["terminal"] is True, "send with wait: %r" % body)
        before = s.stats()["requests"]["GET /vehicle-command/{id}"]
        status, _, again = svc.request("GET", "/v1/commands/" +
                                       body["journal"])
        check(status == 200 and again["status"] == "success" and
              again["journal"] == body["journal"], "GET: %r" % again)
        after = s.stats()["requests"]["GET /vehicle-command/{id}"]
        check(sum(after.values()) == sum(before.values()) + 1,
              "GET asked Mobway once")
        check(svc.rows()[0]["state"] == "success", "journal state")


@test
def confirm_with_a_wrong_code_is_422_and_with_the_right_one_200():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        status, _, body = send(svc, command="disable_ignition")
        check(status == 201 and body["status"] == "confirmation" and
              re.fullmatch(r"\d{6}", body.get("code", "")), "%r" % body)
        j = body["journal"]
        wrong = "000000" if body["code"] != "000000" else "111111"
        status, _, bad = svc.request("POST", "/v1/commands/%s/confirm" % j,
                                     {"code": wrong})
        check(status == 422 and bad["error"]["name"] == "ECONFIRM",
              "wrong code: %d %r" % (status, bad))
        status, _, ok = svc.request("POST", "/v1/commands/%s/confirm" % j,
                                    {"code": body["code"], "wait": 10})
        check(status == 200 and ok["status"] == "success", "confirm: %r" % ok)


@test
def no_confirmation_code_is_kept_by_idempotency_keys_or_webhook_events():
    port = free_port()
    url = "http://127.0.0.1:%d/fleet-events" % port
    with sim() as s, Service(opts, s, webhook=(url, "whsec-3")) as svc:
        svc.start()
        key = {"Idempotency-Key": "ign-1"}
        body = {"vin": VIN, "command": "disable_ignition"}
        status, _, first = svc.request("POST", "/v1/commands", body, key)
        code = first.get("code", "")
        check(status == 201 and re.fullmatch(r"\d{6}", code),
              "the first answer carries the code: %r" % first)
        status, _, again = svc.request("POST", "/v1/commands", body, key)
        check(status == 201 and "code" not in again and
              again["journal"] == first["journal"],
              "the repeat answers without the code: %r" % again)
        check(svc.request("GET", "/v1/health")[2]["webhook"]["backlog"] >= 1,
              "an event was queued")
        svc.stop()
        for name in os.listdir(svc.dir):
            if name.startswith("journal.db"):
                with open(svc.p(name), "rb") as f:
                    check(code.encode() not in f.read(),
                          "the code %s is in %s" % (code, name))
        check(code not in svc.stderr(), "the code is in the log")


@test
def a_batch_sends_each_vin_and_answers_each_result():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        status, _, body = svc.request("POST", "/v1/batches", {
            "vins": [VIN, VIN2], "command": "location"})
        check(status == 201 and body["status"] == "batch", "%r" % body)
        res = body["results"]
        check([r["vin"] for r in res] == [VIN, VIN2] and
              all(r["journal"] for r in res), "results %r" % res)
        check(posts(s) == 2, "two commands reached Mobway")


FIXTURES = """[company demo]
client_id = demo-client
client_secret = demo-secret
sign_secret = demo-sign-secret
[vehicle %s]
company = demo
commands = location, diagnostics, lock_door, unlock_door, enable_ignition, disable_ignition
[vehicle %s]
company = demo
commands = location, lock_door, unlock_door
[vehicle %s]
company = demo
commands = location
fail = oem_send_fail
""" % (VIN, VIN2, VIN_OEM_FAIL)


def mapped(status, hdrs, body, name):
    check(body.get("error", {}).get("name") == name,
          "expected %s, got %d %r" % (name, status, body))
    check(status == STATUS[name], "%s answered %d, fleetmodd(8) says %d"
          % (name, status, STATUS[name]))
    check(body["error"]["delivered"] in ("no", "yes", "unknown"),
          "delivered missing: %r" % body)


@test
def every_rc_gets_the_http_status_of_service_md():
    d = __import__("tempfile").mkdtemp(prefix="fleetmodd-fix.")
    fx = write(os.path.join(d, "fixtures.ini"), FIXTURES, 0o644)
    policy = "[command lock_door]\nduplicate = reject\n"
    with sim("--fixtures", fx, "--complete-ms", "60000") as s, \
            Service(opts, s, policy=policy) as svc:
        svc.start()
        mapped(*send(svc, vin="not-a-vin!"), "EINVAL")
        mapped(*send(svc, vin=VIN2, command="diagnostics"), "EDENIED")
        mapped(*svc.request("GET", "/v1/commands/NOSUCHJOURNALID"),
               "ENOTFOUND")
        mapped(*send(svc, vin=VIN_OEM_FAIL), "EPROVIDER")
        check(send(svc, vin=VIN2, command="lock_door")[0] == 201, "first")
        mapped(*send(svc, vin=VIN2, command="lock_door"), "EREFUSED")
        s.set_faults(reset_after=100)
        mapped(*send(svc, command="unlock_door"), "EUNKNOWN")
        s.clear_faults()
        # Last of the sends: a 429 pauses the provider's sends (guard.h).
        s.set_faults(ratelimit=100)
        status, hdrs, body = send(svc)
        mapped(status, hdrs, body, "ERATELIMIT")
        check(int(hdrs.get("retry-after", "0")) >= 1, "Retry-After %r" % hdrs)
        s.clear_faults()
        # The guard pauses the provider's sends for the Retry-After it was
        # given (guard.h); the rest starts after it.
        time.sleep(int(hdrs["retry-after"]) + 0.2)
        status, _, body = send(svc, command="disable_ignition")
        mapped(*svc.request("POST", "/v1/commands/%s/confirm"
                            % body["journal"], {"code": "999999"}
                            if body.get("code") != "999999" else
                            {"code": "000000"}), "ECONFIRM")
        port = s.port
        s.stop()
        mapped(*send(svc, command="diagnostics"), "EUNREACHABLE")
        with sim("--port", str(port)) as s2:
            write(svc.p("mobway.client_secret"), "not-the-secret\n")
            svc.stop()
            svc.start()
            mapped(*send(svc, vin=VIN2), "EAUTH")
            s2.stop()


# ---- bad input ------------------------------------------------------------

@test
def bad_input_gets_a_json_error_and_nothing_reaches_a_module():
    with sim() as s, Service(opts, s, service="max_body = 1048576\n") as svc:
        svc.start()
        cases = [
            ("POST", "/v1/commands", b"{not json", 400),
            ("POST", "/v1/commands", b"[1, 2]", 400),
            ("POST", "/v1/commands", json.dumps(
                {"vin": 17, "command": "location"}).encode(), 400),
            ("POST", "/v1/commands", json.dumps(
                {"vin": VIN, "command": "location", "wait": "soon"}).encode(),
             400),
            ("POST", "/v1/commands", json.dumps(
                {"vin": VIN, "command": "location", "extra": 1}).encode(),
             400),
            ("POST", "/v1/commands", json.dumps({"vin": VIN}).encode(), 400),
            ("POST", "/v1/commands", json.dumps(
                {"vin": VIN, "vin": VIN, "command": "x"}).encode()
             .replace(b'"vin": "%s", "command"' % VIN.encode(),
                      b'"vin": "%s", "vin": "%s", "command"'
                      % (VIN.encode(), VIN.encode())), 400),
            ("POST", "/v1/batches", json.dumps(
                {"vins": [], "command": "location"}).encode(), 400),
            ("GET", "/v1/nothing-here", None, 404),
            ("GET", "/v1/commands/a/b/c", None, 404),
            ("DELETE", "/v1/commands", None, 405),
            ("PUT", "/v1/health", None, 405),
            ("GET", "/v1/commands?limit=0", None, 400),
            ("GET", "/v1/commands?state=flying", None, 400),
        ]
        for method, path, raw, want in cases:
            status, hdrs, body = svc.request(method, path, raw=raw)
            check(status == want, "%s %s: %d, expected %d: %r"
                  % (method, path, status, want, body))
            check(isinstance(body, dict) and body["error"]["delivered"] ==
                  "no" and hdrs["content-type"] == "application/json",
                  "%s %s: not a JSON error: %r" % (method, path, body))
            if want == 405:
                check(hdrs.get("allow"), "405 without Allow")
        # 2 MiB over a max_body of 1 MiB: answered before the body is read
        # (curl waits for it with Expect: 100-continue).
        big = write(svc.p("big.json"), "x" * (2 << 20))
        code, out = svc.curl("-H", "Content-Type: application/json",
                             "--data-binary", "@" + big,
                             "http://localhost/v1/commands")
        check(code == 413 and json.loads(out)["error"]["delivered"] == "no",
              "2 MiB: %d %s" % (code, out[:200]))
        check(posts(s) == 0, "a bad request reached Mobway")
        check(svc.rows() == [], "a bad request was journaled")


@test
def a_body_larger_than_a_connections_header_buffer_is_read_whole():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        reason = "r" * (200 << 10)
        status, _, body = send(svc, reason=reason)
        check(status == 201, "200 KiB body: %d %r" % (status, body))
        check(svc.rows()[0]["reason"] == reason, "the reason arrived cut")


@test
def an_oversized_body_without_content_length_is_413_too():
    with sim() as s, Service(opts, s, service="max_body = 1024\n") as svc:
        svc.start()
        c = UnixHTTPConnection(svc.sock)
        c.putrequest("POST", "/v1/commands")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"x" * 4096
        c.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
        r = c.getresponse()
        body = json.loads(r.read())
        check(r.status == 413 and body["error"]["delivered"] == "no",
              "chunked: %d %r" % (r.status, body))
        check(posts(s) == 0, "reached Mobway")


# ---- load and clients that leave -------------------------------------------

@test
def a_thousand_concurrent_connections_all_get_answers():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        socks = []
        for _ in range(1000):
            k = socket.socket(socket.AF_UNIX)
            k.settimeout(120)
            k.connect(svc.sock)
            socks.append(k)
        # Every connection is open at once; now each asks.
        for k in socks:
            k.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
        ok = 0
        for k in socks:
            data = b""
            while True:
                part = k.recv(65536)
                if not part:
                    break
                data += part
            k.close()
            ok += data.startswith(b"HTTP/1.1 200")
        check(ok == 1000, "%d of 1000 connections got 200" % ok)


@test
def a_client_that_leaves_mid_call_still_gets_its_outcome_journaled():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        s.set_faults(latency=1500)
        c = UnixHTTPConnection(svc.sock)
        c.request("POST", "/v1/commands", body=json.dumps(
            {"vin": VIN, "command": "location"}),
            headers={"Content-Type": "application/json"})
        # The intent is journaled before the module is called: once the
        # row is there, the call is in flight (Mobway answers after 1.5 s).
        until(lambda: svc.rows(), "the intent in the journal")
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        row = until(lambda: [r for r in svc.rows() if r["rc"] is not None],
                    "the outcome in the journal")[0]
        check(row["rc"] == 0 and row["delivered"] == "yes" and
              row["provider_id"], "row %r" % row)
        check(posts(s) == 1, "sent once")


@test
def a_silent_client_is_cut_after_connection_timeout_and_others_are_served():
    with sim() as s, Service(opts, s, service="connection_timeout = 1\n") \
            as svc:
        svc.start()
        k = socket.socket(socket.AF_UNIX)
        k.settimeout(30)
        k.connect(svc.sock)
        k.sendall(b"POST /v1/commands HTTP/1.1\r\nHost: x\r\n")  # and no more
        status, _, body = svc.request("GET", "/v1/health")
        check(status == 200, "another client was not served: %r" % body)
        check(k.recv(4096) == b"", "the silent client was not cut within "
              "the test's bound")
        k.close()
        check(posts(s) == 0 and svc.rows() == [], "the half request ran")


# ---- who is asking ------------------------------------------------------------

@test
def the_requester_is_the_login_of_the_peers_uid_not_the_bodys():
    if os.getuid() != 0:
        from testrun import Skip
        raise Skip("needs root to connect as another user")
    with sim() as s, Service(opts, s, service="socket_mode = 0666\n") as svc:
        svc.start()
        os.chmod(svc.dir, 0o755)
        body = json.dumps({"vin": VIN, "command": "location",
                           "requester": "root"})
        nobody = pwd.getpwnam("nobody")

        def drop():
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
        # curl, run as nobody: any client program may be on the other end.
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w",
                            "%{http_code}", "--unix-socket", svc.sock, "-H",
                            "Content-Type: application/json", "-d", body,
                            "http://localhost/v1/commands"],
                           capture_output=True, text=True, preexec_fn=drop,
                           timeout=60)
        check(r.stdout.strip() == "201", "as nobody", r)
        check([row["requester"] for row in svc.rows()] == ["nobody"],
              "requester %r" % svc.rows())


@test
def a_config_error_names_the_file_and_line_and_nothing_starts():
    with sim() as s, Service(opts, s) as svc:
        for extra, words in (("colour = blue\n", "unknown key colour"),
                             ("max_body = lots\n", "max_body: expected"),
                             ("[sevrice]\nthreads = 2\n",
                              "unknown section [sevrice]")):
            svc.configure(service=extra)
            r = svc.run("--foreground", "--config", svc.p("fleetmodd.conf"))
            lines = open(svc.p("fleetmodd.conf")).read().splitlines()
            last = extra.splitlines()[-1]
            line = 1 + max(i for i, x in enumerate(lines) if x == last)
            check(r.returncode == 1 and "%s:%d: %s" % (
                svc.p("fleetmodd.conf"), line, words) in r.stderr,
                  "%r" % extra, r)
        example = os.path.join(TOP, "service", "fleetmodd",
                               "fleetmodd.conf.example")
        r = svc.run("--foreground", "--config", example)
        check(r.returncode == 1 and "fleetmodd.conf.example" not in r.stderr,
              "the example config itself is refused", r)
        r = svc.run("--help")
        check(r.returncode == 0 and "--config" in r.stdout, "--help", r)
        r = svc.run("--bogus")
        check(r.returncode == 64, "usage error", r)

def keys_file(svc, lines, mode=0o600):
    return write(svc.p("api-keys"), "".join(
        "%s %s %s\n" % (name, hashlib.sha256(key.encode()).hexdigest(),
                        globs) for name, key, globs in lines), mode)


def tcp(port, method, path, body=None, key=None):
    c = __import__("http.client").client.HTTPConnection("127.0.0.1", port,
                                                       timeout=30)
    h = {"Content-Type": "application/json"}
    if key:
        h["Authorization"] = "Bearer " + key
    c.request(method, path, body=None if body is None else json.dumps(body),
              headers=h)
    r = c.getresponse()
    out = json.loads(r.read())
    c.close()
    return r.status, out


@test
def api_keys_401_without_a_valid_key_403_outside_its_globs_on_tcp():
    with sim() as s, Service(opts, s) as svc:
        port = free_port()
        keys = keys_file(svc, [("ops-dashboard", "k-ops-1", ""),
                               ("reader", "k-read-2", "location,diag*")])
        svc.configure(service="listen = 127.0.0.1:%d\napi_keys_file = %s\n"
                      % (port, keys))
        svc.start()
        for key in (None, "wrong", "k-ops-1x"):
            status, body = tcp(port, "POST", "/v1/commands",
                               {"vin": VIN, "command": "location"}, key)
            check(status == 401 and body["error"]["delivered"] == "no",
                  "key %r: %d %r" % (key, status, body))
        status, body = tcp(port, "POST", "/v1/commands",
                           {"vin": VIN2, "command": "lock_door"}, "k-read-2")
        check(status == 403 and body["error"]["name"] == "EDENIED",
              "outside globs: %d %r" % (status, body))
        check(posts(s) == 0 and svc.rows() == [],
              "a refused key's request was sent or journaled")
        status, body = tcp(port, "POST", "/v1/commands",
                           {"vin": VIN, "command": "location",
                            "requester": "root"}, "k-read-2")
        check(status == 201, "inside globs: %d %r" % (status, body))
        status, body = tcp(port, "POST", "/v1/commands",
                           {"vin": VIN2, "command": "unlock_door"}, "k-ops-1")
        check(status == 201, "no globs: %d %r" % (status, body))
        who = sorted(r["requester"] for r in svc.rows())
        check(who == ["ops-dashboard", "reader"], "requesters %r" % who)
        svc.stop()
        log = svc.stderr()
        check("k-ops-1" not in log and "k-read-2" not in log and
              "POST /v1/commands 201 reader" in log,
              "an API key in the log, or no line naming the key's owner")


@test
def a_tcp_listener_without_keys_or_off_loopback_without_tls_refuses_to_start():
    with sim() as s, Service(opts, s) as svc:
        svc.configure(service="listen = 127.0.0.1:%d\n" % free_port())
        r = svc.run("--foreground", "--config", svc.p("fleetmodd.conf"))
        check(r.returncode == 1 and "api_keys_file" in r.stderr,
              "no keys", r)
        keys = keys_file(svc, [("a", "k", "")])
        svc.configure(service="listen = 0.0.0.0:%d\napi_keys_file = %s\n"
                      % (free_port(), keys))
        r = svc.run("--foreground", "--config", svc.p("fleetmodd.conf"))
        check(r.returncode == 1 and "loopback" in r.stderr, "no TLS", r)
        keys = keys_file(svc, [("a", "k", "")], 0o644)
        svc.configure(service="listen = 127.0.0.1:%d\napi_keys_file = %s\n"
                      % (free_port(), keys))
        r = svc.run("--foreground", "--config", svc.p("fleetmodd.conf"))
        check(r.returncode == 1 and "others" in r.stderr, "0644 keys", r)
        check(not os.path.exists(svc.sock), "a refused start left a socket")


@test
def tls_on_tcp_serves_https_with_the_configured_certificate():
    from mobway_sim import make_ca
    with sim() as s, Service(opts, s) as svc:
        ca, cert, key = make_ca(svc.dir)
        port = free_port()
        keys = keys_file(svc, [("tls-user", "k-tls", "")])
        svc.configure(service="listen = 0.0.0.0:%d\napi_keys_file = %s\n"
                      "tls_cert = %s\ntls_key = %s\n"
                      % (port, keys, cert, key))
        svc.start()
        ctx = ssl.create_default_context(cafile=ca)
        req = urllib.request.Request(
            "https://127.0.0.1:%d/v1/health" % port,
            headers={"Authorization": "Bearer k-tls"})
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            check(r.status == 200 and json.load(r)["status"] == "ok",
                  "https health")


# ---- idempotency ------------------------------------------------------------

@test
def an_idempotency_key_answers_the_first_reply_again_even_after_a_restart():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        key = {"Idempotency-Key": "order-4711"}
        body = {"vin": VIN2, "command": "lock_door"}
        first = svc.request("POST", "/v1/commands", body, key)
        check(first[0] == 201, "first %r" % (first,))
        again = svc.request("POST", "/v1/commands", body, key)
        check(again[0] == first[0] and again[2] == first[2],
              "repeat: %r vs %r" % (again, first))
        other = svc.request("POST", "/v1/commands",
                            {"vin": VIN2, "command": "unlock_door"}, key)
        check(other[0] == 422 and other[2]["error"]["delivered"] == "no",
              "same key, other body: %r" % (other,))
        check(posts(s) == 1, "sent %d times" % posts(s))
        check(svc.stop() == 0, "SIGTERM exit status")
        svc.start()
        after = svc.request("POST", "/v1/commands", body, key)
        check(after[0] == first[0] and after[2] == first[2],
              "after a restart: %r" % (after,))
        check(posts(s) == 1, "sent again after the restart")
        mine = svc.request("POST", "/v1/commands", body,
                           {"Idempotency-Key": "order-4712"})
        check(mine[0] == 201 and posts(s) == 2, "a new key sends")


@test
def racing_requests_with_one_idempotency_key_send_once():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        s.set_faults(latency=300)
        out = []

        def one():
            out.append(svc.request("POST", "/v1/commands",
                                   {"vin": VIN, "command": "location"},
                                   {"Idempotency-Key": "race-1"})[0])
        ts = [threading.Thread(target=one) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(posts(s) == 1, "sent %d times" % posts(s))
        check(out.count(201) >= 1 and set(out) <= {201, 409},
              "answers %r" % out)


class PgCluster:
    """A throwaway PostgreSQL cluster (tests/pg/pg-cluster.sh)."""

    LIB = os.path.join(TOP, "tests", "pg", "pg-cluster.sh")

    def __init__(self):
        r = subprocess.run(["sh", "-c", '. "$0" && pg_start >&2 && '
                            'printf "%s\\n%s\\n%s\\n" "$PG_URL" "$PG_DIR" '
                            '"$PG_OWNER"', self.LIB], capture_output=True,
                           text=True, timeout=120)
        if r.returncode != 0:
            from testrun import Skip
            raise Skip("no PostgreSQL server: " + r.stderr.strip()[-200:])
        self.url, self.dir, self.owner = r.stdout.split("\n")[:3]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        subprocess.run(["sh", "-c", '. "$0" && PG_DIR=$1 PG_OWNER=$2 pg_stop',
                        self.LIB, self.dir, self.owner], timeout=120)


@test
def on_a_postgresql_journal_an_idempotency_key_holds_across_two_machines():
    if not opts.journal_pg:
        from testrun import Skip
        raise Skip("no --journal-pg")
    os.environ["FLEETMOD_MODULE_PATH"] = os.path.dirname(opts.journal_pg)
    with PgCluster() as pg, sim() as s, \
            Service(opts, s, journal=pg.url, host_id="gw-a") as a, \
            Service(opts, s, journal=pg.url, host_id="gw-b") as b:
        a.start()
        b.start()
        body = {"vin": VIN2, "command": "lock_door"}
        out = []

        def one(svc):
            out.append(svc.request("POST", "/v1/commands", body,
                                   {"Idempotency-Key": "fleet-77"}))
        ts = [threading.Thread(target=one, args=(svc,))
              for svc in (a, b) * 4]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(posts(s) == 1, "sent %d times across two machines" % posts(s))
        firsts = [r for r in out if r[0] == 201]
        check(firsts and all(r[0] in (201, 409) for r in out),
              "answers %r" % [r[0] for r in out])
        again = b.request("POST", "/v1/commands", body,
                          {"Idempotency-Key": "fleet-77"})
        check(again[0] == 201 and again[2] == firsts[0][2],
              "machine b answers machine a's reply: %r" % (again,))
        rows = a.rows()
        check(len(rows) == 1 and rows[0]["host_id"] in ("gw-a", "gw-b"),
              "one command journaled: %r" % rows)


# ---- paging ---------------------------------------------------------------------

@test
def listing_pages_through_every_command_once_newest_first():
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        made = [send(svc, command=c)[2]["journal"]
                for c in ("location", "diagnostics", "lock_door",
                          "unlock_door", "location")]
        seen, after = [], None
        while True:
            q = "/v1/commands?limit=2" + ("&after=" + after if after else "")
            status, _, page = svc.request("GET", q)
            check(status == 200 and len(page["commands"]) <= 2, "%r" % page)
            seen += [r["journal_id"] for r in page["commands"]]
            after = page["next"]
            if not after:
                break
        check(sorted(seen) == sorted(made) and len(seen) == 5,
              "pages %r, made %r" % (seen, made))
        created = [r["created_at"] for r in svc.rows()]
        check(created == sorted(created, reverse=True), "newest first")
        vin = svc.rows("&vin=" + VIN2)
        check(vin == [], "vin filter: %r" % vin)
        check(all(r["state"] == "pending" for r in svc.rows("&state=pending")),
              "state filter")


# ---- metrics and the document -------------------------------------------------

def openmetrics_parse(text):
    """prometheus_client's OpenMetrics parser over text (it raises on
    anything invalid): [(family, type)]. Debian's python3-prometheus-client
    installs it for the system python3."""
    code = ("import sys\n"
            "from prometheus_client.openmetrics.parser import "
            "text_string_to_metric_families as parse\n"
            "for f in parse(sys.stdin.read()): print(f.name, f.type)\n")
    for py in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(py) and subprocess.run(
                [py, "-c", "import prometheus_client"],
                capture_output=True).returncode == 0:
            r = subprocess.run([py, "-c", code], input=text,
                               capture_output=True, text=True)
            check(r.returncode == 0, "the OpenMetrics parser refuses it", r)
            return [tuple(x.split()) for x in r.stdout.splitlines()]
    raise AssertionError("no python3 with prometheus_client "
                         "(python3-prometheus-client; make deps)")


@test
def metrics_are_openmetrics_with_calls_and_backlog():
    policy = "[provider mobway]\nquota = 100/day\n"
    with sim() as s, Service(opts, s, policy=policy) as svc:
        svc.start()
        send(svc)
        status, hdrs, text = svc.request("GET", "/metrics")
        check(status == 200 and hdrs["content-type"].startswith(
            "application/openmetrics-text"), "type %r" % hdrs)
        check(text.endswith("# EOF\n"), "no # EOF at the end")
        check(re.search(r'fleetmodd_calls_total\{provider="mobway",'
                        r'command="location",outcome="OK"\} 1\n', text),
              "calls: %s" % text)
        check("fleetmodd_webhook_backlog 0\n" in text, "backlog")
        check(re.search(r'fleetmodd_unresolved\{provider="mobway",'
                        r'command="location"\} 1\n', text), "unresolved")
        send(svc, command="diagnostics")
        text = svc.request("GET", "/metrics")[2]
        check(re.search(r'fleetmodd_quota_left\{provider="mobway"\} 98\n',
                        text), "quota left: %s" % text)
        fams = dict(openmetrics_parse(text))
        check(fams.get("fleetmodd_calls") == "counter" and
              fams.get("fleetmodd_call_seconds") == "summary" and
              fams.get("fleetmodd_webhook_backlog") == "gauge",
              "families %r" % fams)


def document_routes():
    with open(os.path.join(TOP, "service", "fleetmodd", "openapi.json")) as f:
        doc = json.load(f)
    return doc, {p: sorted(m.upper() for m in ops)
                 for p, ops in doc["paths"].items()}


def source_routes():
    with open(os.path.join(TOP, "service", "fleetmodd", "routes.c")) as f:
        src = f.read()
    return set(re.findall(r'"(/(?:v1|metrics)[^"]*)"', src)) - {
        "/v1/commands/", "/confirm"}


@test
def the_openapi_document_is_served_and_matches_the_routes():
    doc, routes = document_routes()
    with sim() as s, Service(opts, s) as svc:
        svc.start()
        status, _, served = svc.request("GET", "/v1/openapi.json")
        check(status == 200 and served == doc, "served document differs")
        check(doc["openapi"].startswith("3.1"), "not OpenAPI 3.1")
        for path, methods in routes.items():
            concrete = path.replace("{journal}", "NOSUCHID")
            status, hdrs, _ = svc.request("PATCH", concrete)
            check(status == 405, "%s: PATCH answered %d" % (path, status))
            allow = sorted(m.strip() for m in hdrs["allow"].split(","))
            check(allow == methods, "%s: the service allows %r, the "
                  "document %r" % (path, allow, methods))
        fixed = {p for p in routes if "{" not in p}
        check(source_routes() <= fixed | {"/v1/commands"},
              "routes.c has paths the document lacks: %r"
              % (source_routes() - fixed))


# ---- webhooks -------------------------------------------------------------------

class Receiver:
    """A webhook receiver on port that refuses each event's first delivery
    (500), so that every event is repeated."""

    def __init__(self, port, secret):
        self.got, self.secret, self.bad = [], secret.encode(), []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                sig = self.headers.get("X-Signature", "")
                want = hmac.new(outer.secret, raw, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(sig, want):
                    outer.bad.append(raw)
                ev = json.loads(raw)
                first = all(e["event_id"] != ev["event_id"]
                            for e, _ in outer.got)
                outer.got.append((ev, raw))
                self.send_response(500 if first else 204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


@test
def webhooks_reach_a_receiver_that_was_down_signed_at_least_once():
    port = free_port()
    secret = "whsec-test-1"
    url = "http://127.0.0.1:%d/fleet-events" % port
    with sim("--complete-ms", "200") as s, \
            Service(opts, s, webhook=(url, secret)) as svc:
        svc.start()
        journals = [send(svc, command=c)[2]["journal"]
                    for c in ("location", "diagnostics", "lock_door")]
        # The receiver is down: the events wait in the journal's outbox.
        until(lambda: all(r["state"] == "success" for r in svc.rows()),
              "the watcher saw every command end")
        status, _, h = svc.request("GET", "/v1/health")
        check(h["webhook"]["backlog"] >= 6, "backlog %r" % h)
        rcv = Receiver(port, secret)
        try:
            want = {"%s:%s" % (j, st) for j in journals
                    for st in ("pending", "success")}

            def delivered():
                ids = [e["event_id"] for e, _ in rcv.got]
                return all(ids.count(i) >= 2 for i in want)
            until(delivered, "every event delivered twice (500, then 2xx)",
                  timeout=60)
            check(not rcv.bad, "a signature did not verify: %r" % rcv.bad)
            by_id = {}
            for ev, raw in rcv.got:
                by_id.setdefault(ev["event_id"], set()).add(raw)
                check(ev["journal"] == ev["event_id"].split(":")[0] and
                      ev["reply"]["journal"] == ev["journal"], "%r" % ev)
            check(all(len(v) == 1 for v in by_id.values()),
                  "a repeat differs from its first delivery")
            check(set(by_id) == want, "events %r" % sorted(by_id))
            until(lambda: svc.request("GET", "/v1/health")[2]["webhook"]
                  ["backlog"] == 0, "the outbox emptied")
        finally:
            rcv.stop()


@test
def webhook_events_waiting_in_the_outbox_survive_a_restart():
    port = free_port()
    secret = "whsec-test-2"
    url = "http://127.0.0.1:%d/fleet-events" % port
    with sim("--complete-ms", "200") as s, \
            Service(opts, s, webhook=(url, secret)) as svc:
        svc.start()
        j = send(svc, wait=10)[2]["journal"]
        check(svc.stop() == 0, "SIGTERM exit status")
        svc.start()
        rcv = Receiver(port, secret)
        try:
            want = {"%s:pending" % j, "%s:success" % j}
            until(lambda: want <= {e["event_id"] for e, _ in rcv.got} and
                  all([e["event_id"] for e, _ in rcv.got].count(i) >= 2
                      for i in want), "the events queued before the restart")
            check(not rcv.bad, "a signature did not verify")
        finally:
            rcv.stop()


@test
def the_watcher_asks_only_about_the_commands_its_own_host_id_journaled():
    # fleetmodd(8): each machine watches its own; another's are adopted
    # with fleetcmd reconcile --host-id. Mobway ends each command 2 s after it
    # was sent: machine a's before machine b's.
    with sim("--complete-ms", "2000") as s, \
            Service(opts, s, host_id="gw-a") as a:
        with Service(opts, s, journal="sqlite:" + a.p("journal.db"),
                     host_id="gw-b") as b:
            a.start()
            theirs = send(a)[2]["journal"]
            check(a.stop() == 0, "machine a stopped")
            b.start()
            before = {r["journal_id"]: r["state"] for r in b.rows()}
            mine = send(b, vin=VIN2, command="lock_door")[2]["journal"]

            def settled():
                rows = {r["journal_id"]: r["state"] for r in b.rows()}
                return rows if rows[mine] == "success" else None
            after = until(settled, "b's watcher settles b's command")
    check(before[theirs] == "pending", "a's command left pending: %r"
          % before)
    # The round that saw b's command end would have seen a's, which ended
    # earlier, had it asked.
    check(after[theirs] == "pending", "b's watcher left a's command "
          "alone: %r" % after)


@test
def sigterm_finishes_calls_in_flight_and_a_restart_resumes_watching():
    with sim("--complete-ms", "1500") as s, Service(opts, s) as svc:
        svc.start()
        s.set_faults(latency=800)
        out = []

        def one(vin, cmd):
            out.append(send(svc, vin=vin, command=cmd)[0])
        ts = [threading.Thread(target=one, args=a) for a in
              ((VIN, "location"), (VIN, "diagnostics"), (VIN2, "lock_door"))]
        for t in ts:
            t.start()
        # Three intents journaled: three calls in flight (Mobway answers
        # after 800 ms).
        until(lambda: len(svc.rows()) == 3, "the three intents")
        check(svc.stop() == 0, "SIGTERM exit status")
        for t in ts:
            t.join()
        check(out == [201, 201, 201], "answers in flight: %r" % out)
        s.clear_faults()
        db = svc.p("journal.db")
        states = subprocess.run(["sqlite3", db, "SELECT state FROM "
                                 "fleetmod_commands"], capture_output=True,
                                text=True).stdout.split()
        check(sorted(states) == ["pending"] * 3, "after stop: %r" % states)
        svc.start()
        until(lambda: all(r["state"] == "success" for r in svc.rows()),
              "the restarted service's watcher saw them end")
        check(posts(s) == 3, "sent again")


@test
def systemd_hears_ready_once_it_listens_and_stopping_on_sigterm():
    with sim() as s, Service(opts, s) as svc:
        path = svc.p("notify")
        note = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        note.bind(path)
        note.settimeout(30)
        os.environ["NOTIFY_SOCKET"] = path
        try:
            svc.start()
        finally:
            del os.environ["NOTIFY_SOCKET"]
        ready = note.recv(4096).decode()
        check("READY=1" in ready.split("\n"), "first notice %r" % ready)
        check(svc.request("GET", "/v1/health")[0] == 200, "listening")
        svc.proc.send_signal(signal.SIGTERM)
        stopping = note.recv(4096).decode()
        check("STOPPING=1" in stopping.split("\n"), "on SIGTERM %r" % stopping)
        check(svc.stop() == 0, "exit status")
        note.close()


@test
def sighup_reopens_the_log_file():
    with sim() as s, Service(opts, s) as svc:
        log = svc.p("fleetmodd.log")
        svc.configure(service="log = %s\n" % log)
        svc.start()
        svc.request("GET", "/v1/health")
        # the access line is written once the answer is out: wait for it,
        # or it may land in the reopened file and prove nothing
        until(lambda: "GET /v1/health 200" in open(log).read(),
              "a line in the first log")
        os.rename(log, log + ".1")
        svc.proc.send_signal(signal.SIGHUP)
        until(lambda: os.path.exists(log), "the log reopened")
        svc.request("GET", "/v1/health")
        until(lambda: "GET /v1/health 200" in open(log).read(),
              "a line in the new log")
        check("GET /v1/health 200" in open(log + ".1").read(), "old log")


# ---- under memcheck -------------------------------------------------------

@test
def memcheck_clean_for_every_route_and_sigterm():
    cmd = os.environ.get("MEMCHECK", DEFAULT_MEMCHECK)
    if not cmd.strip():
        raise Skip("MEMCHECK is empty (a sanitizer build checks memory "
                   "itself)")
    with sim("--complete-ms", "200") as s, Service(opts, s) as svc:
        svc.start(prefix=shlex.split(cmd), timeout=120)

        def ask(method, path, body=None, headers=None, raw=None, want=200):
            status, _, answer = svc.request(method, path, body, headers,
                                            raw, timeout=120)
            check(status == want, "%s %s: %d (want %d) %r"
                  % (method, path, status, want, answer))
            return answer

        sent = ask("POST", "/v1/commands", {"vin": VIN, "command":
                                            "location", "wait": 10},
                   want=201)
        check(sent.get("status") == "success", "send with wait %r" % sent)
        ask("GET", "/v1/commands/" + sent["journal"])
        ign = ask("POST", "/v1/commands", {"vin": VIN, "command":
                                           "disable_ignition"}, want=201)
        ask("POST", "/v1/commands/%s/confirm" % ign["journal"],
            {"code": ign.get("code", ""), "wait": 10})
        key = {"Idempotency-Key": "memcheck-1"}
        first = ask("POST", "/v1/commands", {"vin": VIN2, "command":
                                             "lock_door"}, key, want=201)
        again = ask("POST", "/v1/commands", {"vin": VIN2, "command":
                                             "lock_door"}, key, want=201)
        check(again["journal"] == first["journal"], "the repeat's journal")
        ask("POST", "/v1/batches", {"vins": [VIN, VIN2], "command":
                                    "location"}, want=201)
        page = ask("GET", "/v1/commands?limit=2")
        check(page.get("next"), "a first page with a next: %r" % page)
        ask("GET", "/v1/commands?limit=2&after=" + page["next"])
        ask("GET", "/v1/health")
        ask("GET", "/metrics")
        ask("GET", "/v1/openapi.json")
        ask("POST", "/v1/commands", raw=b'{"vin": ', want=400)
        ask("GET", "/v1/no-such-route", want=404)
        # location, ignition's two steps, lock_door once, the batch's two
        check(posts(s) == 6, "POSTs at Mobway: %d, want 6" % posts(s))
        rc = svc.stop()
        check(rc == 0, "fleetmodd under memcheck exited %r (99: memcheck "
              "errors): %s" % (rc, svc.stderr()[-4000:]))


def main():
    global opts
    ap = argparse.ArgumentParser()
    ap.add_argument("--fleetmodd", required=True)
    ap.add_argument("--mobway", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--journal-pg", help="journal_pg.so, for the tests of "
                    "a PostgreSQL journal")
    ap.add_argument("only", nargs="*")
    opts = ap.parse_args()
    opts.fleetmodd = os.path.abspath(opts.fleetmodd)
    opts.mobway = os.path.abspath(opts.mobway)
    if opts.journal_pg:
        opts.journal_pg = os.path.abspath(opts.journal_pg)
    return run_tests(opts.only)


if __name__ == "__main__":
    sys.exit(main())
