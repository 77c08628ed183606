#!/usr/bin/env python3
"""Integration tests of mobway-sim against the Mobway documents: every
route, every error text of the API page byte for byte, tokens, the ignition
flow, status progression, faults, counters and HTTPS. Signatures are
computed here with Python's own json and hmac, as the docs do.

    python3 tests/sim/test_sim.py build/bin/mobway-sim
"""

import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from simtest import (CREDS, SIGN_SECRET, VIN_ALL, VIN_DOORS, VIN_FAIL,
                     Client, MobwaySim, Tally, make_ca, sign)

BIN = sys.argv[1]
T = Tally()
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")

# The error texts of the API page, exactly.
TXT = {
    "vin": "Invalid VIN. VIN must be a string. At least one VIN is required.",
    "command": "Invalid command. Command must be a string. At least one "
               "command is required.",
    "vin404": "VIN not found or unauthorized access.",
    "cmd404": "Command not found or unauthorized access.",
    "secret": "Sign-secret not found.",
    "sig": "X-Signature invalid.",
    "send": "Failed to send command to the OEM.",
    "init": "Failed to initiate command with the OEM or retrieve status URL.",
    "code": "Confirmation invalid",
    "used": "Confirmation already used",
}

# A second company, and vehicles for the OEM failures.
EXTRA_FIXTURES = """
[company demo]
client_id = demo-client
client_secret = demo-secret
sign_secret = demo-sign-secret

[company other]
client_id = other-client
client_secret = other-secret
sign_secret = other-sign-secret

[vehicle 6AHFT68CKAF501652]
company = demo
commands = location diagnostics lock_door unlock_door enable_ignition disable_ignition

[vehicle SEND0000000000001]
company = demo
commands = lock_door, disable_ignition
fail = oem_send_fail

[vehicle INIT0000000000001]
company = demo
commands = lock_door
fail = oem_init_fail

[vehicle OTHER000000000001]
company = other
commands = lock_door
"""


def expect_detail(name, r, status, text):
    """The error shape: the status, and the body {"detail": text}."""
    T.eq(name + ": status", r.status, status)
    T.eq(name + ": body", r.json(), {"detail": text})
    T.check(name + ": exact text bytes", text.encode() in r.body, r.body)


def brt_now():
    return datetime.datetime.now(datetime.timezone(
        datetime.timedelta(hours=-3))).replace(tzinfo=None)


def test_help():
    out = subprocess.run([BIN, "--help"], capture_output=True, text=True)
    T.eq("--help exits 0", out.returncode, 0)
    for word in ("SYNOPSIS", "--port-file", "FAULTS", "FIXTURES",
                 "HTTP STATUS", "reset-after"):
        T.check("--help mentions " + word, word in out.stdout)
    bad = subprocess.run([BIN, "--fault", "nonsense=1"], capture_output=True)
    T.eq("an unknown fault is refused", bad.returncode, 2)


def run_logged(tmp, name, *args):
    """Starts BIN with args (no --quiet), makes two requests, stops it;
    returns what it wrote on stderr, as lines."""
    port_file = os.path.join(tmp, name + ".port")
    err_path = os.path.join(tmp, name + ".err")
    with open(err_path, "w") as err:
        p = subprocess.Popen([BIN, "--port", "0", "--port-file", port_file,
                              *args], stderr=err)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file) and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(port_file) as f:
            port = int(f.read())
        for path in ("/_sim/stats", "/nope"):
            subprocess.run(["curl", "-s", "-o", "/dev/null",
                            "http://127.0.0.1:%d%s" % (port, path)])
    finally:
        p.terminate()
        p.wait(timeout=30)
    with open(err_path) as f:
        return f.read().splitlines()


def test_request_log(tmp):
    lines = run_logged(tmp, "loud")
    T.check("log: the listening line first",
            lines and lines[0].startswith("mobway-sim: listening on "), lines)
    T.eq("log: one line per request, method, path and status",
         sorted(lines[1:]), ["mobway-sim: GET /_sim/stats 200",
                             "mobway-sim: GET /nope 404"])
    T.eq("log: --quiet writes nothing", run_logged(tmp, "quiet", "--quiet"),
         [])


def test_bad_fixtures(tmp):
    path = os.path.join(tmp, "bad.ini")
    with open(path, "w") as f:
        f.write("[company a]\nclient_id = x\n\n[vehicle V]\ncompany = a\n"
                "commands = lock_door, honk\n")
    out = subprocess.run([BIN, "--fixtures", path], capture_output=True,
                         text=True)
    T.eq("bad fixtures: exit 2", out.returncode, 2)
    T.check("bad fixtures: names file and line", path + ":6:" in out.stderr,
            out.stderr)


def test_tokens(sim):
    c = Client(sim)
    r = c.get_token()
    body = r.json() or {}
    T.eq("token client_id form: 200", r.status, 200)
    T.eq("token: fields", sorted(body), ["expiration", "token"])
    T.eq("token: expiration is 3600 s", body.get("expiration"), 3600)
    r = c.get_token({"username": "demo-client", "password": "demo-secret"})
    T.eq("token username/password form: 200", r.status, 200)
    r = c.get_token({"client_id": "demo-client", "client_secret": "nope"})
    T.eq("token with a wrong secret: 401", r.status, 401)
    T.check("token 401 has a detail", "detail" in (r.json() or {}))
    r = c.get_token({"grant_type": "password"})
    T.eq("token without credentials: 422", r.status, 422)
    c.get_token()
    r = c.request("POST", "/vehicle-command", json.dumps(
        {"vin": VIN_DOORS, "command": "lock_door"}),
        {"X-Signature": sign(SIGN_SECRET, VIN_DOORS, "lock_door")})
    T.eq("no bearer: 401", r.status, 401)
    T.check("no bearer: detail", "detail" in (r.json() or {}))
    r = c.post_command(VIN_DOORS, "lock_door", token=c.token[:-2] + "xx")
    T.eq("tampered bearer: 401", r.status, 401)
    r = c.get_command("00000000-0000-4000-8000-000000000000", token="abc")
    T.eq("GET with a bad bearer: 401", r.status, 401)


def test_token_expiry():
    with MobwaySim(BIN, "--token-ttl", "1") as sim:
        c = Client(sim)
        T.eq("ttl 1: expiration field", c.get_token().json()["expiration"], 1)
        r = c.post_command(VIN_DOORS, "lock_door")
        T.eq("ttl 1: fresh token works", r.status, 200)
        time.sleep(1.2)
        r = c.post_command(VIN_DOORS, "lock_door")
        T.eq("ttl 1: expired token: 401", r.status, 401)
        T.eq("ttl 1: expired text", r.json(), {"detail": "Token expired"})
        T.eq("ttl 1: a new token works", c.get_token().status, 200)
        T.eq("ttl 1: and is accepted",
             c.post_command(VIN_DOORS, "lock_door").status, 200)


def test_body_errors(c):
    def raw(body, name, field):
        expect_detail(name, c.post_command(VIN_DOORS, "lock_door",
                                           body=body), 422, TXT[field])
    raw(json.dumps({"command": "lock_door"}), "vin missing", "vin")
    raw(json.dumps({"vin": 17, "command": "lock_door"}), "vin a number",
        "vin")
    raw(json.dumps({"vin": "", "command": "lock_door"}), "vin empty", "vin")
    raw("not json", "body not JSON", "vin")
    raw(json.dumps({"vin": VIN_DOORS}), "command missing", "command")
    raw(json.dumps({"vin": VIN_DOORS, "command": None}), "command null",
        "command")
    raw(json.dumps({"vin": VIN_DOORS, "command": ["lock_door"]}),
        "command a list", "command")


def test_lookup_errors(c):
    expect_detail("unknown VIN", c.post_command("WAUZZZ8V0KA000000",
                                                "lock_door"), 404,
                  TXT["vin404"])
    expect_detail("command outside the plan",
                  c.post_command(VIN_DOORS, "diagnostics"), 404,
                  TXT["cmd404"])
    expect_detail("unknown command", c.post_command(VIN_DOORS, "honk"), 404,
                  TXT["cmd404"])


def test_signature_errors(c):
    expect_detail("no X-Signature",
                  c.post_command(VIN_DOORS, "lock_door", secret=None), 403,
                  TXT["sig"])
    expect_detail("garbled X-Signature",
                  c.post_command(VIN_DOORS, "lock_door", signature="zz"),
                  403, TXT["sig"])
    expect_detail("signature of another body",
                  c.post_command(VIN_DOORS, "lock_door",
                                 signature=sign(SIGN_SECRET, VIN_DOORS,
                                                "unlock_door")), 403,
                  TXT["sig"])
    upper = sign(SIGN_SECRET, VIN_DOORS, "lock_door").upper()
    expect_detail("uppercase hex signature",
                  c.post_command(VIN_DOORS, "lock_door", signature=upper),
                  403, TXT["sig"])
    expect_detail("signed with an unknown key",
                  c.post_command(VIN_DOORS, "lock_door", secret="guess"),
                  403, TXT["sig"])
    r = c.post_command(VIN_DOORS, "lock_door", code="123456")
    T.eq("a code on a one-step command is ignored", r.status, 200)


def test_canonical_escaping(c):
    """The signature is recomputed exactly as Python escapes: a VIN the
    simulator does not know, correctly signed, passes the signature check
    and stops at the VIN lookup (404); the same VIN signed with another
    escaping stops at the signature (403)."""
    samples = ['quo"te', "back\\slash", "new\nline\r\t\b\f", "nul\x00x",
               "ctl\x01\x1f", "del\x7f", "café", "€uro", "emoji😀",
               "mixed \"é\\\x7f😀\u2028"]
    for vin in samples:
        r = c.post_command(vin, "lock_door")
        T.eq("python-signed %r reaches the VIN check" % vin, r.status, 404)
        loose = json.dumps({"vin": vin, "command": "lock_door"},
                           separators=(",", ":"), sort_keys=True,
                           ensure_ascii=False)
        upper = re.sub(r"\\u([0-9a-f]{4})",
                       lambda m: "\\u" + m.group(1).upper(),
                       json.dumps({"vin": vin, "command": "lock_door"},
                                  separators=(",", ":"), sort_keys=True))
        import hashlib
        import hmac
        for label, text in (("raw UTF-8", loose), ("uppercase hex", upper)):
            if text == json.dumps({"vin": vin, "command": "lock_door"},
                                  separators=(",", ":"), sort_keys=True):
                continue  # the variant is the canonical form itself
            sig = hmac.new(SIGN_SECRET.encode(), text.encode(),
                           hashlib.sha256).hexdigest()
            r = c.post_command(vin, "lock_door", signature=sig)
            T.eq("%s escaping of %r is refused" % (label, vin), r.status, 403)


def test_ignition(sim, c):
    r = c.post_command(VIN_ALL, "disable_ignition")
    b = r.json() or {}
    T.eq("step 1: 200", r.status, 200)
    T.eq("step 1: Confirmation", b.get("status"), "Confirmation")
    T.check("step 1: 6-digit code",
            re.fullmatch(r"\d{6}", b.get("code", "")), b)
    T.check("step 1: Portuguese message",
            "Confirme" in b.get("message", ""), b)
    T.eq("step 1: vin and command echoed",
         (b.get("vin"), b.get("command")), (VIN_ALL, "disable_ignition"))
    cid, code = b.get("id", ""), b.get("code", "")
    g = c.get_command(cid).json() or {}
    T.eq("GET before step 2: Confirmation", g.get("status"), "Confirmation")
    T.eq("nothing executed before step 2",
         sim.stats()["executions"].get(cid), None)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    expect_detail("wrong code", c.post_command(VIN_ALL, "disable_ignition",
                                               code=wrong), 400, TXT["code"])
    expect_detail("code of the other command",
                  c.post_command(VIN_ALL, "enable_ignition", code=code),
                  400, TXT["code"])
    expect_detail("code not a string",
                  c.post_command(VIN_ALL, "disable_ignition",
                                 body=json.dumps({"vin": VIN_ALL,
                                                  "command":
                                                  "disable_ignition",
                                                  "code": int(code)})),
                  400, TXT["code"])
    r = c.post_command(VIN_ALL, "disable_ignition", code=code)
    b = r.json() or {}
    T.eq("step 2: 200", r.status, 200)
    T.eq("step 2: Pending", b.get("status"), "Pending")
    T.eq("step 2: the step-1 id", b.get("id"), cid)
    T.check("step 2: created", DATE_RE.match(b.get("created", "")), b)
    T.eq("step 2: executed once", sim.stats()["executions"].get(cid), 1)
    expect_detail("code reused", c.post_command(VIN_ALL, "disable_ignition",
                                                code=code), 409, TXT["used"])
    T.eq("reuse did not execute again", sim.stats()["executions"].get(cid),
         1)


def test_code_expiry():
    with MobwaySim(BIN, "--code-ttl", "1") as sim:
        c = Client(sim)
        c.get_token()
        code = c.post_command(VIN_ALL, "enable_ignition").json()["code"]
        time.sleep(1.2)
        expect_detail("expired code", c.post_command(
            VIN_ALL, "enable_ignition", code=code), 400, TXT["code"])
        T.eq("expired code executed nothing",
             sim.stats()["max_executions"], 0)


def wait_done(c, cid, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        g = c.get_command(cid).json() or {}
        if g.get("status") != "Pending":
            return g
        time.sleep(0.05)
    return {}


def test_progression():
    with MobwaySim(BIN, "--complete-ms", "300") as sim:
        c = Client(sim)
        c.get_token()
        ids = {}
        for vin, cmd in ((VIN_ALL, "location"), (VIN_ALL, "diagnostics"),
                         (VIN_ALL, "lock_door"), (VIN_ALL, "unlock_door"),
                         (VIN_FAIL, "diagnostics")):
            r = c.post_command(vin, cmd)
            b = r.json() or {}
            T.eq("%s %s: POST Pending" % (vin, cmd), b.get("status"),
                 "Pending")
            T.eq("%s: POST fields" % cmd, sorted(b),
                 ["command", "created", "id", "status", "vin"])
            T.check("%s: id is a UUID v4" % cmd, re.fullmatch(
                r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                r"[0-9a-f]{12}", b.get("id", "")), b)
            created = datetime.datetime.strptime(b["created"],
                                                 "%Y-%m-%d %H:%M:%S")
            T.check("%s: created is UTC-3 now" % cmd,
                    abs((created - brt_now()).total_seconds()) < 5,
                    b["created"])
            g = c.get_command(b["id"]).json() or {}
            T.eq("%s: GET Pending first" % cmd, g.get("status"), "Pending")
            T.eq("%s: Pending detail {}" % cmd, g.get("detail"), {})
            T.eq("%s: updated == created while Pending" % cmd,
                 g.get("updated"), b["created"])
            ids[(vin, cmd)] = b["id"]
        done = {k: wait_done(c, v) for k, v in ids.items()}
        loc = done[(VIN_ALL, "location")]
        T.eq("location: Success", loc.get("status"), "Success")
        d = loc.get("detail", {})
        T.eq("location: detail keys", sorted(d),
             ["date_time", "latitude", "longitude"])
        T.check("location: floats", isinstance(d.get("latitude"), float) and
                isinstance(d.get("longitude"), float), d)
        T.check("location: date_time", DATE_RE.match(d.get("date_time", "")))
        T.check("GET updated format", DATE_RE.match(loc.get("updated", "")))
        diag = done[(VIN_ALL, "diagnostics")]
        d = diag.get("detail", {})
        T.eq("diagnostics: Success", diag.get("status"), "Success")
        T.eq("diagnostics: fuel_amount 43.47", d.get("fuel_amount"), 43.47)
        T.check("diagnostics: fuel_capacity a real", isinstance(
            d.get("fuel_capacity"), float), d)
        T.check("diagnostics: oil_level null", "oil_level" in d and
                d["oil_level"] is None, d)
        T.eq("diagnostics: strings", d.get("seat_belt_status"),
             "not buckled")
        raw = c.get_command(ids[(VIN_ALL, "diagnostics")]).body
        T.check("diagnostics: 43.47 written as such", b'43.47' in raw and
                b'"fuel_capacity":44.0' in raw, raw[:120])
        for cmd in ("lock_door", "unlock_door"):
            g = done[(VIN_ALL, cmd)]
            T.eq(cmd + ": Success", g.get("status"), "Success")
            T.eq(cmd + ": detail keys", sorted(g.get("detail", {})),
                 ["date_time"])
        err = done[(VIN_FAIL, "diagnostics")]
        T.eq("failing vehicle: Error", err.get("status"), "Error")
        T.check("failing vehicle: text detail",
                isinstance(err.get("detail"), str) and err["detail"], err)
        T.eq("GET fields", sorted(err),
             ["command", "detail", "id", "status", "updated", "vin"])
        code = c.post_command(VIN_ALL, "enable_ignition").json()["code"]
        cid = c.post_command(VIN_ALL, "enable_ignition",
                             code=code).json()["id"]
        g = wait_done(c, cid)
        T.eq("ignition: Success", g.get("status"), "Success")
        T.eq("ignition: detail keys", sorted(g.get("detail", {})),
             ["date_time"])
        T.eq("every command executed once", sim.stats()["max_executions"], 1)


def test_multi_company(tmp):
    path = os.path.join(tmp, "two.ini")
    with open(path, "w") as f:
        f.write(EXTRA_FIXTURES)
    with MobwaySim(BIN, "--fixtures", path) as sim:
        demo, other = Client(sim), Client(sim)
        demo.get_token()
        other.get_token({"client_id": "other-client",
                         "client_secret": "other-secret"})
        expect_detail("signed with another company's sign-secret",
                      demo.post_command(VIN_ALL, "lock_door",
                                        secret="other-sign-secret"), 403,
                      TXT["secret"])
        expect_detail("another company's VIN",
                      demo.post_command("OTHER000000000001", "lock_door"),
                      404, TXT["vin404"])
        expect_detail("OEM send failure",
                      demo.post_command("SEND0000000000001", "lock_door"),
                      502, TXT["send"])
        expect_detail("OEM init failure",
                      demo.post_command("INIT0000000000001", "lock_door"),
                      502, TXT["init"])
        code = demo.post_command("SEND0000000000001",
                                 "disable_ignition").json()["code"]
        expect_detail("OEM send failure at step 2",
                      demo.post_command("SEND0000000000001",
                                        "disable_ignition", code=code),
                      502, TXT["send"])
        code = demo.post_command(VIN_ALL, "disable_ignition").json()["code"]
        expect_detail("a code is bound to its VIN",
                      demo.post_command("SEND0000000000001",
                                        "disable_ignition", code=code),
                      400, TXT["code"])
        cid = demo.post_command(VIN_ALL, "lock_door").json()["id"]
        expect_detail("another company's command id",
                      other.get_command(cid), 404, TXT["cmd404"])
        T.eq("own command id", demo.get_command(cid).status, 200)
        # Registered: two ignition first steps and one lock_door; the
        # signature, VIN and OEM failures registered nothing.
        T.eq("failed requests registered nothing",
             sim.stats()["commands_registered"], 3)


def test_unknown_routes(c):
    expect_detail("unknown command id",
                  c.get_command("8619b2df-1d68-40e1-8760-cf36f06d00b5"), 404,
                  TXT["cmd404"])
    T.eq("unknown path: 404", c.request("GET", "/nothing").status, 404)
    T.eq("wrong method: 405", c.request("GET", "/token").status, 405)


def curl_post(sim, c, vin, cmd):
    """curl's exit code and output for a signed command POST."""
    p = subprocess.run(
        ["curl", "-sS", "--max-time", "10", "-H",
         "Authorization: Bearer " + c.token, "-H",
         "X-Signature: " + sign(SIGN_SECRET, vin, cmd), "-H",
         "Content-Type: application/json", "-d",
         json.dumps({"vin": vin, "command": cmd}),
         sim.url + "/vehicle-command"], capture_output=True)
    return p.returncode, p.stdout


def test_faults():
    with MobwaySim(BIN) as sim:
        c = Client(sim)
        c.get_token()
        before = sim.stats()["commands_registered"]
        sim.set_faults(reset_before=100)
        rc, _ = curl_post(sim, c, VIN_DOORS, "lock_door")
        T.eq("reset-before: curl sees an empty reply (52)", rc, 52)
        s = sim.stats()
        T.eq("reset-before: nothing registered", s["commands_registered"],
             before)
        T.eq("reset-before: counted as closed",
             s["requests"]["POST /vehicle-command"].get("closed"), 1)
        sim.set_faults(reset_before=0, reset_after=100)
        rc, _ = curl_post(sim, c, VIN_DOORS, "lock_door")
        T.eq("reset-after: curl sees an empty reply (52)", rc, 52)
        s = sim.stats()
        T.eq("reset-after: registered", s["commands_registered"],
             before + 1)
        T.eq("reset-after: executed once", list(s["executions"].values()),
             [1])
        T.eq("reset-after: max_executions", s["max_executions"], 1)
        sim.clear_faults()
        sim.set_faults(status5xx=100)
        r = c.post_command(VIN_DOORS, "lock_door")
        T.eq("status5xx: 503", r.status, 503)
        T.check("status5xx: JSON detail", "detail" in (r.json() or {}))
        sim.set_faults(status5xx=0, malformed=100)
        r = c.post_command(VIN_DOORS, "lock_door")
        T.check("malformed: 200 with a non-JSON body",
                r.status == 200 and r.json() is None, r.body)
        sim.set_faults(malformed=0, oversize=100)
        r = c.post_command(VIN_DOORS, "lock_door")
        T.check("oversize: 200 with 2 MiB", r.status == 200 and
                len(r.body) >= 2 * 1024 * 1024, len(r.body))
        sim.set_faults(oversize=0, ratelimit=100)
        r = c.post_command(VIN_DOORS, "lock_door")
        T.eq("ratelimit: 429", r.status, 429)
        T.eq("ratelimit: Retry-After: 1", r.headers.get("Retry-After"), "1")
        sim.clear_faults()
        T.eq("faults cleared", c.post_command(VIN_DOORS, "lock_door").status,
             200)
        test_latency(sim, c)
        r = c.request("POST", "/_sim/faults", json.dumps({"bogus": 1}))
        T.eq("unknown fault name: 400", r.status, 400)
        r = c.request("POST", "/_sim/faults", json.dumps({"ratelimit": 101}))
        T.eq("fault out of range: 400", r.status, 400)
        sim.set_faults(reset_before=100)
        T.eq("faults spare POST /token", c.get_token().status, 200)
        T.eq("faults spare GET /vehicle-command/{id}",
             c.get_command("8619b2df-1d68-40e1-8760-cf36f06d00b5").status,
             404)


def test_latency(sim, c):
    sim.set_faults(latency=1000)
    other = {}

    def stats_meanwhile():
        time.sleep(0.1)
        t0 = time.monotonic()
        sim.stats()
        other["s"] = time.monotonic() - t0
    th = threading.Thread(target=stats_meanwhile)
    th.start()
    t0 = time.monotonic()
    r = c.post_command(VIN_DOORS, "lock_door")
    elapsed = time.monotonic() - t0
    th.join()
    T.check("latency: answer delayed by 1000 ms",
            r.status == 200 and elapsed >= 0.99, elapsed)
    # Held up, the stats call would wait ~0.9 s for the delayed request.
    T.check("latency: other requests are not held up",
            other.get("s", 9) < 0.6, other)
    sim.set_faults(latency=0)


def test_fault_option():
    with MobwaySim(BIN, "--fault", "ratelimit=100") as sim:
        c = Client(sim)
        c.get_token()
        T.eq("--fault ratelimit=100: 429",
             c.post_command(VIN_DOORS, "lock_door").status, 429)


def test_stats(sim):
    sim.reset()
    c = Client(sim)
    c.get_token()
    c.get_token({"client_id": "x", "client_secret": "y"})
    cid = c.post_command(VIN_DOORS, "lock_door").json()["id"]
    c.post_command(VIN_DOORS, "diagnostics")
    c.get_command(cid)
    s = sim.stats()
    req = s["requests"]
    T.eq("stats: /token by status", req["POST /token"], {"200": 1, "401": 1})
    T.eq("stats: POST by status", req["POST /vehicle-command"],
         {"200": 1, "404": 1})
    T.eq("stats: GET by status", req["GET /vehicle-command/{id}"],
         {"200": 1})
    T.check("stats: connections accepted", s["connections_accepted"] >= 5, s)
    T.eq("stats: commands registered", s["commands_registered"], 1)
    T.eq("stats: executions per id", s["executions"], {cid: 1})
    T.eq("stats: max_executions", s["max_executions"], 1)
    T.eq("stats: no TLS on plain HTTP", s["tls_handshakes"], 0)


def test_https(tmp):
    ca, cert, key = make_ca(tmp)
    with MobwaySim(BIN, https=(cert, key)) as sim:
        T.check("https url", sim.url.startswith("https://127.0.0.1:"))
        c = Client(sim, cafile=ca)
        T.eq("https: token", c.get_token().status, 200)
        T.eq("https: command", c.post_command(VIN_DOORS, "lock_door").status,
             200)
        T.check("https: TLS handshakes counted",
                sim.stats()["tls_handshakes"] >= 2)
        p = subprocess.run(["curl", "-sS", "--cacert", ca, "-d",
                            "client_id=demo-client&client_secret=demo-secret",
                            "https://localhost:%d/token" % sim.port],
                           capture_output=True)
        T.eq("https: curl verifies the certificate for localhost",
             p.returncode, 0)
        p = subprocess.run(["curl", "-sS", "--max-time", "5",
                            "http://127.0.0.1:%d/_sim/stats" % sim.port],
                           capture_output=True)
        T.check("https: plain http to the https port fails",
                p.returncode != 0, p.returncode)


def main():
    test_help()
    with tempfile.TemporaryDirectory() as tmp:
        test_bad_fixtures(tmp)
        test_request_log(tmp)
        with MobwaySim(BIN) as sim:
            c = Client(sim)
            c.get_token()
            test_tokens(sim)
            test_body_errors(c)
            test_lookup_errors(c)
            test_signature_errors(c)
            test_canonical_escaping(c)
            test_ignition(sim, c)
            test_unknown_routes(c)
            test_stats(sim)
            T.eq("SIGTERM: exit 0", sim.stop(), 0)
        default = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "..", "mobway-sim", "fixtures.default.ini")
        with MobwaySim(BIN, "--fixtures", default) as sim:
            T.eq("the shipped default fixtures load",
                 Client(sim).get_token().status, 200)
        test_token_expiry()
        test_code_expiry()
        test_progression()
        test_multi_company(tmp)
        test_faults()
        test_fault_option()
        test_https(tmp)
    T.finish()


if __name__ == "__main__":
    main()
