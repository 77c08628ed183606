#!/usr/bin/env python3
"""Guards on a PostgreSQL journal, end to end (fleetmod/guard.h,
fleetmod-policy(5), fleetmod-journal(7)).

Run by tests/pg/run.sh inside its throwaway cluster (PG_DIR, PG_OWNER and
libpq's PGHOST/PGUSER/... in the environment). jtool (tests/journal/jtool.c)
is a C host of the guard API: a real guard in front of mobway.so against
its own mobway-sim; its policy's journal url is postgresql://..., so
libfleetmod finds and dlopens journal_pg.so from FLEETMOD_MODULE_PATH.
Each test gets a database of its own. The simulator's counters are the
witness of what reached Mobway; psql is the witness of what the journal
holds. Prints "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from mobway_sim import MobwaySim  # noqa: E402
from testrun import check, run_tests, test  # noqa: E402

VIN = "6AHFT68CKAF501652"    # all six commands
VIN2 = "9BWZZZ377VT004251"   # location, lock_door, unlock_door
EREFUSED = 13

opts = None
serial = itertools.count()


def write(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def psql(sql, db="postgres"):
    r = subprocess.run(["psql", "-X", "-q", "-At", "-d", db, "-c", sql],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "psql: %s" % sql, r)
    return r.stdout.strip()


def cluster(action):
    """pg_halt or pg_resume on run.sh's cluster."""
    r = subprocess.run(["sh", "-c", '. "$1" && %s' % action, "sh",
                        os.path.join(HERE, "pg-cluster.sh")],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, action, r)


def db_url(db):
    return "postgresql:///%s?host=%s&user=%s&port=%s" % (
        db, os.environ["PGHOST"], os.environ["PGUSER"], os.environ["PGPORT"])


class Env:
    """A simulator, a mobway config for it, a fresh database, and a policy
    file per host_id journaling into it."""

    def __init__(self, policy="", url=None):
        self.dir = tempfile.mkdtemp(prefix="fleetmod-guard-pg.")
        self.sim = MobwaySim(opts.sim, "--complete-ms", "60000")
        self.db = "guard_%d_%d" % (os.getpid(), next(serial))
        psql("CREATE DATABASE %s" % self.db)
        self.url = url or db_url(self.db)
        self.text = policy
        write(self.p("client_secret"), "demo-secret\n")
        write(self.p("sign_secret"), "demo-sign-secret\n")
        self.conf = write(self.p("mobway.conf"),
                          "[mobway]\nbase_url = %s\nallow_http = true\n"
                          "client_id = demo-client\n"
                          "client_secret_file = %s\nsign_secret_file = %s\n"
                          % (self.sim.url, self.p("client_secret"),
                             self.p("sign_secret")), 0o644)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sim.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.dir, name)

    def pol(self, host_id):
        return write(self.p("policy-%s.conf" % host_id),
                     "[journal]\nurl = %s\nhost_id = %s\n\n%s"
                     % (self.url, host_id, self.text), 0o644)

    def args(self, host_id, *words):
        return [opts.jtool, self.pol(host_id), opts.mobway, self.conf] + [
            str(w) for w in words]

    def jtool(self, host_id, *words):
        return subprocess.run(self.args(host_id, *words), capture_output=True,
                              text=True, timeout=300, env=opts.env,
                              stdin=subprocess.DEVNULL)

    def verify(self, host_id="gw-verify"):
        return subprocess.run([opts.jtool, self.pol(host_id), "-", "-",
                               "verify"], capture_output=True, text=True,
                              timeout=300, env=opts.env)

    def sql(self, q):
        return psql(q, self.db)

    def sent(self):
        return sum(self.sim.stats()["requests"]
                   .get("POST /vehicle-command", {}).values())


def call(r):
    """The reply and rc of a one-call jtool run."""
    lines = r.stdout.splitlines()
    check(len(lines) >= 2 and lines[-1].startswith("rc "),
          "jtool printed no reply", r)
    return json.loads(lines[-2]), int(lines[-1].split()[1])


def in_parallel(e, runs):
    """jtool runs [(host_id, words...)] at once; their summed repeat
    counts ("rc N", "reason W", "duplicate")."""
    ps = [subprocess.Popen(e.args(*run), stdout=subprocess.PIPE, text=True,
                           env=opts.env) for run in runs]
    total = {}
    for p in ps:
        out = p.communicate(timeout=300)[0]
        check(p.returncode == 0, "repeat failed: %s" % out)
        for line in out.splitlines():
            w = line.split()
            key = " ".join(w[:-1])
            total[key] = total.get(key, 0) + int(w[-1])
    return total


# ---------------------------------------------------------------------------

@test
def the_postgresql_store_is_loaded_on_demand_and_its_chains_verify():
    with Env() as e:
        reply, rc = call(e.jtool("gw-a", "send", VIN, "location"))
        check(rc == 0 and reply.get("journal"), "sent and journaled: %s"
              % reply)
        call(e.jtool("gw-b", "send", VIN2, "lock_door"))
        n = e.sql("SELECT count(*) FROM fleetmod_commands")
        check(n == "2", "two commands in PostgreSQL's view: %s" % n)
        r = e.verify()
        check(r.returncode == 0 and r.stdout.startswith("intact"),
              "libfleetmod's verify accepts the chains PostgreSQL stored", r)


@test
def tampering_with_one_event_in_postgresql_makes_verify_fail_naming_it():
    with Env() as e:
        for cmd in ("location", "lock_door", "unlock_door"):
            call(e.jtool("gw-a", "send", VIN, cmd, "reason=routine"))
        r = e.verify()
        check(r.stdout.startswith("intact events=6 chains=1"), "intact", r)
        seq = e.sql("SELECT seq FROM fm_events ORDER BY seq OFFSET 2 LIMIT 1")
        e.sql("UPDATE fm_events SET reason = 'nothing to see' WHERE seq = %s"
              % seq)
        r = e.verify()
        check(r.stdout.startswith("broken seq=%s host=gw-a" % seq) and
              "changed" in r.stdout, "names event %s" % seq, r)


@test
def a_batch_sends_only_the_items_that_pass_and_its_chain_holds():
    with Env(policy="[command *]\nduplicate = reject\n") as e:
        call(e.jtool("gw-a", "send", VIN, "lock_door"))
        reply, rc = call(e.jtool("gw-b", "batch", "lock_door", VIN2, VIN, VIN2))
        res = reply.get("results", [])
        check(rc == 0 and [r.get("vin") for r in res] == [VIN2, VIN, VIN2],
              "a batch in request order: %s" % reply)
        check(res[0].get("status") == "pending" and
              res[1]["error"]["reason"] == "duplicate" and
              res[2]["error"]["reason"] == "duplicate",
              "the other host's row and an earlier item both count: %s" % res)
        check(e.sent() == 2, "two reached Mobway: %d" % e.sent())
        check(e.verify().stdout.startswith("intact"), "intact")


@test
def a_confirm_is_journaled_on_its_send_and_no_code_is_stored():
    with Env() as e:
        reply, rc = call(e.jtool("gw-a", "send", VIN, "disable_ignition"))
        code = reply.get("code")
        check(rc == 0 and code, "asked for confirmation: %s" % reply)
        conf, rc = call(e.jtool("gw-a", "confirm", VIN, "disable_ignition",
                                code))
        check(rc == 0 and conf.get("journal") == reply.get("journal"),
              "confirmed on the send's row: %s" % conf)
        kinds = e.sql("SELECT string_agg(kind, ',' ORDER BY seq) FROM "
                      "fm_events WHERE journal_id = '%s'" % reply["journal"])
        check(kinds.startswith("intent,outcome,confirm"),
              "intent, outcome, confirm: %s" % kinds)
        dump = e.sql("SELECT string_agg(t::text, ' ') FROM (SELECT * FROM "
                     "fm_events) AS t") + e.sql(
                         "SELECT string_agg(t::text, ' ') FROM (SELECT * FROM "
                         "fm_commands) AS t")
        for secret in (code, "demo-secret", "demo-sign-secret"):
            check(secret not in dump, "%r is in the journal" % secret)
        check("disable_ignition" in dump, "the witness: the rows are read")
        check(e.verify().stdout.startswith("intact"), "intact")


def race(e, mode):
    e.text = "[command *]\nduplicate = %s\nduplicate_window = 600\n" % mode
    t = in_parallel(e, [("gw-ra", "repeat", 500, VIN, "unlock_door"),
                        ("gw-rb", "repeat", 500, VIN, "unlock_door")])
    check(e.sent() == 1, "exactly one send reached Mobway: %d" % e.sent())
    r = e.verify()
    check(r.returncode == 0, "the chains of both host_ids hold", r)
    return t


@test
def duplicate_reject_two_host_ids_racing_send_exactly_one():
    with Env() as e:
        t = race(e, "reject")
        check(t.get("rc 0") == 1 and t.get("rc 13") == 999 and
              t.get("reason duplicate") == 999,
              "one sent, 999 refused: %s" % t)
        hosts = e.sql("SELECT count(DISTINCT host_id) FROM fleetmod_commands"
                      " WHERE state = 'refused'")
        check(hosts == "2", "both host_ids journaled refusals: %s" % hosts)


@test
def duplicate_coalesce_two_host_ids_racing_send_exactly_one():
    with Env() as e:
        t = race(e, "coalesce")
        check(t.get("rc 0") == 1000 and t.get("duplicate") == 999,
              "one sent, 999 coalesced: %s" % t)


@test
def quota_is_shared_by_two_host_ids():
    with Env(policy="[provider mobway]\nquota = 7/day\n") as e:
        t = in_parallel(e, [("gw-qa", "repeat", 6, VIN, "location"),
                            ("gw-qb", "repeat", 6, VIN2, "location")])
        check(t.get("rc 0") == 7 and t.get("reason quota") == 5,
              "7 sent, 5 over quota: %s" % t)
        check(e.sent() == 7, "7 reached Mobway: %d" % e.sent())


@test
def postgresql_stopped_refuses_with_reason_journal_and_sends_nothing():
    with Env() as e:
        p = subprocess.Popen(e.args("gw-s", "serve"), stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=opts.env)

        def ask(*words):
            p.stdin.write(" ".join(words) + "\n")
            p.stdin.flush()
            reply = json.loads(p.stdout.readline())
            return reply, int(p.stdout.readline().split()[1])
        try:
            check(ask("send", VIN, "location")[1] == 0, "sent while up")
            cluster("pg_halt")
            try:
                reply, rc = ask("send", VIN2, "location")
            finally:
                cluster("pg_resume")
            err = reply.get("error", {})
            check(rc == EREFUSED and err.get("reason") == "journal" and
                  err.get("delivered") == "no",
                  "EREFUSED, reason journal, delivered no: %s" % reply)
            check(e.sent() == 1, "nothing reached Mobway while the journal "
                  "was down: %d" % e.sent())
            check(ask("send", VIN2, "location")[1] == 0,
                  "the same guard journals and sends again after a restart")
            check(e.sent() == 2, "then it reached Mobway")
        finally:
            p.stdin.close()
            p.wait(timeout=60)


@test
def a_url_that_does_not_answer_is_a_clear_error_nothing_sent():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts into the backlog, never answers
    url = "postgresql://fleetmod:s3cret-pw@127.0.0.1:%d/fleet" % (
        silent.getsockname()[1])
    try:
        with Env(url=url) as e:
            r = e.jtool("gw-x", "send", VIN, "location")
            out = r.stdout + r.stderr
            check(r.returncode != 0 and "timeout expired" in out and
                  "127.0.0.1" in out, "a clear error naming the host", r)
            check("s3cret-pw" not in out, "the password is never shown", r)
            check(e.sent() == 0, "nothing reached Mobway")
    finally:
        silent.close()


@test
def a_killed_hosts_row_is_settled_unknown_at_once_by_its_own_host_id():
    with Env() as e:
        # The sim registers the command, then holds its answer.
        e.sim.set_faults(hold=600000)
        p = subprocess.Popen(e.args("gw-a", "send", VIN2, "lock_door"),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=opts.env)
        deadline = time.monotonic() + 60
        while e.sim.stats()["commands_registered"] < 1:
            check(time.monotonic() < deadline, "the command reached the sim")
            time.sleep(0.05)
        p.kill()
        p.wait()
        e.sim.clear_faults()
        writer = e.sql("SELECT writer_pid FROM fm_commands")
        other = e.jtool("gw-b", "reconcile", 300)
        state_other = e.sql("SELECT state FROM fleetmod_commands")
        own = e.jtool("gw-a", "reconcile", 300)
        state = e.sql("SELECT state || ' ' || delivered FROM fleetmod_commands")
        stats = e.sim.stats()
    check(writer == str(p.pid), "the row names its writer: %s" % writer)
    check(other.returncode == 0 and "unknown=0" in other.stdout and
          state_other == "sending",
          "another host_id waits for the call's bound", other)
    check(own.returncode == 0 and "unknown=1" in own.stdout and
          state == "unknown unknown",
          "its own host_id marks it unknown at once: %s" % state, own)
    check(stats["commands_registered"] == 1 and
          stats["max_executions"] == 1,
          "the command reached the sim exactly once: %s" % stats)


@test
def a_schema_from_the_future_is_refused_untouched_nothing_sent():
    with Env() as e:
        check(call(e.jtool("gw-a", "send", VIN, "location"))[1] == 0,
              "the first send works")
        e.sql("UPDATE fm_schema SET version = 99")
        events = e.sql("SELECT count(*) FROM fm_events")
        r = e.jtool("gw-a", "send", VIN2, "location")
        check(r.returncode != 0 and
              "schema version 99 is newer" in r.stdout + r.stderr,
              "refused with a clear error", r)
        check(e.sql("SELECT version FROM fm_schema") == "99" and
              e.sql("SELECT count(*) FROM fm_events") == events,
              "the database was not touched")
        check(e.sent() == 1, "nothing more reached Mobway")


def main():
    global opts
    ap = argparse.ArgumentParser()
    ap.add_argument("--jtool", required=True)
    ap.add_argument("--journal-pg", required=True)
    ap.add_argument("--mobway", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("only", nargs="*")
    opts = ap.parse_args()
    opts.jtool, opts.mobway, opts.sim = (os.path.abspath(p) for p in (
        opts.jtool, opts.mobway, opts.sim))
    # libfleetmod finds journal_pg.so like a module: this build's first.
    opts.env = dict(os.environ, FLEETMOD_MODULE_PATH=os.path.dirname(
        os.path.abspath(opts.journal_pg)))
    sys.exit(run_tests(opts.only))


if __name__ == "__main__":
    main()
