#!/usr/bin/env python3
"""The command journal and its guards end to end (fleetmod/guard.h,
fleetmod-policy(5), fleetmod-journal(7)).

Run by `make check-journal`. jtool (tests/journal/jtool.c) is a C host of
the guard API: a real guard in front of mobway.so (dlopen), talking to its
own mobway-sim, journaling into a real SQLite file. The simulator's
counters are the witness of what reached Mobway; the sqlite3 command and
the file's bytes are the witness of what the journal holds. Each test is
named for the rule it checks. Prints "N passed, N failed"; exits 1 on any
failure.
"""
import argparse
import ctypes
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from mobway_sim import MobwaySim  # noqa: E402
from testrun import Skip, check, run_tests, test  # noqa: E402

# The simulator's default fixtures (company "demo").
VIN = "6AHFT68CKAF501652"    # all six commands
VIN2 = "9BWZZZ377VT004251"   # location, lock_door, unlock_door
SIGN = "demo-sign-secret"
EINVAL, ECONFIG, EUNREACHABLE, ERATELIMIT, EREFUSED = 1, 2, 7, 9, 13

opts = None


def write(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


class Env:
    """A simulator, a mobway config for it and a policy file, in a temp
    dir."""

    def __init__(self, *sim_args, policy="", journal=True):
        self.dir = tempfile.mkdtemp(prefix="fleetmod-journal.")
        self.sim = MobwaySim(opts.sim, "--complete-ms", "60000", *sim_args)
        self.db = os.path.join(self.dir, "journal.db")
        self.closed = None
        self.mw_conf(self.sim.port)
        self.policy(policy, journal)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sim.stop()
        if self.closed:
            self.closed.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.dir, name)

    def mw_conf(self, port):
        write(self.p("client_secret"), "demo-secret\n")
        write(self.p("sign_secret"), SIGN + "\n")
        self.conf = write(self.p("mobway.conf"),
                          "[mobway]\nbase_url = http://127.0.0.1:%d\n"
                          "allow_http = true\nconnect_timeout_ms = 2000\n"
                          "timeout_ms = 5000\nretry_unreachable = 0\n"
                          "client_id = demo-client\n"
                          "client_secret_file = %s\nsign_secret_file = %s\n"
                          % (port, self.p("client_secret"),
                             self.p("sign_secret")), 0o644)

    def policy(self, text, journal=True):
        head = ("[journal]\nurl = sqlite:%s\nhost_id = gw-test\n\n" % self.db
                if journal else "")
        self.pol = write(self.p("policy.conf"), head + text, 0o644)
        return self.pol

    def jtool(self, *args, policy=None, preexec=None, timeout=120):
        return subprocess.run([opts.jtool, policy or self.pol, opts.mobway,
                               self.conf] + [str(a) for a in args],
                              capture_output=True, text=True,
                              timeout=timeout, preexec_fn=preexec,
                              stdin=subprocess.DEVNULL)

    def reader(self, *args):
        return subprocess.run([opts.jtool, self.pol, "-", "-"] +
                              [str(a) for a in args], capture_output=True,
                              text=True, timeout=120)

    def posts(self):
        """POST /vehicle-command answers by HTTP status."""
        return self.sim.stats()["requests"]["POST /vehicle-command"]

    def sent(self):
        return sum(self.posts().values())

    def stop_mobway(self):
        """Mobway goes away; its port stays bound, never listening, so
        connections are refused and no other server takes it."""
        port = self.sim.port
        self.sim.stop()
        self.closed = socket.socket()
        self.closed.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.closed.bind(("127.0.0.1", port))
        return port

    def restart_mobway(self, port):
        self.closed.close()
        self.closed = None
        self.sim = MobwaySim(opts.sim, "--complete-ms", "60000", "--port",
                             port)


def call(r):
    """The reply and rc of a one-call jtool run."""
    lines = r.stdout.splitlines()
    check(len(lines) >= 2 and lines[-1].startswith("rc "),
          "jtool printed no reply", r)
    return json.loads(lines[-2]), int(lines[-1].split()[1])


def counts(r):
    """repeat's "rc N COUNT", "reason W COUNT" and "duplicate COUNT"."""
    out = {}
    for line in r.stdout.splitlines():
        w = line.split()
        out[" ".join(w[:-1])] = int(w[-1])
    check(r.returncode == 0, "repeat failed", r)
    return out


def rows(env, *args):
    r = env.reader("list", *args)
    check(r.returncode == 0, "list failed", r)
    return [dict(kv.split("=", 1) for kv in line.split()[5:]) |
            {"id": line.split()[1]} for line in r.stdout.splitlines()]


class Serve:
    """jtool serve: one guard across calls."""

    def __init__(self, env):
        self.p = subprocess.Popen([opts.jtool, env.pol, opts.mobway, env.conf,
                                   "serve"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)

    def __call__(self, *words):
        self.p.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.p.stdin.flush()
        reply = json.loads(self.p.stdout.readline())
        return reply, int(self.p.stdout.readline().split()[1])

    def close(self):
        self.p.stdin.close()
        check(self.p.wait(timeout=60) == 0, "jtool serve failed")


# ---- the policy file ------------------------------------------------------

BAD_POLICIES = [
    # (text after a valid [journal] of 3 lines + blank, line, words)
    ("[jornal]\n", 5, "unknown section"),
    ("[command]\n", 5, "unknown section"),
    ("[provider a b]\n", 5, "unknown section"),
    ("[command x]\nreason = maybe\n", 6, "reason"),
    ("[command x]\nrequesters = ,\n", 6, "requesters is empty"),
    ("[command x]\ndeadline = soon\n", 6, "deadline"),
    ("[command x]\ndeadline = 0\n", 6, "deadline"),
    ("[command x]\nduplicate = sometimes\n", 6, "duplicate"),
    ("[command x]\nduplicate_window = -5\n", 6, "duplicate_window"),
    ("[command x]\ncolour = red\n", 6, "unknown key colour"),
    ("[command x]\nreason = optional\nreason = required\n", 7,
     "duplicate key reason"),
    ("[command x]\n[command x]\n", 6, "duplicate section"),
    ("[provider mobway]\nrate = fast\n", 6, "rate"),
    ("[provider mobway]\nrate = 10/week\n", 6, "rate"),
    ("[provider mobway]\nquota = 500/hour\n", 6, "quota"),
    ("[provider mobway]\nbreaker = 5\n", 6, "breaker"),
    ("[provider mobway]\nbreaker = 0/30\n", 6, "breaker"),
    ("[provider mobway]\nretries = 3\n", 6, "unknown key retries"),
    ("[provider nosuch]\nrate = 1/s\n", 5, "no such section"),
    ("this is not ini\n", 5, "syntax error"),
]


@test
def every_malformed_policy_file_is_econfig_with_file_and_line():
    with Env() as e:
        for text, line, words in BAD_POLICIES:
            e.policy(text)
            r = e.jtool("send", VIN, "location")
            check(r.returncode == 2 and "ECONFIG" in r.stderr,
                  "%r: not ECONFIG" % text, r)
            check("%s:%d:" % (e.pol, line) in r.stderr and words in r.stderr,
                  "%r: expected %s:%d: ... %s" % (text, e.pol, line, words),
                  r)
        e.policy("", journal=False)
        r = e.jtool("send", VIN, "location")
        check("ECONFIG" in r.stderr and e.pol + ":" in r.stderr and
              "[journal]" in r.stderr, "no [journal]: ECONFIG", r)
        e.policy("[journal]\nurl = mysql://x\n", journal=False)
        r = e.jtool("send", VIN, "location")
        check("%s:2:" % e.pol in r.stderr and "url" in r.stderr,
              "a url of no known journal: ECONFIG FILE:2", r)
        check(e.sent() == 0, "nothing was sent")


@test
def the_example_policy_file_opens_in_front_of_mobway():
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "host-api",
                           "policy.conf.example")) as f:
        text = f.read()
    with Env() as e:
        write(e.pol, text.replace("/var/lib/fleetmod/journal.db", e.db),
              0o644)
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "requester=ops-7", "reason=stolen",
                                 "deadline=1000"))
        check(rc == EREFUSED and reply["error"]["reason"] == "expired",
              "opened; its rules apply: %s" % reply)
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "requester=bob", "reason=stolen"))
        check(rc == EREFUSED and reply["error"]["reason"] == "requester",
              "only ops-* and alice: %s" % reply)
        check(e.sent() == 0, "nothing sent")


# ---- a journal that cannot be used or written ------------------------------

def untouched_and_nothing_sent(e, before, r, words):
    check(r.returncode == 2 and "ECONFIG" in r.stderr and words in r.stderr,
          "expected ECONFIG naming %r" % words, r)
    with open(e.db, "rb") as f:
        check(f.read() == before, "the file was changed")
    check(e.sent() == 0, "something reached Mobway")


@test
def a_journal_file_that_is_not_sqlite_is_refused_untouched_nothing_sent():
    with Env() as e:
        junk = b"not a database, a text someone put here\n" * 200
        with open(e.db, "wb") as f:
            f.write(junk)
        r = e.jtool("send", VIN, "location")
        untouched_and_nothing_sent(e, junk, r, e.db)


@test
def an_sqlite_file_of_another_program_is_refused_untouched():
    with Env() as e:
        c = sqlite3.connect(e.db)
        c.execute("CREATE TABLE mine (x)")
        c.commit()
        c.close()
        with open(e.db, "rb") as f:
            before = f.read()
        r = e.jtool("send", VIN, "location")
        untouched_and_nothing_sent(e, before, r, "not a fleetmod journal")


@test
def a_schema_from_the_future_is_refused_untouched_nothing_sent():
    with Env() as e:
        r = e.jtool("send", VIN, "location")
        check(call(r)[1] == 0, "the first send works", r)
        c = sqlite3.connect(e.db)
        c.execute("UPDATE fm_schema SET version = 99")
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()
        with open(e.db, "rb") as f:
            before = f.read()
        e.sim.reset()
        r = e.jtool("send", VIN2, "location")
        untouched_and_nothing_sent(e, before, r, "schema version 99 is newer")


def journal_refusal(e, r):
    reply, rc = call(r)
    check(rc == EREFUSED, "expected EREFUSED", r)
    err = reply["error"]
    check(err["name"] == "EREFUSED" and err["reason"] == "journal" and
          err["delivered"] == "no", "error.reason journal, delivered no", r)
    check(e.sent() == 0, "something reached Mobway", r)


def ordinary_user(e):
    """root writes any file whatever its mode: as root, the journal's
    process runs without the capabilities that override file modes
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, dropped from the bounding set
    before exec), so a file's mode binds it as it binds anyone. Still
    root, it reads the build tree wherever the checkout is, which another
    user (nobody) may not."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2

    def drop():
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
    return drop


@test
def a_read_only_journal_refuses_with_reason_journal_and_sends_nothing():
    with Env() as e:
        user = ordinary_user(e)
        r = e.jtool("send", VIN, "location", preexec=user)
        check(call(r)[1] == 0, "first send", r)
        e.sim.reset()
        os.chmod(e.db, 0o444)
        journal_refusal(e, e.jtool("send", VIN2, "location", preexec=user))


@test
def a_full_disk_refuses_with_reason_journal_and_sends_nothing():
    with Env() as e:
        check(call(e.jtool("send", VIN, "location"))[1] == 0, "first send")
        e.sim.reset()
        # Files may grow to 32 KiB: SQLite's shared-memory index fits, the
        # write-ahead log of one intent does not (RLIMIT_FSIZE; SIGXFSZ
        # ignored so the write fails with EFBIG instead of killing jtool).

        def small_disk():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (32768, 32768))
        journal_refusal(e, e.jtool("send", VIN2, "location",
                                   preexec=small_disk))
        journal_refusal(e, e.jtool("batch", "lock_door", VIN, VIN2,
                                   preexec=small_disk))


def wal_after_one_intent():
    """The size of the write-ahead log of a fresh journal once the first
    intent is committed (the answer held back by the simulator)."""
    with Env("--fault", "latency=3000") as e:
        e.reader("verify")  # the schema, in a process of its own
        p = subprocess.Popen([opts.jtool, e.pol, opts.mobway, e.conf, "send",
                              VIN, "location"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        while not os.path.exists(e.db + "-wal") or not rows(e):
            time.sleep(0.05)
        size = os.path.getsize(e.db + "-wal")
        p.wait(timeout=60)
        return size


@test
def an_outcome_that_cannot_be_recorded_leaves_the_reply_and_logs_err():
    limit = max(wal_after_one_intent(), 32768)
    with Env() as e:
        e.reader("verify")

        def disk_full_after_the_intent():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        r = e.jtool("send", VIN, "location", preexec=disk_full_after_the_intent)
        reply, rc = call(r)
        check(rc == 0 and reply["status"] == "pending" and "id" in reply and
              "journal" in reply, "the module's reply, unchanged", r)
        check(re.search(r"^log 3 journal: the outcome .* was not recorded",
                        r.stderr, re.M), "a LOG_ERR line says so", r)
        check(e.sent() == 1, "sent once")
        check([x["state"] for x in rows(e)] == ["sending"],
              "the row stays unresolved for reconcile")


# ---- the guards ------------------------------------------------------------

def race(e, mode):
    e.policy("[command *]\nduplicate = %s\nduplicate_window = 600\n" % mode)
    e.jtool("send", VIN2, "location")  # creates the journal file first
    e.sim.reset()
    ps = [subprocess.Popen([opts.jtool, e.pol, opts.mobway, e.conf,
                            "repeat", "500", VIN, "unlock_door"],
                           stdout=subprocess.PIPE, text=True)
          for _ in range(2)]
    outs = [p.communicate(timeout=300)[0] for p in ps]
    total = {}
    for p, out in zip(ps, outs):
        check(p.returncode == 0, "repeat failed: %s" % out)
        for line in out.splitlines():
            w = line.split()
            total[" ".join(w[:-1])] = total.get(" ".join(w[:-1]), 0) + int(
                w[-1])
    check(e.posts() == {"200": 1},
          "exactly one send reached Mobway: %s" % e.posts())
    return total


@test
def duplicate_reject_two_processes_racing_send_exactly_one():
    with Env() as e:
        t = race(e, "reject")
        check(t.get("rc 0") == 1 and t.get("rc 13") == 999 and
              t.get("reason duplicate") == 999, "one sent, 999 refused: %s"
              % t)


@test
def duplicate_coalesce_two_processes_racing_send_exactly_one():
    with Env() as e:
        t = race(e, "coalesce")
        check(t.get("rc 0") == 1000 and t.get("duplicate") == 999,
              "one sent, 999 coalesced: %s" % t)


@test
def duplicate_coalesce_answers_the_first_rows_id_and_status():
    with Env(policy="[command *]\nduplicate = coalesce\n") as e:
        first, rc = call(e.jtool("send", VIN, "lock_door"))
        check(rc == 0 and "duplicate" not in first, "first sent")
        second, rc = call(e.jtool("send", VIN, "lock_door"))
        check(rc == 0 and second.get("duplicate") is True and
              second["journal"] == first["journal"] and
              second["id"] == first["id"] and
              second["status"] == "pending", "coalesced: %s" % second)
        check(e.sent() == 1, "sent once")


@test
def duplicate_allow_by_default_sends_again():
    with Env() as e:
        call(e.jtool("send", VIN, "lock_door"))
        call(e.jtool("send", VIN, "lock_door"))
        check(e.sent() == 2, "the default is allow")


@test
def quota_is_shared_by_two_processes():
    with Env(policy="[provider mobway]\nquota = 7/day\n") as e:
        ps = [subprocess.Popen([opts.jtool, e.pol, opts.mobway, e.conf,
                                "repeat", "6", vin, "location"],
                               stdout=subprocess.PIPE, text=True)
              for vin in (VIN, VIN2)]
        outs = [p.communicate(timeout=120)[0] for p in ps]
        ok = sum(int(m) for o in outs for m in re.findall(r"^rc 0 (\d+)$",
                                                          o, re.M))
        quota = sum(int(m) for o in outs
                    for m in re.findall(r"^reason quota (\d+)$", o, re.M))
        check(ok == 7 and quota == 5, "7 sent, 5 over quota: %s" % outs)
        check(e.sent() == 7, "7 reached Mobway: %s" % e.posts())
        reply, rc = call(e.jtool("send", VIN, "lock_door"))
        ms = reply["error"].get("retry_after_ms", 0)
        check(rc == ERATELIMIT and reply["error"]["delivered"] == "no" and
              86390000 <= ms <= 86400000,
              "retry when the first of the 7 is a day old: %s" % reply)
        r = e.reader("stats")
        check("quota=7 used=7" in r.stdout, "stats show the quota", r)


@test
def rate_refuses_beyond_the_bucket_in_process():
    with Env(policy="[provider mobway]\nrate = 3/h\n") as e:
        t = counts(e.jtool("repeat", "5", VIN, "location"))
        check(t.get("rc 0") == 3 and t.get("rc 9") == 2 and
              t.get("reason rate") == 2, "burst of 3, then rate: %s" % t)
        check(e.sent() == 3, "3 reached Mobway")


@test
def a_providers_429_pauses_its_sends_in_process():
    with Env("--fault", "ratelimit=100") as e:
        s = Serve(e)
        first, rc = s("send", VIN, "location")
        check(rc == ERATELIMIT and "reason" not in first["error"],
              "Mobway's own 429: %s" % first)
        second, rc = s("send", VIN2, "location")
        s.close()
        check(rc == ERATELIMIT and second["error"]["reason"] ==
              "provider_429" and second["error"]["retry_after_ms"] > 0,
              "paused: %s" % second)
        check(e.sent() == 1, "the paused send never reached Mobway")


@test
def breaker_opens_probes_and_closes():
    with Env(policy="[provider mobway]\nbreaker = 2/1\n") as e:
        port = e.stop_mobway()
        s = Serve(e)
        for cmd in ("location", "lock_door"):
            reply, rc = s("send", VIN, cmd)
            check(rc == EUNREACHABLE and "reason" not in reply["error"],
                  "a real failure: %s" % reply)
        reply, rc = s("send", VIN, "unlock_door")
        check(rc == EUNREACHABLE and
              reply["error"]["reason"] == "breaker_open" and
              reply["error"]["delivered"] == "no" and
              reply["error"]["retry_after_ms"] > 0, "open: %s" % reply)
        e.restart_mobway(port)
        time.sleep(1.2)  # the cool-down: not an assertion
        reply, rc = s("send", VIN, "location")
        check(rc == 0, "the probe goes through and succeeds: %s" % reply)
        reply, rc = s("send", VIN2, "location")
        check(rc == 0, "closed again: %s" % reply)
        s.close()
        check(e.sent() == 2, "only probe and the next reached Mobway")


@test
def deadline_passed_before_send_is_expired_nothing_sent():
    with Env() as e:
        reply, rc = call(e.jtool("send", VIN, "location", "deadline=1000"))
        check(rc == EREFUSED and reply["error"]["reason"] == "expired" and
              reply["deadline"] == 1000, "expired: %s" % reply)
        check(e.sent() == 0, "nothing sent")
        check(rows(e)[0]["state"] == "refused", "journaled as refused")


@test
def a_mistyped_deadline_requester_or_reason_is_einval_nothing_sent():
    with Env() as e:
        for kv in ("deadline=soon", "requester=7", "reason=42"):
            reply, rc = call(e.jtool("send", VIN, "location", kv))
            check(rc == EINVAL and reply["error"]["delivered"] == "no",
                  "%s: EINVAL: %s" % (kv, reply))
        reply, rc = call(e.jtool("batch", "location", VIN, VIN2,
                                 "deadline=soon"))
        check(rc == EINVAL, "a batch too: %s" % reply)
        check(e.sent() == 0 and not rows(e), "nothing sent or journaled")


@test
def deadline_passed_before_confirm_is_expired_nothing_confirmed():
    with Env() as e:
        dl = int(time.time()) + 1
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "deadline=%d" % dl))
        check(rc == 0 and reply["status"] == "confirmation", "asked")
        while time.time() <= dl + 1:
            time.sleep(0.2)  # wait out the deadline: not an assertion
        conf, rc = call(e.jtool("confirm", VIN, "disable_ignition",
                                reply["code"]))
        check(rc == EREFUSED and conf["error"]["reason"] == "expired" and
              conf["journal"] == reply["journal"], "expired: %s" % conf)
        check(e.sent() == 1, "the confirm never reached Mobway")


@test
def late_is_set_when_executed_after_the_deadline():
    with Env() as e:
        e.sim.stop()
        e.sim = MobwaySim(opts.sim, "--complete-ms", "100", "--fault",
                          "latency=2100")
        e.mw_conf(e.sim.port)
        dl = int(time.time()) + 1
        reply, rc = call(e.jtool("send", VIN, "location",
                                 "deadline=%d" % dl))
        check(rc == 0 and reply["deadline"] == dl, "sent: %s" % reply)
        st, rc = call(e.jtool("status", reply["id"], "wait_ms=4000"))
        check(rc == 0 and st["status"] == "success", "done: %s" % st)
        check(st["executed"] > dl and st.get("late") is True and
              st["journal"] == reply["journal"], "late: %s" % st)
        check(rows(e)[0]["late"] == "1", "the journal says late")


@test
def reason_and_requester_are_required_as_the_policy_says():
    pol = ("[command disable_ignition]\nreason = required\n"
           "requesters = ops-*, alice\n")
    with Env(policy=pol) as e:
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "requester=ops-1"))
        check(rc == EREFUSED and reply["error"]["reason"] == "reason",
              "no reason: %s" % reply)
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "requester=bob", "reason=stolen"))
        check(rc == EREFUSED and reply["error"]["reason"] == "requester",
              "bob may not: %s" % reply)
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "reason=stolen"))
        check(rc == EREFUSED and reply["error"]["reason"] == "requester",
              "nobody may not: %s" % reply)
        check(e.sent() == 0, "nothing sent")
        reply, rc = call(e.jtool("send", VIN, "disable_ignition",
                                 "requester=ops-1", "reason=stolen"))
        check(rc == 0, "ops-1 with a reason may: %s" % reply)
        reply, rc = call(e.jtool("send", VIN, "location"))
        check(rc == 0, "other commands keep the defaults")
        states = sorted(r["state"] for r in rows(e))
        check(states.count("refused") == 3, "refusals journaled: %s" % states)


@test
def a_batch_sends_only_the_items_that_pass_in_request_order():
    with Env(policy="[command *]\nduplicate = reject\n") as e:
        call(e.jtool("send", VIN, "lock_door"))
        reply, rc = call(e.jtool("batch", "lock_door", VIN2, VIN, VIN2,
                                 "request_id=b1"))
        check(rc == 0 and reply["status"] == "batch" and
              reply["request_id"] == "b1", "a batch: %s" % reply)
        res = reply["results"]
        check([r["vin"] for r in res] == [VIN2, VIN, VIN2], "order")
        check(res[0]["status"] == "pending" and "journal" in res[0],
              "first sent: %s" % res[0])
        check(res[1]["error"]["reason"] == "duplicate" and
              res[2]["error"]["reason"] == "duplicate" and
              res[2]["error"]["journal"] == res[0]["journal"],
              "an earlier row and an earlier item both count: %s" % res)
        check(e.sent() == 2, "two reached Mobway")
        check(e.reader("verify").stdout.startswith("intact"), "intact")


@test
def a_status_batch_records_each_journaled_item_once():
    with Env() as e:
        e.sim.stop()
        e.sim = MobwaySim(opts.sim, "--complete-ms", "100")
        e.mw_conf(e.sim.port)
        a, _ = call(e.jtool("send", VIN, "location", "deadline=%d" %
                            (int(time.time()) + 3600)))
        b, _ = call(e.jtool("send", VIN2, "location"))
        reply, rc = call(e.jtool("statuses", a["id"], b["id"], "nosuch",
                                 "wait_ms=3000"))
        check(rc == 0 and reply["status"] == "batch", "a batch: %s" % reply)
        res = reply["results"]
        check(res[0]["journal"] == a["journal"] and
              res[1]["journal"] == b["journal"] and "journal" not in res[2],
              "each journaled item names its row: %s" % res)
        check(res[0]["deadline"] == a["deadline"] and "late" not in res[0],
              "on time: %s" % res[0])
        states = {r["id"]: r["state"] for r in rows(e)}
        check(states == {a["journal"]: "success", b["journal"]: "success"},
              "both recorded: %s" % states)
        before = int(subprocess.run(["sqlite3", e.db, "SELECT count(*) FROM "
                                     "fm_events"], capture_output=True,
                                    text=True).stdout)
        call(e.jtool("statuses", a["id"], b["id"]))
        after = int(subprocess.run(["sqlite3", e.db, "SELECT count(*) FROM "
                                    "fm_events"], capture_output=True,
                                   text=True).stdout)
        check(after == before, "looking again records nothing new")


# ---- the record --------------------------------------------------------------

@test
def tampering_with_one_event_makes_verify_fail_naming_it():
    with Env() as e:
        for cmd in ("location", "lock_door", "unlock_door"):
            call(e.jtool("send", VIN, cmd, "reason=routine"))
        r = e.reader("verify")
        check(r.stdout.startswith("intact events=6 chains=1"), "intact", r)
        subprocess.run(["sqlite3", e.db, "UPDATE fm_events SET reason = "
                        "'nothing to see' WHERE seq = 3"], check=True)
        r = e.reader("verify")
        check(r.stdout.startswith("broken seq=3 host=gw-test") and
              "changed" in r.stdout, "names event 3", r)
        subprocess.run(["sqlite3", e.db, "UPDATE fm_events SET reason = "
                        "'routine' WHERE seq = 3; DELETE FROM fm_events "
                        "WHERE seq = 4"], check=True)
        r = e.reader("verify")
        check(r.stdout.startswith("broken seq=5") and "deleted" in r.stdout,
              "names the event after the gap", r)


def canonical_hash(prev, ev):
    """The chain's SHA-256 as fleetmod-journal(7) defines it, written
    again here: the previous hash, then each field length-prefixed."""
    h = hashlib.sha256(prev)
    for name in ("host_id", "journal_id", "at", "kind", "state", "provider",
                 "vin", "command", "requester", "reason", "request_id",
                 "deadline", "rc", "error_name", "delivered", "http_status",
                 "provider_id", "executed_at", "late", "latency_ms", "note",
                 "detail"):
        v = ev.get(name, {"rc": -1, "latency_ms": -1}.get(name, 0) if name
                   in INT_FIELDS else None)
        if name in INT_FIELDS:
            h.update(b"i%d;" % v)
        elif v is None:
            h.update(b"n")
        else:
            b = v.encode()
            h.update(b"s%d:" % len(b) + b)
    return h.digest()


INT_FIELDS = ("at", "deadline", "rc", "http_status", "executed_at", "late",
              "latency_ms")


def old_commands(e, n, days):
    """n commands written days ago, chained from zero as a host of that
    time would have written them."""
    c = sqlite3.connect(e.db)
    prev = bytes(32)
    at = int(time.time()) - days * 86400
    for i in range(n):
        ev = {"host_id": "gw-test", "journal_id": "old-%d" % i, "at": at + i,
              "kind": "intent", "state": "sending", "provider": "mobway",
              "vin": VIN, "command": "location"}
        h = canonical_hash(prev, ev)
        c.execute("INSERT INTO fm_events (host_id, journal_id, at, kind, "
                  "state, provider, vin, command, late, prev_hash, hash) "
                  "VALUES (?,?,?,?,?,?,?,?,0,?,?)",
                  (ev["host_id"], ev["journal_id"], ev["at"], ev["kind"],
                   ev["state"], ev["provider"], ev["vin"], ev["command"],
                   b"", h))
        c.execute("INSERT INTO fm_commands (journal_id, host_id, provider, "
                  "vin, command, created_at, state, updated_at) VALUES "
                  "(?,?,?,?,?,?,?,?)", (ev["journal_id"], "gw-test",
                                        "mobway", VIN, "location", ev["at"],
                                        "sending", ev["at"]))
        prev = h
    c.commit()
    c.close()


@test
def the_chain_hash_is_the_documented_one():
    with Env() as e:
        e.reader("verify")  # creates the journal
        old_commands(e, 3, 0)
        r = e.reader("verify")
        check(r.stdout.startswith("intact events=3"), "an independent "
              "implementation of the hash verifies", r)


@test
def retention_prunes_old_commands_records_it_and_the_chain_still_verifies():
    with Env() as e:
        e.reader("verify")
        old_commands(e, 3, 10)
        call(e.jtool("send", VIN2, "location"))
        text = open(e.pol).read().replace("host_id", "retention_days = 5\n"
                                          "host_id")
        write(e.pol, text, 0o644)
        r = e.reader("prune")
        check(r.stdout.strip() == "pruned 3", "three pruned", r)
        check(not [x for x in rows(e) if x["id"].startswith("old-")],
              "the old commands are gone")
        r = e.reader("verify")
        check(r.stdout.startswith("intact events=3 chains=1"),
              "the rest still verifies from the pruned anchor", r)
        subprocess.run(["sqlite3", e.db, "DELETE FROM fm_events WHERE kind "
                        "= 'pruned'"], check=True)
        r = e.reader("verify")
        check(r.stdout.startswith("broken seq=4"),
              "without the pruned event the gap shows", r)


@test
def no_confirmation_code_or_secret_is_ever_stored():
    with Env() as e:
        reply, rc = call(e.jtool("send", VIN, "disable_ignition"))
        code = reply["code"]
        conf, rc = call(e.jtool("confirm", VIN, "disable_ignition", code))
        check(rc == 0, "confirmed: %s" % conf)
        blob = b""
        for name in os.listdir(e.dir):
            if name.startswith("journal.db"):
                with open(e.p(name), "rb") as f:
                    blob += f.read()
        for secret in (code, "demo-secret", SIGN, reply["message"][:20]):
            check(secret.encode() not in blob, "%r is in the journal" % secret)
        check(b"disable_ignition" in blob, "the witness: the file is read")


@test
def detail_is_stored_only_with_store_detail_true():
    for store, expect in (("", False), ("store_detail = true\n", True)):
        with Env() as e:
            e.sim.stop()
            e.sim = MobwaySim(opts.sim, "--complete-ms", "100")
            e.mw_conf(e.sim.port)
            e.policy("")
            text = open(e.pol).read().replace("host_id", store + "host_id")
            write(e.pol, text, 0o644)
            reply, rc = call(e.jtool("send", VIN, "location"))
            call(e.jtool("status", reply["id"], "wait_ms=3000"))
            rows_ = subprocess.run(["sqlite3", e.db, "SELECT count(*) FROM "
                                    "fm_events WHERE detail LIKE "
                                    "'%latitude%'"], capture_output=True,
                                   text=True, check=True).stdout.strip()
            check((rows_ != "0") == expect,
                  "store_detail %r: %s rows with detail" % (store, rows_))


@test
def the_public_view_has_exactly_the_documented_columns():
    with Env() as e:
        call(e.jtool("send", VIN, "location"))
        c = sqlite3.connect(e.db)
        cols = [d[0] for d in c.execute(
            "SELECT * FROM fleetmod_commands").description]
        c.close()
        check(cols == ["journal_id", "host_id", "provider", "vin", "command",
                       "requester", "reason", "request_id", "provider_id",
                       "state", "rc", "error_name", "delivered", "deadline",
                       "late", "created_at", "sent_at", "updated_at",
                       "executed_at"], "columns: %s" % cols)


@test
def reconcile_asks_about_open_rows_and_marks_lost_ones_unknown():
    with Env() as e:
        e.sim.stop()
        e.sim = MobwaySim(opts.sim, "--complete-ms", "100")
        e.mw_conf(e.sim.port)
        reply, rc = call(e.jtool("send", VIN, "location"))
        # A crash between the intent and the outcome: the process dies
        # while Mobway holds the answer back.
        e.sim.set_faults(latency=5000)
        p = subprocess.Popen([opts.jtool, e.pol, opts.mobway, e.conf, "send",
                              VIN2, "location"], stdout=subprocess.DEVNULL)
        while not any(r["state"] == "sending" for r in rows(e)):
            time.sleep(0.05)
        p.kill()
        p.wait()
        e.sim.clear_faults()
        before = e.sent()
        r = e.jtool("reconcile", "0", "3000")
        check(r.returncode == 0 and "asked=1 resolved=1 unknown=1" in
              r.stdout, "one asked, one lost", r)
        states = {x["provider_id"]: x["state"] for x in rows(e)}
        check(states[reply["id"]] == "success" and states["-"] == "unknown",
              "settled: %s" % states)
        check(e.sent() == before, "nothing was sent again")


@test
def after_fork_the_parents_guard_sends_nothing_and_a_child_opens_its_own():
    with Env() as e:
        r = e.jtool("fork", VIN, "location", VIN2)
        check(r.returncode == 0, "fork ran", r)
        lines = r.stdout.splitlines()
        check(lines == ["child-parent rc 12", "child-own rc 0",
                        "parent rc 0"], "EINTERNAL, then both work", r)
        check(e.sent() == 2, "only the two good sends reached Mobway: %s"
              % e.posts())
        check(len(rows(e)) == 2, "and only they are journaled")


@test
def guard_and_journal_calls_are_memcheck_clean():
    memcheck = shlex.split(os.environ.get("MEMCHECK", ""))
    if not memcheck:
        raise Skip("MEMCHECK is empty (a sanitizer build checks itself)")
    with Env(policy="[command *]\nduplicate = reject\n"
             "[provider mobway]\nquota = 100/day\nrate = 50/s\n"
             "breaker = 3/30\n") as e:
        def run(*args, reader=False):
            cmd = ([opts.jtool, e.pol, "-", "-"] if reader else
                   [opts.jtool, e.pol, opts.mobway, e.conf])
            r = subprocess.run(memcheck + cmd + list(args),
                               capture_output=True, text=True, timeout=300)
            check(r.returncode != 99, "memcheck errors", r)
            return r
        reply, rc = call(run("send", VIN, "disable_ignition"))
        call(run("confirm", VIN, "disable_ignition", reply["code"]))
        call(run("status", reply["id"], "wait_ms=100"))
        call(run("send", VIN, "disable_ignition"))          # duplicate
        call(run("send", VIN2, "location", "deadline=5"))   # expired
        call(run("batch", "lock_door", VIN, VIN2, VIN))
        for what in ("verify", "list", "stats", "prune"):
            run(what, reader=True)
        run("show", reply["journal"], reader=True)
        run("reconcile", "0")


@test
def a_guard_stress_of_8_threads_keeps_every_rule_and_the_chain():
    with Env(policy="[command *]\nduplicate = reject\n"
             "duplicate_window = 1\n") as e:
        r = e.jtool("threads", "8", "40", VIN, VIN2, timeout=600)
        check(r.returncode == 0 and r.stdout.strip() == "ok", "stress", r)
        r = e.reader("verify")
        check(r.stdout.startswith("intact"), "the chain holds", r)


def main():
    global opts
    ap = argparse.ArgumentParser()
    ap.add_argument("--jtool", required=True)
    ap.add_argument("--mobway", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("only", nargs="*")
    opts = ap.parse_args()
    opts.jtool, opts.mobway, opts.sim = (os.path.abspath(p) for p in (
        opts.jtool, opts.mobway, opts.sim))
    sys.exit(run_tests(opts.only))


if __name__ == "__main__":
    main()
