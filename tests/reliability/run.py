#!/usr/bin/env python3
"""Reliability and security checks of mobway.so inside a host.

    python3 tests/reliability/run.py --build build --sim build/bin/mobway-sim \
        --mobway build/modules/mobway.so --skeleton build/modules/skeleton.so \
        --skeleton-conf examples/providers/skeleton/skeleton.conf \
        --it-harness build/tests/mobway/test_mobway [--soak N] [--only NAME]

Each check prints "ok - NAME" or "not ok - NAME: why"; measured figures
are printed as "# ..." lines. Closes with "N passed, N failed" and exits
non-zero on any failure. SECURITY.md lists which claim each check backs.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from mobway_sim import MobwaySim, make_ca, sign  # noqa: E402
from hostile import Hostile, closed_port  # noqa: E402

CONNECT_MS, TIMEOUT_MS = 500, 1500
# The contract's bound: the configured timeout plus 10%, nothing more.
BOUND_MS = TIMEOUT_MS * 1.10
FIXTURES = "tests/mobway/fixtures.ini"
VIN, VIN2 = "6AHFT68CKAF501652", "9BWZZZ377VT004251"
SECRETS = ["demo-secret", "demo-sign-secret", "other-secret",
           "other-sign-secret"]
FIXED_TOKEN = "fixed-token-7b1d5e0c9a"
JWT = "eyJ"


class Run:
    """Counts checks and keeps what the secret scan looks for."""

    def __init__(self, args):
        self.args = args
        self.passed = self.failed = 0
        self.tmp = tempfile.mkdtemp(prefix="fleetmod-reliability.")
        self.logs = os.path.join(self.tmp, "logs")
        os.mkdir(self.logs)
        self.codes = set()     # every confirmation code a reply carried
        self.n_conf = 0
        with open(os.path.join(self.tmp, "cs"), "w") as f:
            f.write("demo-secret\n")
        with open(os.path.join(self.tmp, "ss"), "w") as f:
            f.write("demo-sign-secret\n")
        os.chmod(os.path.join(self.tmp, "cs"), 0o600)
        os.chmod(os.path.join(self.tmp, "ss"), 0o600)

    def check(self, name, ok, why=""):
        if ok:
            self.passed += 1
            print("ok - %s" % name)
        else:
            self.failed += 1
            print("not ok - %s: %s" % (name, why))
        sys.stdout.flush()
        return ok

    def conf(self, url, extra="", creds="files", mode=0o600, name=None,
             timeout_ms=TIMEOUT_MS):
        """A module config for url. creds: "files" (client id, secret
        files), "inline" (secrets in the file) or "token" (a fixed
        token)."""
        self.n_conf += 1
        path = os.path.join(self.tmp, name or "c%d.conf" % self.n_conf)
        lines = ["[mobway]", "base_url = " + url,
                 "connect_timeout_ms = %d" % CONNECT_MS,
                 "timeout_ms = %d" % timeout_ms,
                 "poll_initial_ms = 50", "poll_max_ms = 400"]
        if url.startswith("http:"):
            lines.append("allow_http = true")
        if creds == "files":
            lines += ["client_id = demo-client",
                      "client_secret_file = " + os.path.join(self.tmp, "cs"),
                      "sign_secret_file = " + os.path.join(self.tmp, "ss")]
        elif creds == "inline":
            lines += ["client_id = demo-client",
                      "client_secret = demo-secret",
                      "sign_secret = demo-sign-secret"]
        else:
            lines += ["token = " + FIXED_TOKEN,
                      "sign_secret_file = " + os.path.join(self.tmp, "ss")]
        with open(path, "w") as f:
            f.write("\n".join(lines + [extra, ""]))
        os.chmod(path, mode)
        return path

    def driver(self, log_name, env=None, wrapper=()):
        return Driver(self, log_name, env, wrapper)

    def bin(self, name):
        return os.path.join(self.args.build, "tests", "reliability", name)


class Driver:
    """The C host of driver.c: one call per line, one JSON answer each."""

    def __init__(self, run, log_name, env=None, wrapper=()):
        self.run = run
        self.log = os.path.join(run.logs, log_name + ".log")
        e = dict(os.environ, REL_LOG=self.log, **(env or {}))
        self.proc = subprocess.Popen(
            list(wrapper) + [run.bin("driver"), run.args.mobway],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=e,
            universal_newlines=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __call__(self, *words):
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            return {"rc": -1, "message": "the driver died"}
        answer = json.loads(line)
        if answer.get("code"):
            self.run.codes.add(answer["code"])
        return answer

    def close(self):
        """Closes stdin and waits; returns the exit status."""
        if self.proc.stdin:
            self.proc.stdin.close()
            self.proc.stdin = None
        return self.proc.wait(timeout=120)

    def log_lines(self):
        with open(self.log) as f:
            return [line.rstrip("\n").split("\t", 1) for line in f]


RC = {0: "OK", 1: "EINVAL", 2: "ECONFIG", 3: "EAUTH", 4: "EDENIED",
      5: "ECONFIRM", 6: "EPROVIDER", 7: "EUNREACHABLE", 8: "EUNKNOWN",
      9: "ERATELIMIT", 10: "ENOTFOUND", 11: "ENOMEM", 12: "EINTERNAL",
      13: "EREFUSED"}


def rc_name(a):
    return RC.get(a.get("rc"), str(a.get("rc")))


# ------------------------------------------------------------ time bounds

def time_bounds(run):
    """Every call returns within timeout_ms + 10% against a peer that
    hangs, one that drips a byte a second, and a closed port; status
    within wait_ms + timeout_ms + 10%."""
    cases = [
        # name, routes (None: closed port), creds, call, rc, bound
        ("send, server accepts and never answers", {"/": "hang"}, "token",
         ("send", VIN, "location"), 8, BOUND_MS),
        ("send, server answers 1 byte per second", {"/": "drip"}, "token",
         ("send", VIN, "location"), 8, BOUND_MS),
        ("send, closed port", None, "token",
         ("send", VIN, "location"), 7, BOUND_MS),
        ("confirm, server never answers", {"/": "hang"}, "token",
         ("confirm", VIN, "disable_ignition", "123456"), 8, BOUND_MS),
        ("batch send of 3, server never answers", {"/": "hang"}, "token",
         ("sendb", "location", ",".join([VIN, VIN2, VIN])), 0, BOUND_MS),
        ("status, server answers 1 byte per second", {"/": "drip"},
         "token", ("status", "0f0e0d0c-0b0a-4908-8706-050403020100", 0), 8,
         BOUND_MS),
        ("status wait_ms=1000, server never answers", {"/": "hang"},
         "token", ("status", "0f0e0d0c-0b0a-4908-8706-050403020100", 1000),
         8, (1000 + TIMEOUT_MS) * 1.10),
        ("status, closed port", None, "token",
         ("status", "0f0e0d0c-0b0a-4908-8706-050403020100", 0), 7, BOUND_MS),
        ("send, token endpoint never answers", {"/token": "hang"}, "files",
         ("send", VIN, "location"), 7, BOUND_MS),
        ("send, token endpoint answers 1 byte per second",
         {"/token": "drip"}, "files", ("send", VIN, "location"), 7,
         BOUND_MS),
    ]
    for name, routes, creds, call, want, bound in cases:
        if routes is None:
            port = closed_port()
            url, hostile = "http://127.0.0.1:%d" % port, None
        else:
            hostile = Hostile(routes)
            url = hostile.url
        with run.driver("bounds") as d:
            d("init", run.conf(url, creds=creds))
            a = d(*call)
        if hostile:
            hostile.__exit__()
        got = rc_name(a)
        if call[0] == "sendb":
            items = [RC.get(i["rc"]) for i in a.get("items", [])]
            got = "OK, items " + ",".join(items)
            ok = a["rc"] == 0 and items == ["EUNKNOWN"] * 3
        else:
            ok = a["rc"] == want
        print("# time bound: %-50s %7.1f ms (bound %.0f) %s"
              % (name, a.get("ms", -1), bound, got))
        run.check("time bound: %s: %s" % (name, RC[want] if call[0] != "sendb"
                                          else "items EUNKNOWN"),
                  ok, "got %s: %s" % (got, a.get("message")))
        run.check("time bound: %s: %.1f ms <= %.0f ms" % (
            name, a.get("ms", 1e9), bound), a.get("ms", 1e9) <= bound,
            "took %.1f ms" % a.get("ms", -1))
    # timeout_ms bounds the whole call: a slow token leaves the command
    # only what is left of it.
    with Hostile({"/token": "slow_token", "/vehicle-command": "hang"}) as h:
        with run.driver("bounds") as d:
            d("init", run.conf(h.url, creds="files"))
            a = d("send", VIN, "location")
    print("# time bound: %-50s %7.1f ms (bound %.0f) %s"
          % ("send, slow token (1 s) then a command that hangs", a["ms"],
             BOUND_MS, rc_name(a)))
    run.check("time bound: slow token then a hanging command: EUNKNOWN "
              "within %.0f ms" % BOUND_MS,
              a["rc"] == 8 and a["ms"] <= BOUND_MS,
              "took %.1f ms, %s" % (a["ms"], rc_name(a)))


def status_wait(run, sim):
    """status wait_ms on a command that stays pending: wait_ms plus at
    most one timeout, plus 10%."""
    with run.driver("wait") as d:
        d("init", run.conf(sim.url))
        s = d("send", VIN, "location")
        a = d("status", s.get("id"), 1000)
    bound = (1000 + TIMEOUT_MS) * 1.10
    print("# time bound: status wait_ms=1000 on a pending command: %.1f ms "
          "(bound %.0f) %s %s" % (a["ms"], bound, rc_name(a), a.get("status")))
    run.check("time bound: status wait_ms=1000 on a pending command answers "
              "OK pending", a["rc"] == 0 and a.get("status") == "pending",
              "%s %s" % (rc_name(a), a.get("status")))
    run.check("time bound: status wait_ms=1000 waits at least 1000 ms and "
              "returns within %.0f ms" % bound,
              1000 <= a["ms"] <= bound, "took %.1f ms" % a["ms"])


# --------------------------------------------------------- hostile peers

def hostile_peers(run):
    """Oversized, malformed, wrong content type, redirects, a token
    endpoint that talks garbage."""
    cases = [
        ("an answer over 1 MiB", {"/": "big"}, "token", 8),
        ("malformed JSON", {"/": "malformed"}, "token", 8),
        ("an HTML page (wrong content type)", {"/": "html"}, "token", 8),
        ("token endpoint answers garbage", {"/token": "garbage"}, "files", 7),
        ("token endpoint answers a token that is not a string",
         {"/token": "notoken"}, "files", 7),
    ]
    for name, routes, creds, want in cases:
        with Hostile(routes) as h:
            with run.driver("hostile") as d:
                d("init", run.conf(h.url, creds=creds))
                a = d("send", VIN, "location")
                alive = d("send", VIN, "lock_door")
        run.check("hostile peer: %s: %s" % (name, RC[want]),
                  a["rc"] == want and a["map"] and alive["map"],
                  "got %s: %s" % (rc_name(a), a.get("message")))
        if creds == "files":
            paths = [p for _, p in h.requests]
            run.check("hostile peer: %s: no command was sent" % name,
                      all(p == "/token" for p in paths), str(paths))
    for route, creds, want in (("/vehicle-command", "token", 8),
                               ("/token", "files", 7)):
        with Hostile({"/": "hang"}) as other:
            with Hostile({route: "redirect:%s%s" % (other.url, route)}) as h:
                with run.driver("hostile") as d:
                    d("init", run.conf(h.url, creds=creds))
                    a = d("send", VIN, "location")
                time.sleep(0.2)
                run.check("hostile peer: a 302 on %s to another host is not "
                          "followed: %s" % (route, RC[want]),
                          a["rc"] == want,
                          "got %s: %s" % (rc_name(a), a.get("message")))
                run.check("hostile peer: a 302 on %s: the other host gets "
                          "no request (the %s never leaves)"
                          % (route, "token" if creds == "token" else
                             "client secret"),
                          not other.requests, str(other.requests))
                run.check("hostile peer: a 302 on %s: asked once, not "
                          "resent" % route,
                          [p for _, p in h.requests].count(route) == 1,
                          str(h.requests))


def tls(run):
    """An untrusted certificate and a wrong host name are refused."""
    d_ca = os.path.join(run.tmp, "ca")
    os.mkdir(d_ca)
    ca, cert, key = make_ca(d_ca)
    wrong = _wrong_name_cert(d_ca)
    cases = [("a certificate signed by a CA we do not trust", (cert, key),
              ""),
             ("a certificate for another host name", wrong,
              "ca_file = " + ca),
             ("control: the trusted CA and the right name", (cert, key),
              "ca_file = " + ca)]
    for name, pair, extra in cases:
        with MobwaySim(run.args.sim, "--fixtures", FIXTURES, https=pair) as s:
            with run.driver("tls") as d:
                d("init", run.conf(s.url, extra))
                a = d("send", VIN, "location")
                lines = d.log_lines()
            stats = s.stats()
        if name.startswith("control"):
            run.check("TLS: %s works" % name, a["rc"] == 0,
                      "%s: %s" % (rc_name(a), a.get("message")))
            continue
        run.check("TLS: %s: EUNREACHABLE" % name, a["rc"] == 7,
                  "%s: %s" % (rc_name(a), a.get("message")))
        clear = [t for lv, t in lines if int(lv) <= 5 and
                 re.search(r"certificate|SSL", t)]
        run.check("TLS: %s: a log line at NOTICE or above says why" % name,
                  bool(clear), "lines: %s" % lines)
        reqs = stats.get("requests", {})
        run.check("TLS: %s: the server received no request" % name,
                  not any(sum(v.values()) for k, v in reqs.items()
                          if not k.startswith("/_sim")), str(reqs))


def _wrong_name_cert(d):
    """A certificate the test CA signed for wrong.example only."""
    p = lambda n: os.path.join(d, n)  # noqa: E731
    with open(p("wrong.ext"), "w") as f:
        f.write("subjectAltName=DNS:wrong.example\n"
                "extendedKeyUsage=serverAuth\n")
    for cmd in (["req", "-newkey", "rsa:2048", "-nodes", "-subj",
                 "/CN=wrong.example", "-keyout", p("wrong.key"), "-out",
                 p("wrong.csr")],
                ["x509", "-req", "-in", p("wrong.csr"), "-CA", p("ca.pem"),
                 "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "2",
                 "-extfile", p("wrong.ext"), "-out", p("wrong.pem")]):
        subprocess.run(["openssl"] + cmd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p("wrong.pem"), p("wrong.key")


def renewal_after_401(run):
    """A token the server no longer knows: one renewal, one retry, the
    command registered once."""
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES) as s:
        port = s.port
        d = run.driver("renewal")
        d("init", run.conf(s.url))
        first = d("send", VIN, "location")
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES, "--port",
                   port) as s:
        a = d("send", VIN, "lock_door")
        d.close()
        st = s.stats()
    run.check("401 renewal: the first send works", first["rc"] == 0,
              rc_name(first))
    run.check("401 renewal: the send after the restart answers OK",
              a["rc"] == 0, "%s: %s" % (rc_name(a), a.get("message")))
    req = st.get("requests", {})
    run.check("401 renewal: exactly one POST /token on the new server",
              req.get("POST /token") == {"200": 1}, str(req))
    run.check("401 renewal: the command was refused once (401) and "
              "answered once (200)",
              req.get("POST /vehicle-command") == {"401": 1, "200": 1},
              str(req))
    run.check("401 renewal: the command was registered once",
              st.get("commands_registered") == 1 and
              st.get("max_executions") == 1,
              "registered %s, max_executions %s" % (
                  st.get("commands_registered"), st.get("max_executions")))


# ------------------------------------------------------------- transport

def _one(run, routes, creds, *call):
    """One call against a hostile peer; (answer, requests, bodies)."""
    with Hostile(routes) as h:
        with run.driver("transport") as d:
            d("init", run.conf(h.url, creds=creds))
            a = d(*call)
    return a, [p for _, p in h.requests], h.bodies


def batch_keeps_answers(run):
    """A batch where one item gets a 401 and the token renewal then fails:
    the item answered Pending keeps its answer; only the refused item
    fails, as not delivered."""
    a, paths, _ = _one(run, {"/token": "token_once",
                             "/vehicle-command": "pending_or_401:" + VIN2},
                       "files", "sendb", "location", VIN + "," + VIN2)
    items = a.get("items", [{}, {}])
    run.check("batch truth: a failed renewal after a 401 leaves the item "
              "answered Pending as it was (OK pending)",
              items[0].get("rc") == 0 and items[0].get("status") == "pending",
              "items %s" % items)
    run.check("batch truth: the item refused with 401 fails EUNREACHABLE, "
              "delivered no",
              items[1].get("rc") == 7 and items[1].get("delivered") == "no",
              "items %s" % items)
    run.check("batch truth: nothing was sent twice",
              paths.count("/vehicle-command") == 2, str(paths))


def answers_in_our_words(run):
    """Retry-After of any size, tokens and token forms, a 401 that names
    the signature, EUNKNOWN said in our words."""
    a, _, _ = _one(run, {"/vehicle-command": "ratelimit_huge"}, "token",
                   "send", VIN, "location")
    run.check("Retry-After of 20 digits: ERATELIMIT, retry_after_ms clamped "
              "to a day (86400000)",
              a["rc"] == 9 and a.get("retry_after_ms") == 86400000,
              "%s retry_after_ms %s" % (rc_name(a), a.get("retry_after_ms")))
    a, paths, _ = _one(run, {"/token": "crlf_token",
                             "/vehicle-command": "pending"}, "files",
                       "send", VIN, "location")
    run.check("a token with CR LF in it is refused: EAUTH, no command sent",
              a["rc"] == 3 and "/vehicle-command" not in paths,
              "%s %s: %s" % (rc_name(a), paths, a.get("message")))
    a, paths, _ = _one(run, {"/token": "token", "/vehicle-command": "sig401"},
                       "files", "send", VIN, "location")
    run.check("a 401 'X-Signature invalid.' is EAUTH at once: one token, one "
              "command request",
              a["rc"] == 3 and a.get("message") == "X-Signature invalid." and
              paths.count("/token") == 1 and
              paths.count("/vehicle-command") == 1,
              "%s %s: %s" % (rc_name(a), paths, a.get("message")))
    a, paths, bodies = _one(run, {"/token": "strict_token",
                                  "/vehicle-command": "pending"}, "files",
                            "send", VIN, "location")
    run.check("a strict /token (422 on unknown fields): the login is retried "
              "one field pair at a time and the send works",
              a["rc"] == 0 and paths.count("/token") <= 3,
              "%s %s: %s" % (rc_name(a), paths, a.get("message")))
    a, paths, _ = _one(run, {"/token": "refuse422"}, "files",
                       "send", VIN, "location")
    run.check("a token request refused with 422: EAUTH with Mobway's text, "
              "no command sent",
              a["rc"] == 3 and a.get("message") == "Unknown form field." and
              "/vehicle-command" not in paths,
              "%s %s: %s" % (rc_name(a), paths, a.get("message")))
    a, _, _ = _one(run, {"/vehicle-command": "hang"}, "token",
                   "send", VIN, "location")
    run.check("EUNKNOWN says what happened in our words; libcurl's text is "
              "in detail",
              a["rc"] == 8 and "timeout_ms" in a.get("message", "") and
              "Timeout was reached" not in a.get("message", "") and
              "Timeout was reached" in a.get("detail", ""),
              "%s: message %r detail %r" % (rc_name(a), a.get("message"),
                                            a.get("detail")))
    sid = "0f0e0d0c-0b0a-4908-8706-050403020100"
    a, _, _ = _one(run, {"/vehicle-command": "hang"}, "token",
                   "status", sid, 0)
    run.check("a status that timed out carries its id",
              a["rc"] == 8 and a.get("id") == sid,
              "%s id %s" % (rc_name(a), a.get("id")))
    a, _, _ = _one(run, {"/vehicle-command": "oem_error"}, "token",
                   "send", VIN, "lock_door")
    run.check("a command Mobway answered Error (EPROVIDER) carries its id",
              a["rc"] == 6 and a.get("id") == sid,
              "%s id %s" % (rc_name(a), a.get("id")))


def _closed_url():
    return "http://127.0.0.1:%d" % closed_port()


def _once(text, phrase):
    """phrase occurs in text exactly once."""
    return (text or "").count(phrase) == 1


# libcurl's own wording, which belongs in detail and never in a message
CURL_WORDS = ("Couldn't connect", "Failed to connect", "Timeout was reached",
              "Operation timed out", "Failure writing", "disk/application")


def _curl_free(message):
    return not any(w in (message or "") for w in CURL_WORDS)


def _call(run, url, creds, *call):
    with run.driver("sentence") as d:
        d("init", run.conf(url, creds=creds))
        return d(*call)


def one_sentence(run):
    """A failed call's message says each thing once, in our words, and
    claims only what its call could have done: a status is a lookup and
    sends no command; libcurl's text is in detail, once."""
    sid = "0f0e0d0c-0b0a-4908-8706-050403020100"
    send, status = ("send", VIN, "location"), ("status", sid, 0)
    for creds, via in (("token", "a fixed token"),
                       ("files", "the token request")):
        for call, tail in ((send, "no command was sent"),
                           (status, "nothing was looked up")):
            a = _call(run, _closed_url(), creds, *call)
            m, det = a.get("message", ""), a.get("detail", "")
            name = "one sentence: %s, closed port, %s" % (call[0], via)
            run.check("%s: EUNREACHABLE ending \"%s\"" % (name, tail),
                      a["rc"] == 7 and m.endswith("; " + tail) and
                      (call is send or "command was sent" not in m),
                      "%s: %r" % (rc_name(a), m))
            run.check("%s: no libcurl wording in the message" % name,
                      _curl_free(m), repr(m))
            run.check("%s: libcurl's text once, in detail" % name,
                      _once(det, "Couldn't connect to server") and
                      _once(det, "Failed to connect"), repr(det))
    with Hostile({"/token": "hang"}) as h:
        a = _call(run, h.url, "files", *status)
    run.check("one sentence: status, token endpoint never answers: "
              "\"nothing was looked up\", curl's timeout text once in "
              "detail",
              a["rc"] == 7 and a.get("message", "").endswith(
                  "; nothing was looked up") and
              _curl_free(a.get("message")) and
              _once(a.get("detail"), "Timeout was reached"),
              "%s: %r detail %r" % (rc_name(a), a.get("message"),
                                    a.get("detail")))
    for routes, what in (({"/vehicle-command": "malformed"},
                          "an answer that is not the JSON expected"),
                         ({"/vehicle-command": "bare500"},
                          "a 500 without a reason")):
        with Hostile(routes) as h:
            a = _call(run, h.url, "token", *status)
            c = _call(run, h.url, "token", *send)
        m = a.get("message", "")
        run.check("one sentence: status, %s: EUNKNOWN that asks again and "
                  "claims no command ran" % what,
                  a["rc"] == 8 and
                  m.endswith("; ask for the command's status again") and
                  "may have run" not in m and "resending" not in m,
                  "%s: %r" % (rc_name(a), m))
        m = c.get("message", "")
        run.check("one sentence: send, %s: EUNKNOWN, the command may have "
                  "run: check before resending" % what,
                  c["rc"] == 8 and m.endswith(
                      "; the command may have run: check its status before "
                      "resending"),
                  "%s: %r" % (rc_name(c), m))
    with Hostile({"/": "big"}) as h:
        a = _call(run, h.url, "token", *send)
    run.check("one sentence: an answer over 1 MiB: our words, and no "
              "libcurl text about writing to disk",
              a["rc"] == 8 and "larger than 1 MiB" in a.get("message", "") and
              _curl_free(a.get("message")) and _curl_free(a.get("detail")),
              "%s: %r detail %r" % (rc_name(a), a.get("message"),
                                    a.get("detail")))


def http_status_logged(run, sim):
    """The log line of a successful call shows its HTTP status."""
    with run.driver("httplog") as d:
        d("init", run.conf(sim.url))
        a = d("send", VIN, "location")
        lines = [t for _, t in d.log_lines() if "mobway: send " in t]
    run.check("log: a send answered 200 logs http=200",
              a["rc"] == 0 and any("http=200" in t for t in lines),
              str(lines))


# The peak RSS a 300-item batch of ~900 KiB answers may reach: the bodies
# in flight (max_connections of them) and the replies, never the batch's
# bodies all at once (which alone are 270 MiB).
BATCH_RSS_MIB = 96


def batch_memory(run):
    """Peak RSS of a host running a 300-item batch whose answers are
    ~900 KiB each (ru_maxrss of the driver process)."""
    vins = ",".join("1HGCM82633A%06d" % i for i in range(300))
    with Hostile({"/vehicle-command": "fat"}) as h:
        conf = run.conf(h.url, creds="token", timeout_ms=20000)
        p = subprocess.Popen([run.bin("driver"), run.args.mobway],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             universal_newlines=True)
        p.stdin.write("init %s\nsendb location %s\n" % (conf, vins))
        p.stdin.close()
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)  # its own peak, not ours
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stdout.close()
    answers = [json.loads(l) for l in out.splitlines()]
    items = answers[-1].get("items", []) if answers else []
    peak = usage.ru_maxrss / 1024.0
    print("# batch memory: 300 items of %d KiB answers: peak RSS %.1f MiB "
          "(bound %d MiB)" % (900, peak, BATCH_RSS_MIB))
    run.check("batch memory: all 300 items answered OK pending",
              len(items) == 300 and all(i["rc"] == 0 for i in items),
              "%d items, rcs %s" % (len(items),
                                    sorted({i["rc"] for i in items})))
    if sanitized():
        # ASan keeps freed blocks in its quarantine (256 MiB by default):
        # what is freed still counts in the RSS
        print("# skipped under a sanitizer: the peak RSS bound")
        return
    run.check("batch memory: peak RSS %.1f MiB < %d MiB" %
              (peak, BATCH_RSS_MIB), 0 < peak < BATCH_RSS_MIB, "")


POOL_TIMEOUT_MS, POOL_MARGIN_MS = 2000, 1000
POOL_THREADS, POOL_CALLS = 16, 4


def pool_waits(run):
    """16 threads on one connection (max_connections = 1), each making 4
    calls in a row, each answer taking 500 ms: every call returns within
    timeout_ms plus a margin, as OK or as not delivered; later calls never
    keep an earlier one waiting past its time."""
    cases = [("answers after 500 ms", None),
             ("token endpoint never answers", {"/token": "hang"})]
    for name, routes in cases:
        if routes is None:
            peer = MobwaySim(run.args.sim, "--fixtures", FIXTURES,
                             "--fault", "latency=500")
        else:
            peer = Hostile(routes)
        with peer:
            conf = run.conf(peer.url, "max_connections = 1",
                            timeout_ms=POOL_TIMEOUT_MS)
            out = subprocess.run([run.bin("poolwait"), run.args.mobway,
                                  conf, str(POOL_THREADS), str(POOL_CALLS)],
                                 stdout=subprocess.PIPE,
                                 universal_newlines=True, timeout=300)
        calls = [json.loads(l) for l in out.stdout.splitlines()]
        slowest = max([c["ms"] for c in calls] or [-1])
        rcs = {}
        for c in calls:
            rcs[RC.get(c["rc"])] = rcs.get(RC.get(c["rc"]), 0) + 1
        print("# pool wait: %d threads x %d calls, max_connections 1, %s: "
              "slowest %.1f ms (bound %d + %d), %s"
              % (POOL_THREADS, POOL_CALLS, name, slowest, POOL_TIMEOUT_MS,
                 POOL_MARGIN_MS, rcs))
        run.check("pool wait: %s: %d calls each return within timeout_ms "
                  "+ %d ms" % (name, POOL_THREADS * POOL_CALLS,
                               POOL_MARGIN_MS),
                  len(calls) == POOL_THREADS * POOL_CALLS and
                  slowest <= POOL_TIMEOUT_MS + POOL_MARGIN_MS,
                  "slowest %.1f ms, %d calls" % (slowest, len(calls)))
        want = {0: "", 7: "no", 8: "unknown"}
        bad = [c for c in calls if want.get(c["rc"]) != c["delivered"]]
        run.check("pool wait: %s: each call is OK, EUNREACHABLE delivered "
                  "no, or EUNKNOWN delivered unknown" % name, not bad,
                  str(bad))
        if routes is None:
            run.check("pool wait: answers after 500 ms: the first callers "
                      "are served", rcs.get("OK", 0) >= 1, str(rcs))


# -------------------------------------------------------------- memcheck

MEMCHECK = ("valgrind -q --error-exitcode=99 --leak-check=full "
            "--errors-for-leak-kinds=definite,indirect "
            "--show-leak-kinds=definite,indirect --track-fds=no")


def memcheck(run):
    """Paths tests/mobway's memcheck pass does not take (token renewal on
    expiry, a batch status, hostile answers) under valgrind: no error, no
    definite or indirect leak."""
    wrapper = os.environ.get("MEMCHECK", MEMCHECK).split()
    routes = [{"/": "big"}, {"/": "malformed"}, {"/": "html"},
              {"/token": "garbage"}, {"/": "redirect:http://127.0.0.1:9/"}]
    peers = [Hostile(r) for r in routes]
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES, "--token-ttl", "2",
                   "--complete-ms", "100") as s:
        with run.driver("memcheck", wrapper=wrapper) as d:
            d("init", run.conf(s.url))
            first = d("send", VIN, "location")
            time.sleep(2.2)
            renewed = d("send", VIN, "lock_door")
            d("statusb", "%s,%s" % (first.get("id"), renewed.get("id")), 2000)
            for p, creds in zip(peers, ("token", "token", "token", "files",
                                        "token")):
                d("init", run.conf(p.url, creds=creds))
                d("send", VIN, "location")
            rc = d.close()
    for p in peers:
        p.__exit__()
    run.check("memcheck: renewal, batches and hostile answers under %s: no "
              "error, no leak" % (wrapper[0] if wrapper else "no wrapper"),
              rc == 0 and first["rc"] == 0 and renewed["rc"] == 0,
              "exit %s, sends %s %s" % (rc, rc_name(first), rc_name(renewed)))


# ------------------------------------------------------------------ soak

def soak(run, n):
    """n commands, 8 threads, single and batch, against a faulty sim:
    nothing runs twice, and what the sim registered lies between the
    module's OK answers and OK plus EUNKNOWN."""
    faults = ["reset-after=5", "reset-before=5", "status5xx=5", "latency=20"]
    args = ["--complete-ms", "100"]
    for f in faults:
        args += ["--fault", f]
    ids_file = os.path.join(run.tmp, "soak-ids")
    with MobwaySim(run.args.sim, *args) as s:
        conf = run.conf(s.url, "max_connections = 8", name="soak.conf")
        t0 = time.monotonic()
        out = subprocess.run([run.bin("soak"), run.args.mobway, conf, str(n),
                              "8", ids_file], stdout=subprocess.PIPE,
                             universal_newlines=True, timeout=1800)
        secs = time.monotonic() - t0
        st = s.stats()
    counts = json.loads(out.stdout) if out.returncode == 0 else {}
    ok, unknown = counts.get("OK", 0), counts.get("EUNKNOWN", 0)
    other = {k: v for k, v in counts.items()
             if v and k not in ("OK", "EUNKNOWN", "sent")}
    reg = st.get("commands_registered", -1)
    print("# soak: %d commands, 8 threads, faults %s: %.1f s; OK %d, "
          "EUNKNOWN %d, other %s; simulator registered %d, max_executions "
          "%s; POST /vehicle-command %s"
          % (n, " ".join(faults), secs, ok, unknown, other or "none", reg,
             st.get("max_executions"),
             st.get("requests", {}).get("POST /vehicle-command")))
    run.check("soak: %d commands answered, each exactly once" % n,
              sum(v for k, v in counts.items() if k != "sent") == n,
              "counts %s" % counts)
    run.check("soak: no command executed twice (max_executions <= 1)",
              0 <= st.get("max_executions", 9) <= 1,
              "max_executions %s" % st.get("max_executions"))
    run.check("soak: OK <= registered <= OK + EUNKNOWN (%d <= %d <= %d)"
              % (ok, reg, ok + unknown), ok <= reg <= ok + unknown, "")
    with open(ids_file) as f:
        ids = [line.strip() for line in f if line.strip()]
    execs = st.get("executions", {})
    bad = [i for i in ids if execs.get(i) != 1]
    run.check("soak: every id answered OK is distinct and ran exactly once",
              len(set(ids)) == len(ids) == ok and not bad,
              "%d ids, %d distinct, %d not run once" % (
                  len(ids), len(set(ids)), len(bad)))
    run.check("soak: no answer other than OK and EUNKNOWN", not other,
              str(other))


# ------------------------------------------------------------ lifecycle

def sanitized():
    """A sanitizer build: the Makefile exports MEMCHECK empty for it."""
    return os.environ.get("MEMCHECK") == ""


def lifecycle(run):
    """dlopen cycles, a host that uses libcurl and OpenSSL, fork."""
    env = dict(os.environ, REL_SANITIZED="1") if sanitized() else None
    with MobwaySim(run.args.sim, "--complete-ms", "100") as s:
        out = subprocess.run([run.bin("lifecycle"), run.args.mobway,
                              run.args.skeleton, run.args.skeleton_conf,
                              run.conf(s.url), s.url, "1000"],
                             stdout=subprocess.PIPE, universal_newlines=True,
                             timeout=600, env=env)
    for line in out.stdout.splitlines():
        if line.startswith("#"):
            print(line)
        elif line.startswith(("ok - ", "not ok - ")):
            ok = line.startswith("ok")
            run.check("host: " + line.split(" - ", 1)[1], ok, "see above")
    run.check("host: the lifecycle program exits 0", out.returncode == 0,
              "exit %d" % out.returncode)


# -------------------------------------------------------------- secrets

def secret_files(run):
    """Loose permissions are refused."""
    loose = os.path.join(run.tmp, "loose-ss")
    with open(loose, "w") as f:
        f.write("demo-sign-secret\n")
    os.chmod(loose, 0o644)
    url = "http://127.0.0.1:%d" % closed_port()
    c1 = run.conf(url, "sign_secret_file = " + loose, creds="token")
    # a fixed-token config with a second sign_secret_file: replace it
    with open(c1) as f:
        text = f.read()
    text = re.sub(r"sign_secret_file = .*\n", "", text, count=1)
    with open(c1, "w") as f:
        f.write(text)
    c2 = run.conf(url, creds="inline", mode=0o644)
    c3 = run.conf(url, creds="files", mode=0o644)
    c4 = run.conf(url, creds="inline", mode=0o600)
    with run.driver("config") as d:
        r1, r2, r3, r4 = (d("init", c)["rc"] for c in (c1, c2, c3, c4))
        lines = d.log_lines()
    run.check("secrets: a 0644 secret file is refused (ECONFIG)", r1 == 2,
              RC.get(r1))
    run.check("secrets: an inline secret in a 0644 config is refused "
              "(ECONFIG)", r2 == 2, RC.get(r2))
    run.check("secrets: the refusals name the file and say chmod 600",
              sum("chmod 600" in t for _, t in lines) >= 2, str(lines))
    run.check("secrets: control: a 0644 config with only secret files is "
              "accepted", r3 == 0, RC.get(r3))
    run.check("secrets: control: inline secrets in a 0600 config are "
              "accepted", r4 == 0, RC.get(r4))


def every_call_type(run, sim):
    """Drives every call type at DEBUG into the log: send, batch,
    confirm (codes), status, a replayed code, errors, token renewal."""
    with run.driver("calls") as d:
        d("init", run.conf(sim.url))
        ids = [d("send", VIN, "location").get("id")]
        b = d("sendb", "lock_door", VIN + "," + VIN2)
        ids += [i.get("id") for i in b.get("items", [])]
        for cmd in ("disable_ignition", "enable_ignition"):
            c = d("send", VIN, cmd)
            ok = d("confirm", VIN, cmd, c.get("code"))
            again = d("confirm", VIN, cmd, c.get("code"))
            run.check("log scan setup: %s confirm OK then ECONFIRM on reuse"
                      % cmd, ok["rc"] == 0 and again["rc"] == 5,
                      "%s %s" % (rc_name(ok), rc_name(again)))
            ids.append(ok.get("id"))
        d("status", ids[0], 3000)
        d("statusb", ",".join(i for i in ids if i), 3000)
        d("send", VIN2, "diagnostics")                      # EDENIED
        d("send", "WVWZZZ1JZXW000003", "location")           # EDENIED
        d("status", "00000000-0000-4000-8000-000000000000", 0)  # ENOTFOUND
        time.sleep(2.2)                                      # token expires
        d("send", VIN, "unlock_door")
        d("init", run.conf(sim.url, creds="inline"))
        d("send", VIN, "location")
        d("init", run.conf(sim.url, creds="token"))
        d("send", VIN, "location")                           # EAUTH
    st = sim.stats()
    run.check("log scan setup: the token was renewed during the run",
              st["requests"]["POST /token"].get("200", 0) >= 3,
              str(st["requests"]["POST /token"]))


def it_harness_logs(run, sim_args, suite):
    """The module's own integration harness with every log line kept."""
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES, *sim_args) as s:
        out = subprocess.run([run.args.it_harness, run.args.mobway, s.url,
                              suite], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True,
                             env=dict(os.environ, MOBWAY_TEST_VERBOSE="1"),
                             timeout=600)
    lines = [l[len("  log["):] for l in out.stderr.splitlines()
             if l.startswith("  log[")]
    with open(os.path.join(run.logs, "it-%s.log" % suite), "w") as f:
        for l in lines:
            lv, _, text = l.partition("] ")
            f.write("%s\t%s\n" % (lv, text))
    summary = out.stdout.strip().splitlines()[-1:] or ["?"]
    run.check("log scan setup: tests/mobway suite %s ran (%s), %d log lines"
              % (suite, summary[0], len(lines)),
              out.returncode == 0 and len(lines) > 3, out.stdout[-500:])


def forbidden_strings(run):
    """Secrets, JWTs, every signature of the fixtures, every code seen."""
    vins, commands = [], set()
    with open(FIXTURES) as f:
        for line in f:
            m = re.match(r"\[vehicle (\w+)\]", line)
            if m:
                vins.append(m.group(1))
            m = re.match(r"commands = (.*)", line)
            if m:
                commands |= {c.strip() for c in m.group(1).split(",")}
    commands |= {"location", "diagnostics", "lock_door", "unlock_door",
                 "enable_ignition", "disable_ignition"}
    sigs = {sign(sec, v, c) for sec in ("demo-sign-secret",
                                        "other-sign-secret")
            for v in vins + ["9BWZZZ377VT004251"] for c in commands}
    return ([JWT, FIXED_TOKEN, "hostile-token-1"] + SECRETS + sorted(sigs)
            + sorted(run.codes))


def secrets_in_logs(run):
    """No secret in any log line, at any level, of every run."""
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES, "--complete-ms",
                   "150", "--token-ttl", "2", "--code-ttl", "60") as s:
        every_call_type(run, s)
    it_harness_logs(run, ["--complete-ms", "150"], "main")
    it_harness_logs(run, ["--complete-ms", "150", "--token-ttl", "2",
                          "--code-ttl", "1"], "expiry")
    bad = forbidden_strings(run)
    n_lines, hits = 0, []
    six = re.compile(r"(?<![0-9A-Za-z-])[0-9]{6}(?![0-9A-Za-z-])")
    for name in sorted(os.listdir(run.logs)):
        with open(os.path.join(run.logs, name)) as f:
            for line in f:
                n_lines += 1
                hits += ["%s: %s (%s)" % (name, line.strip(), b)
                         for b in bad if b in line]
                if six.search(line.split("\t", 1)[-1]):
                    hits.append("%s: a 6-digit number: %s"
                                % (name, line.strip()))
    print("# log scan: %d lines at every level, %d forbidden strings "
          "(secrets, JWT prefix, %d confirmation codes, signatures of "
          "every fixture VIN and command)" % (n_lines, len(bad),
                                              len(run.codes)))
    run.check("secrets: no token, secret, signature or code in %d log "
              "lines" % n_lines, n_lines > 100 and not hits,
              "\n  ".join(hits[:20]))


def wipe(run):
    """Secrets are wiped: no freed heap block holds one."""
    if sanitized():
        # the sanitizer's runtime must come first in the process, so the
        # preloaded free() scanner cannot be put in front of it
        print("# skipped under a sanitizer: the wipe scan (LD_PRELOAD)")
        return
    secrets = os.path.join(run.tmp, "wipe-secrets")
    with open(secrets, "w") as f:
        f.write("demo-secret\ndemo-sign-secret\n%s\n"
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\n" % FIXED_TOKEN)
    report = os.path.join(run.tmp, "wipe-report")
    env = {"LD_PRELOAD": os.path.abspath(run.bin("wipecheck.so")),
           "REL_WIPE_SECRETS": secrets, "REL_WIPE_REPORT": report}
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES, "--complete-ms",
                   "100") as s:
        with run.driver("wipe", env) as d:
            for creds in ("files", "inline", "token"):
                d("init", run.conf(s.url, creds=creds))
                d("send", VIN, "location")
                d("sendb", "lock_door", VIN + "," + VIN2)
                c = d("send", VIN, "disable_ignition")
                d("confirm", VIN, "disable_ignition", c.get("code", "000000"))
                d("status", "00000000-0000-4000-8000-000000000000", 0)
                d("shutdown")
    hits = _wipe_hits(report)
    by_dso = {}
    for _, dso in hits:
        by_dso[dso] = by_dso.get(dso, 0) + 1
    print("# wipe scan: freed blocks holding a secret, by the library that "
          "freed them: %s" % (by_dso or "none"))
    ours = [h for h in hits if re.search(r"mobway\.so|/libc\.so|driver", h[1])]
    run.check("secrets: no freed block of the module (or of libc on its "
              "behalf) holds a secret after init, calls and shutdown",
              not ours, str(ours[:10]))
    with run.driver("wipe", env) as d:
        d("leak", "demo-sign-secret")
    hits = _wipe_hits(report)
    run.check("secrets: control: the scan finds a deliberately unwiped "
              "copy", any(d.endswith("driver") for _, d in hits), str(hits))


def _wipe_hits(report):
    hits = []
    if os.path.exists(report):
        with open(report) as f:
            for line in f:
                idx, dso, _ = line.rstrip("\n").split("\t")
                hits.append((int(idx), dso))
    return hits


def main():
    ap = argparse.ArgumentParser()
    for opt in ("build", "sim", "mobway", "skeleton", "skeleton-conf",
                "it-harness"):
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("--soak", type=int, default=1000)
    ap.add_argument("--only", default=None)
    run = Run(ap.parse_args())
    t0 = time.monotonic()
    try:
        steps = [("time_bounds", lambda: time_bounds(run)),
                 ("status_wait", lambda: _with_sim(run, status_wait,
                                                   "--complete-ms", "60000")),
                 ("hostile", lambda: hostile_peers(run)),
                 ("tls", lambda: tls(run)),
                 ("renewal", lambda: renewal_after_401(run)),
                 ("transport", lambda: (batch_keeps_answers(run),
                                        answers_in_our_words(run),
                                        _with_sim(run, http_status_logged),
                                        pool_waits(run),
                                        batch_memory(run))),
                 ("sentence", lambda: one_sentence(run)),
                 ("memcheck", lambda: memcheck(run)),
                 ("soak", lambda: soak(run, run.args.soak)),
                 ("lifecycle", lambda: lifecycle(run)),
                 ("secret_files", lambda: secret_files(run)),
                 ("logs", lambda: secrets_in_logs(run)),
                 ("wipe", lambda: wipe(run))]
        for name, step in steps:
            if run.args.only in (None, name):
                step()
    finally:
        shutil.rmtree(run.tmp, ignore_errors=True)
    print("# reliability: %.1f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (run.passed, run.failed))
    return 1 if run.failed else 0


def _with_sim(run, fn, *args):
    with MobwaySim(run.args.sim, "--fixtures", FIXTURES, *args) as s:
        fn(run, s)


if __name__ == "__main__":
    sys.exit(main())
