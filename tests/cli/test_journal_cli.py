#!/usr/bin/env python3
"""fleetcmd's journal surface from the outside: --policy, --reason,
--deadline and the guards' refusals (exit 13), the requester, a host
killed mid-call and reconcile, journal list/show/verify/stats and the
OpenMetrics text.

Run by `make check-fleetcmd-journal`, against mobway.so and a mobway-sim
of its own, with a real SQLite journal in a temporary directory. Each test
is named for the rule it checks. Prints "N passed, N failed"; exits 1 on
any failure.
"""
import argparse
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from cli import MobwayAccount, env_with, on_terminal  # noqa: E402
from testrun import Skip, check, run_tests, test  # noqa: E402

# mobway-sim's built-in vehicles: all six commands; doors and location.
VIN = "6AHFT68CKAF501652"
DOOR_VIN = "9BWZZZ377VT004251"
EXIT_REFUSED = 13
EXIT_RATELIMIT = 9  # ERATELIMIT: a quota used up
EXIT_TAMPERED = 24
DEFAULT_MEMCHECK = ("valgrind -q --error-exitcode=99 --leak-check=full "
                    "--errors-for-leak-kinds=definite,indirect "
                    "--show-leak-kinds=definite,indirect")

opts = None


def run(args, env=None, prefix=(), timeout=60):
    return subprocess.run([*prefix, opts.fleetcmd, *args],
                          capture_output=True, text=True, env=env_with(env),
                          timeout=timeout, stdin=subprocess.DEVNULL)


def json_lines(r):
    return [json.loads(line) for line in r.stdout.splitlines()]


def login_name():
    return pwd.getpwuid(os.getuid()).pw_name


class Guarded(MobwayAccount):
    """A mobway-sim, mobway.so's config for it, and a policy file whose
    journal is a fresh SQLite file; rules: the policy's text after its
    [journal] section."""

    def __init__(self, rules="", complete_ms=300):
        if not (os.path.exists(opts.mobway) and os.path.exists(opts.sim)):
            raise Skip("mobway.so or mobway-sim not built")
        super().__init__(opts.sim, opts.mobway, opts.tmp, "--complete-ms",
                         str(complete_ms))
        d = tempfile.mkdtemp(dir=opts.tmp)
        self.db = os.path.join(d, "journal.db")
        self.policy = os.path.join(d, "policy.conf")
        with open(self.policy, "w") as f:
            f.write("[journal]\nurl = sqlite:%s\nhost_id = gw-test\n\n%s"
                    % (self.db, rules))

    def send_args(self, *args):
        """A call through the guard: -m, -c and --policy, then args."""
        return self.args("--policy", self.policy, *args)

    def journal(self, *args):
        """`fleetcmd --policy P journal ARGS`, run."""
        return run(["--policy", self.policy, "journal", *args])

    def rows(self, *args):
        r = self.journal("--json", *args)
        check(r.returncode == 0, "journal --json exits 0", r)
        return json_lines(r)

    def posts(self):
        """How many POST /vehicle-command reached the simulator."""
        return sum(self.sim.stats()["requests"]["POST /vehicle-command"]
                   .values())


def error_of(r):
    """The error map of the one JSON reply a refused call printed."""
    return json_lines(r)[-1].get("error", {})


# ---- the guards through fleetcmd -------------------------------------------

@test
def a_guarded_send_is_journaled_and_its_reply_names_the_row():
    with Guarded() as g:
        r = run(g.send_args("send", DOOR_VIN, "lock_door"))
        j = run(g.send_args("--json", "send", VIN, "location"))
        rows = g.rows()
    check(r.returncode == 0, "exit 0", r)
    m = re.search(r"^  journal=(\S+)$", r.stdout, re.M)
    check(m, "the summary shows journal=ID", r)
    reply = json_lines(j)[0]
    check(j.returncode == 0 and reply.get("journal"),
          "--json carries the key journal", j)
    by_id = {row["journal_id"]: row for row in rows}
    check(m.group(1) in by_id and reply["journal"] in by_id,
          "both rows are in the journal: %s" % rows)
    check(by_id[m.group(1)]["state"] == "pending" and
          by_id[m.group(1)]["provider_id"],
          "the outcome is recorded with the provider's id: %s" % rows)


@test
def requester_is_the_login_name_even_with_user_and_logname_set():
    fake = "mallory-" + login_name()
    with Guarded() as g:
        r = run(g.send_args("send", DOOR_VIN, "lock_door"),
                env={"USER": fake, "LOGNAME": fake})
        rows = g.rows()
    check(r.returncode == 0, "exit 0", r)
    check([row["requester"] for row in rows] == [login_name()],
          "the requester is %s: %s" % (login_name(), rows))


@test
def a_requester_the_policy_does_not_name_is_refused_whatever_user_says():
    rules = "[command lock_door]\nrequesters = mallory\n"
    with Guarded(rules) as g:
        r = run(g.send_args("--json", "send", DOOR_VIN, "lock_door"),
                env={"USER": "mallory", "LOGNAME": "mallory"})
        posts = g.posts()
    if login_name() == "mallory":
        raise Skip("the test runs as mallory")
    check(r.returncode == EXIT_REFUSED, "exit 13", r)
    check(error_of(r).get("reason") == "requester", "reason requester", r)
    check(posts == 0, "nothing reached the simulator (%d posts)" % posts)


@test
def reason_required_by_policy_exits_13_and_with_reason_it_is_journaled():
    rules = "[command lock_door]\nreason = required\n"
    with Guarded(rules) as g:
        refused = run(g.send_args("send", DOOR_VIN, "lock_door"))
        posts = g.posts()
        r = run(g.send_args("--reason", "customer locked out", "send",
                            DOOR_VIN, "lock_door"))
        rows = g.rows()
    check(refused.returncode == EXIT_REFUSED, "without --reason: exit 13",
          refused)
    check(re.search(r"^fleetcmd: EREFUSED: .*\(delivered: no, reason: "
                    r"reason\)$", refused.stderr, re.M),
          "stderr shows error.reason", refused)
    check(posts == 0, "nothing reached the simulator (%d posts)" % posts)
    check(r.returncode == 0, "with --reason: exit 0", r)
    check([row["reason"] for row in rows] ==
          ["customer locked out", None], "the reason is journaled: %s" % rows)
    check(rows[1]["state"] == "refused", "the refusal is journaled: %s" % rows)


@test
def a_confirm_after_the_sends_deadline_exits_13_reason_expired():
    with Guarded() as g:
        asked = run(g.send_args("--json", "send", VIN, "disable_ignition",
                                "--deadline", "1"))
        check(asked.returncode == 22, "the send asks confirmation", asked)
        reply = json_lines(asked)[0]
        # Waiting for the clock to pass the deadline, not asserting time.
        while time.time() <= reply["deadline"] + 1:
            time.sleep(0.2)
        r = run(g.send_args("--json", "confirm", VIN, "disable_ignition",
                            reply["code"]))
        stats = g.sim.stats()
    check(r.returncode == EXIT_REFUSED, "exit 13", r)
    check(error_of(r).get("reason") == "expired", "reason expired", r)
    check(error_of(r).get("delivered") == "no", "delivered no", r)
    check(stats["executions"].get(reply["id"], 0) == 0,
          "the command never ran: %s" % stats)


@test
def a_status_executed_after_the_deadline_reads_late():
    # --deadline 1 and a vehicle that takes 2.5 s: executed after it.
    with Guarded(complete_ms=2500) as g:
        r = run(g.send_args("--json", "send", DOOR_VIN, "lock_door",
                            "--deadline", "1", "--wait", "10"))
        rows = g.rows()
    check(r.returncode == 0, "exit 0: success", r)
    last = json_lines(r)[-1]
    check(last["status"] == "success" and last.get("late") is True,
          "the waited status carries late: true", r)
    check(rows[0]["late"] is True, "and the journal too: %s" % rows)


@test
def a_duplicate_is_refused_with_exit_13_naming_the_first_row():
    rules = "[command *]\nduplicate = reject\nduplicate_window = 120\n"
    with Guarded(rules) as g:
        first = json_lines(run(g.send_args("--json", "send", DOOR_VIN,
                                           "lock_door")))[0]
        r = run(g.send_args("send", DOOR_VIN, "lock_door"))
        posts = g.posts()
    check(r.returncode == EXIT_REFUSED, "exit 13", r)
    check("reason: duplicate" in r.stderr, "reason duplicate", r)
    check("the command under way: journal %s" % first["journal"] in r.stderr,
          "stderr names the first row", r)
    check(posts == 1, "one command reached the simulator (%d)" % posts)


@test
def a_coalesced_duplicate_answers_with_the_first_rows_journal_id():
    rules = "[command *]\nduplicate = coalesce\nduplicate_window = 120\n"
    with Guarded(rules) as g:
        first = json_lines(run(g.send_args("--json", "send", DOOR_VIN,
                                           "lock_door")))[0]
        r = run(g.send_args("--json", "send", DOOR_VIN, "lock_door"))
        human = run(g.send_args("send", DOOR_VIN, "lock_door"))
        posts = g.posts()
    again = json_lines(r)[0]
    check(r.returncode == 0, "exit 0", r)
    check(again.get("duplicate") is True and
          again.get("journal") == first["journal"],
          "duplicate: true and the first row's journal id", r)
    check(re.search(r"^  duplicate=true", human.stdout, re.M) and
          "journal=%s" % first["journal"] in human.stdout,
          "the summary says so too", human)
    check(posts == 1, "one command reached the simulator (%d)" % posts)


@test
def a_batch_item_refused_as_a_duplicate_shows_its_reason_and_is_not_sent():
    rules = "[command *]\nduplicate = reject\nduplicate_window = 120\n"
    fleet = os.path.join(tempfile.mkdtemp(dir=opts.tmp), "fleet.txt")
    with open(fleet, "w") as f:
        f.write("%s\n%s\n" % (VIN, DOOR_VIN))
    with Guarded(rules) as g:
        run(g.send_args("send", DOOR_VIN, "location"))
        r = run(g.send_args("send", "--vins-file", fleet, "location"))
        posts = g.posts()
    check(r.returncode == 23, "exit 23: an item not done as asked", r)
    check(re.search(r"^%s +failed +EREFUSED: .* \(reason: duplicate\)$"
                    % DOOR_VIN, r.stdout, re.M),
          "the refused item's line ends with its reason", r)
    check(re.search(r"^%s +pending " % VIN, r.stdout, re.M),
          "the other item is sent", r)
    check(posts == 2, "the first send and one batch call (%d)" % posts)


@test
def a_printed_confirm_line_keeps_the_policy_and_reason_and_confirms_through_it():
    rules = "[command disable_ignition]\nreason = required\n"
    with Guarded(rules, complete_ms=100) as g:
        asked = run(g.send_args("send", VIN, "disable_ignition", "--reason",
                                "stolen car"))
        lines = [shlex.split(l) for l in asked.stderr.splitlines()
                 if l.startswith("  fleetcmd ")]
        check(asked.returncode == 22 and len(lines) == 1,
              "one confirm line", asked)
        check("--policy" in lines[0] and
              lines[0][lines[0].index("--reason") + 1] == "stolen car",
              "with --policy and --reason, quoted", asked)
        r = run(lines[0][1:] + ["--wait", "10"])
        rows = g.rows()
    check(r.returncode == 0, "the pasted line confirms: exit 0", r)
    check(len(rows) == 1 and rows[0]["state"] == "success",
          "on the send's row, through the guard: %s" % rows)


@test
def reason_and_deadline_without_a_policy_are_refused_before_sending():
    # The default policy file may exist on this machine: skip then.
    if os.path.exists(opts.default_policy):
        raise Skip("a default policy file exists")
    with Guarded() as g:
        r = run(g.args("send", DOOR_VIN, "lock_door", "--reason", "x"))
        d = run(g.args("send", DOOR_VIN, "lock_door", "--deadline", "60"))
        posts = g.posts()
    for x, opt in ((r, "--reason"), (d, "--deadline")):
        check(x.returncode == 2 and "%s needs a policy file" % opt in x.stderr,
              "%s: ECONFIG, said" % opt, x)
    check(posts == 0, "nothing reached the simulator (%d)" % posts)


@test
def journal_without_a_policy_file_says_so():
    if os.path.exists(opts.default_policy):
        raise Skip("a default policy file exists")
    r = run(["journal"])
    check(r.returncode == 2 and "--policy FILE" in r.stderr,
          "ECONFIG, and how to give one", r)


# ---- a host killed mid-call, and reconcile ---------------------------------

def wait_for(what, cond, timeout=30):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def held_send(g, policy=None):
    """A fleetcmd send of lock_door whose POST the sim registers and then
    holds unanswered; returns the running process once it is registered."""
    g.sim.set_faults(hold=600000)
    before = g.sim.stats()["commands_registered"]
    p = subprocess.Popen([opts.fleetcmd, *g.args("--policy",
                                                 policy or g.policy,
                                                 "send", DOOR_VIN,
                                                 "lock_door")],
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env_with())
    wait_for("the command to reach the sim",
             lambda: g.sim.stats()["commands_registered"] == before + 1)
    return p


def kill(p):
    p.send_signal(signal.SIGKILL)
    p.wait()


@test
def a_host_killed_before_the_answer_is_settled_unknown_by_reconcile_at_once():
    rules = "[command *]\nduplicate = reject\nduplicate_window = 120\n"
    with Guarded(rules) as g:
        kill(held_send(g))
        g.sim.clear_faults()
        listed = g.journal("--unresolved")
        rows = g.rows("--unresolved")
        # The default call bound (300 s) has not passed: only the writer's
        # death lets reconcile settle the row now.
        r = run(g.send_args("reconcile"))
        after = g.rows()
        still = g.rows("--unresolved")
        show = g.journal("show", rows[0]["journal_id"] if rows else "-")
        again = run(g.send_args("send", DOOR_VIN, "lock_door"))
        stats = g.sim.stats()
    check(len(rows) == 1 and rows[0]["state"] == "sending" and
          rows[0]["provider_id"] is None,
          "one row left sending, no provider id: %s" % rows)
    check(rows[0]["journal_id"] in listed.stdout,
          "journal --unresolved lists it", listed)
    check(r.returncode == 0 and "marked 1 unknown" in r.stdout,
          "an immediate reconcile marks it", r)
    check(after[0]["state"] == "unknown" and
          after[0]["delivered"] == "unknown",
          "the row is unknown, delivered unknown: %s" % after)
    check(not still,
          "settled: journal --unresolved lists it no more: %s" % still)
    check("the process sending it is gone" in show.stdout,
          "journal show says why", show)
    check(again.returncode == EXIT_REFUSED and
          "reason: duplicate" in again.stderr,
          "a second press is refused: it may have run", again)
    # Every POST that gets past the sim's checks registers a command; the
    # held one is counted among the requests only once it is answered.
    check(stats["commands_registered"] == 1 and
          stats["max_executions"] == 1,
          "the command reached the sim exactly once: %s" % stats)


@test
def a_row_whose_writer_is_alive_waits_for_the_call_bound():
    with Guarded() as g:
        p = held_send(g)
        try:
            r = run(g.send_args("reconcile"))
            rows = g.rows()
            c = sqlite3.connect(g.db)
            writer = c.execute("SELECT writer_pid FROM fm_commands"
                               ).fetchall()
            c.close()
        finally:
            kill(p)
            g.sim.clear_faults()
    check(writer == [(p.pid,)], "the row names its writer: %s (pid %d)"
          % (writer, p.pid))
    check(r.returncode == 0 and "marked 0 unknown" in r.stdout,
          "reconcile marks nothing while the sender lives", r)
    check(len(rows) == 1 and rows[0]["state"] == "sending",
          "the row is still sending: %s" % rows)


def set_writer(db, sql):
    c = sqlite3.connect(db)
    with c:
        c.execute("UPDATE fm_commands SET " + sql)
    c.close()


@test
def a_pid_now_held_by_a_process_of_another_start_time_is_not_the_writer():
    with Guarded() as g:
        p = held_send(g)
        try:
            # The pid lives, but as the writer's pid reused by a process
            # started at another time.
            set_writer(g.db, "writer_start = writer_start + 1")
            r = run(g.send_args("reconcile"))
            rows = g.rows()
        finally:
            kill(p)
            g.sim.clear_faults()
    check(r.returncode == 0 and "marked 1 unknown" in r.stdout and
          rows[0]["state"] == "unknown", "marked at once: %s" % rows, r)


@test
def a_killed_writer_not_yet_reaped_is_gone():
    with Guarded() as g:
        p = held_send(g)
        p.send_signal(signal.SIGKILL)
        try:
            # Not waited for: the writer is a zombie, its pid still taken.
            wait_for("the writer to die", lambda: open(
                "/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()[0]
                == "Z")
            r = run(g.send_args("reconcile"))
            rows = g.rows()
        finally:
            p.wait()
            g.sim.clear_faults()
    check(r.returncode == 0 and "marked 1 unknown" in r.stdout and
          rows[0]["state"] == "unknown", "marked at once: %s" % rows, r)


@test
def a_dead_writer_of_another_boot_waits_for_the_call_bound():
    with Guarded() as g:
        kill(held_send(g))
        g.sim.clear_faults()
        set_writer(g.db, "writer_boot = '00000000-0000-4000-8000-000000000000'")
        r = run(g.send_args("reconcile"))
        rows = g.rows()
    check(r.returncode == 0 and "marked 0 unknown" in r.stdout and
          rows[0]["state"] == "sending",
          "its pid means nothing on this boot: %s" % rows, r)


def other_machine(g):
    """A second policy on g's journal: host_id gw-other, another machine."""
    other = os.path.join(os.path.dirname(g.policy), "other.conf")
    with open(g.policy) as f:
        text = f.read()
    with open(other, "w") as f:
        f.write(text.replace("host_id = gw-test", "host_id = gw-other"))
    return other


@test
def a_dead_writer_of_another_host_id_waits_for_the_call_bound():
    with Guarded() as g:
        other = other_machine(g)
        kill(held_send(g, policy=other))
        g.sim.clear_faults()
        young = run(g.send_args("reconcile"))
        rows = g.rows()
        bound = run(g.send_args("reconcile", "--call-bound", "0"))
        after = g.rows()
        posts = g.posts()
    check(rows[0]["host_id"] == "gw-other" and rows[0]["state"] == "sending",
          "another host's row: %s" % rows)
    check(young.returncode == 0 and "marked 0 unknown" in young.stdout,
          "its writer's pid means nothing here: left alone", young)
    check(bound.returncode == 0 and "marked 1 unknown" in bound.stdout and
          after[0]["state"] == "unknown",
          "past the call's bound it is marked: %s" % after, bound)
    check(posts == 0, "never sent again (%d answered posts)" % posts)


@test
def a_crashed_other_machines_row_is_settled_only_with_host_id():
    with Guarded() as g:
        other = other_machine(g)
        kill(held_send(g, policy=other))
        kill(held_send(g))
        g.sim.clear_faults()
        plain = run(g.send_args("reconcile"))
        rows = {r["host_id"]: r for r in g.rows()}
        adopt = run(g.send_args("reconcile", "--host-id", "gw-other"))
        after = {r["host_id"]: r for r in g.rows()}
        show = g.journal("show", after["gw-other"]["journal_id"])
        posts = g.posts()
    check(plain.returncode == 0 and "marked 1 unknown" in plain.stdout and
          rows["gw-test"]["state"] == "unknown" and
          rows["gw-other"]["state"] == "sending",
          "without --host-id only this machine's crashed row is marked "
          "(the other's waits for the bound): %s" % rows, plain)
    check(adopt.returncode == 0 and "marked 1 unknown" in adopt.stdout and
          after["gw-other"]["state"] == "unknown" and
          after["gw-other"]["delivered"] == "unknown",
          "--host-id gw-other marks its crashed row at once: %s" % after,
          adopt)
    check("reconciled as down" in show.stdout, "journal show says why", show)
    check(posts == 0, "never sent again (%d answered posts)" % posts)


@test
def reconcile_host_id_settles_that_machines_rows_and_no_other():
    with Guarded() as g:
        other = other_machine(g)
        theirs = json_lines(run(g.args("--policy", other, "--json", "send",
                                       DOOR_VIN, "location")))[0]
        mine = json_lines(run(g.send_args("--json", "send", DOOR_VIN,
                                          "location")))[0]
        kill(held_send(g))
        g.sim.clear_faults()
        own = run(g.send_args("reconcile", "--host-id", "gw-test"))
        unchanged = g.rows()
        adopt = run(g.send_args("reconcile", "--host-id", "gw-other",
                                "--wait", "10"))
        after = {r["journal_id"]: r for r in g.rows()}
        posts = g.posts()
    check(own.returncode == 1 and "this machine's own" in own.stderr and
          [r["state"] for r in unchanged] == ["sending", "pending",
                                              "pending"],
          "this machine's own host_id is refused, nothing changes: %s"
          % unchanged, own)
    check(adopt.returncode == 0 and "asked the provider about 1, settled 1, "
          "marked 0 unknown" in adopt.stdout,
          "only the adopted machine's open command is asked about", adopt)
    check(after[theirs["journal"]]["state"] == "success",
          "its command is settled: %s" % after[theirs["journal"]])
    check(after[mine["journal"]]["state"] == "pending" and
          [r["state"] for r in after.values()].count("sending") == 1,
          "this machine's rows are left alone: %s" % after)
    check(posts == 2, "never sent again (%d answered posts)" % posts)


# What this tree adds to schema 2 (schema.h, FM_SCHEMA_MIGRATE_V2_V3).
WRITER_COLUMNS = ("writer_pid", "writer_start", "writer_boot")

# The quota count of the guard and of stats (sqlite.c, COUNT_QUOTA).
COUNT_QUOTA = ("SELECT count(*) FROM fm_commands WHERE provider=?1"
               " AND created_at>=?2 AND state<>'refused'")


def to_schema_3(db):
    """Turns a journal of this tree back into what schema 3 wrote: the
    quota's index without state (FM_SCHEMA_MIGRATE_V3_V4), version 3."""
    c = sqlite3.connect(db)
    with c:
        c.execute("DROP INDEX IF EXISTS fm_commands_quota_state")
        c.execute("CREATE INDEX IF NOT EXISTS fm_commands_quota"
                  " ON fm_commands (provider, created_at)")
        c.execute("UPDATE fm_schema SET version = 3")
    c.close()


def to_schema_2(db):
    """Turns a journal of this tree back into what schema 2 wrote: the
    same tables without the writer's columns, version 2."""
    to_schema_3(db)
    c = sqlite3.connect(db)
    with c:
        for col in WRITER_COLUMNS:
            c.execute("ALTER TABLE fm_commands DROP COLUMN " + col)
        c.execute("UPDATE fm_schema SET version = 2")
    c.close()


def quota_index(db):
    """The version, the indexes of fm_commands and the plan of the quota
    count, of the journal db."""
    c = sqlite3.connect(db)
    version = c.execute("SELECT version FROM fm_schema").fetchone()[0]
    names = {r[0] for r in c.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'fm_commands'")}
    plan = " / ".join(r[-1] for r in c.execute(
        "EXPLAIN QUERY PLAN " + COUNT_QUOTA, ("mobway", 0)))
    c.close()
    return version, names, plan


@test
def a_schema_2_journal_is_migrated_and_its_crashed_rows_wait_for_the_bound():
    with Guarded() as g:
        kill(held_send(g))
        g.sim.clear_faults()
        to_schema_2(g.db)
        listed = g.rows()
        c = sqlite3.connect(g.db)
        version = c.execute("SELECT version FROM fm_schema").fetchone()[0]
        cols = [r[1] for r in c.execute("PRAGMA table_info(fm_commands)")]
        writer = c.execute("SELECT writer_pid, writer_boot FROM fm_commands"
                           ).fetchall() if "writer_pid" in cols else None
        c.close()
        verify = g.journal("verify")
        young = run(g.send_args("reconcile"))
        bound = run(g.send_args("reconcile", "--call-bound", "0"))
        after = g.rows()
        fresh = run(g.send_args("send", VIN, "location"))
        c = sqlite3.connect(g.db)
        recorded = c.execute("SELECT writer_pid, writer_start, writer_boot "
                             "FROM fm_commands WHERE command = 'location'"
                             ).fetchall()
        c.close()
    check(version == 4 and all(col in cols for col in WRITER_COLUMNS),
          "opening it migrated it to version 4: %s %s" % (version, cols))
    check(len(listed) == 1 and listed[0]["state"] == "sending" and
          writer == [(None, None)],
          "its row kept, with no writer recorded: %s %s" % (listed, writer))
    check(verify.returncode == 0, "its chain still verifies", verify)
    check(young.returncode == 0 and "marked 0 unknown" in young.stdout,
          "a row without a writer waits for the call's bound", young)
    check(bound.returncode == 0 and "marked 1 unknown" in bound.stdout and
          after[0]["state"] == "unknown",
          "past the bound it is marked: %s" % after, bound)
    check(fresh.returncode == 0 and len(recorded) == 1 and
          recorded[0][0] and recorded[0][1] and
          re.fullmatch(r"[0-9a-f-]{36}", recorded[0][2] or ""),
          "a new intent records its writer: %s" % recorded, fresh)


@test
def a_schema_3_journal_is_migrated_and_its_quota_count_reads_the_index_alone():
    rules = "[provider mobway]\nquota = 3/day\n"
    with Guarded(rules, complete_ms=100) as g:
        run(g.send_args("send", DOOR_VIN, "lock_door", "--wait", "10"))
        run(g.send_args("send", VIN, "location"))
        to_schema_3(g.db)
        old = quota_index(g.db)
        listed = g.rows()
        new = quota_index(g.db)
        verify = g.journal("verify")
        stats = g.journal("stats")
        third = run(g.send_args("send", VIN, "lock_door"))
        over = run(g.send_args("send", DOOR_VIN, "unlock_door"))
        posts = g.posts()
    check(old[0] == 3 and "fm_commands_quota" in old[1] and
          "COVERING" not in old[2],
          "schema 3: the quota count reads the table: %s" % (old,))
    check(new[0] == 4 and "fm_commands_quota_state" in new[1] and
          "fm_commands_quota" not in new[1],
          "opening it migrated it to version 4: %s" % (new,))
    check("USING COVERING INDEX fm_commands_quota_state" in new[2],
          "the quota count reads the index alone: %s" % new[2])
    check(len(listed) == 2 and verify.returncode == 0,
          "its rows kept and its chain verifies", verify)
    check(stats.returncode == 0 and
          stats.stdout.count("quota: 2 used, 1 left of 3 per 24 h") == 2,
          "each command of the provider shows the provider's quota", stats)
    check(third.returncode == 0 and over.returncode == EXIT_RATELIMIT and
          "reason: quota" in over.stderr and posts == 3,
          "the guard counts the quota on the new index (%d posts)" % posts,
          over)


@test
def reconcile_settles_an_open_command_from_the_providers_status():
    with Guarded() as g:
        sent = json_lines(run(g.send_args("--json", "send", DOOR_VIN,
                                          "lock_door")))[0]
        before = g.rows("--unresolved")
        r = run(g.send_args("reconcile", "--wait", "10"))
        after = g.rows()
        posts = g.posts()
    check([row["journal_id"] for row in before] == [sent["journal"]],
          "the pending command is open: %s" % before)
    check(r.returncode == 0 and re.search(r"asked the provider about 1, "
                                          r"settled 1", r.stdout),
          "asked about it and settled it", r)
    check(after[0]["state"] == "success" and after[0]["executed_at"],
          "success, with its execution time: %s" % after)
    check(posts == 1, "never sent again (%d posts)" % posts)


@test
def reconcile_shows_progress_on_a_terminal_and_none_without():
    with Guarded(complete_ms=2000) as g:
        run(g.send_args("send", DOOR_VIN, "lock_door"))
        rc, out, shown = on_terminal([opts.fleetcmd, *g.send_args(
            "reconcile", "--wait", "10")])
        run(g.send_args("send", VIN, "lock_door"))
        plain = run(g.send_args("reconcile", "--wait", "10"))
    check(rc == 0 and "reconcile: 1 open commands... " in shown,
          "a progress line on the terminal: %r" % shown)
    check("settled 1" in out, "the result on stdout: %r" % out)
    check(plain.returncode == 0 and plain.stderr == "",
          "nothing on stderr without a terminal", plain)


# ---- reading the journal ----------------------------------------------------

@test
def journal_lists_newest_first_and_filters_by_vin_unresolved_and_since():
    with Guarded(complete_ms=100) as g:
        run(g.send_args("send", DOOR_VIN, "lock_door", "--wait", "10"))
        run(g.send_args("send", VIN, "location"))
        table = g.journal()
        every = g.rows()
        by_vin = g.rows("--vin", DOOR_VIN.lower())
        since = g.rows("--since", "1h")
        open_ = g.rows("--unresolved")
    check(table.returncode == 0 and re.match(
        r"JOURNAL +CREATED +VIN +COMMAND +STATE +REQUESTER\n", table.stdout),
          "a table with its header", table)
    check(table.stdout.splitlines()[-1] == "2 commands", "a count line",
          table)
    check([r["command"] for r in every] == ["location", "lock_door"],
          "newest first: %s" % every)
    check([r["vin"] for r in by_vin] == [DOOR_VIN], "--vin: %s" % by_vin)
    check(len(since) == 2, "--since 1h: both: %s" % since)
    check([r["command"] for r in open_] == ["location"],
          "--unresolved: the pending one: %s" % open_)


@test
def journal_show_prints_a_command_and_its_events_and_json_parses():
    with Guarded(complete_ms=100) as g:
        sent = json_lines(run(g.send_args("--json", "send", DOOR_VIN,
                                          "lock_door", "--wait", "10")))
        jid = sent[0]["journal"]
        human = g.journal("show", jid)
        j = g.journal("show", jid, "--json")
        missing = g.journal("show", "01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    check(human.returncode == 0 and human.stdout.startswith(
        "success  lock_door  %s  journal=%s\n" % (DOOR_VIN, jid)),
          "the command's line", human)
    shown = json.loads(j.stdout)
    check(shown["journal_id"] == jid and shown["state"] == "success",
          "one JSON object: the command", j)
    kinds = [e["kind"] for e in shown["events"]]
    check(kinds[:2] == ["intent", "outcome"] and "status" in kinds,
          "its events in order: %s" % kinds)
    check(all(e["kind"] in human.stdout for e in shown["events"]),
          "each event in the human form", human)
    check(missing.returncode == 10, "an unknown id: ENOTFOUND (10)",
          missing)


@test
def journal_verify_passes_and_names_the_event_changed_with_sqlite3():
    if not shutil.which("sqlite3"):
        raise Skip("no sqlite3 shell")
    with Guarded() as g:
        sent = json_lines(run(g.send_args("--json", "send", DOOR_VIN,
                                          "lock_door")))[0]
        good = g.journal("verify")
        with sqlite3.connect(g.db) as db:
            seq = db.execute("SELECT seq FROM fm_events WHERE journal_id = ? "
                             "AND kind = 'outcome'",
                             (sent["journal"],)).fetchone()[0]
        # The sqlite3 shell, as someone editing the file by hand would.
        subprocess.run(["sqlite3", g.db, "UPDATE fm_events SET state = "
                        "'failed' WHERE seq = %d" % seq], check=True)
        bad = g.journal("verify")
    check(good.returncode == 0 and "journal intact: 2 events in 1 chain"
          in good.stdout, "intact before", good)
    check(bad.returncode == EXIT_TAMPERED, "exit 24 after", bad)
    check("event %d of host gw-test (command %s)" % (seq, sent["journal"])
          in bad.stderr, "stderr names the event and its command", bad)


def openmetrics_families(text):
    """The families prometheus_client's OpenMetrics parser reads from
    text (it raises on anything invalid). The parser comes with Debian's
    python3-prometheus-client, which installs for the system python3."""
    code = ("import json, sys\n"
            "from prometheus_client.openmetrics.parser import "
            "text_string_to_metric_families as parse\n"
            "print(json.dumps([[f.name, f.type, [[s.name, s.labels, s.value]"
            " for s in f.samples]] for f in parse(sys.stdin.read())]))\n")
    for py in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(py):
            continue
        r = subprocess.run([py, "-c", "import prometheus_client"],
                           capture_output=True)
        if r.returncode != 0:
            continue
        r = subprocess.run([py, "-c", code], input=text, capture_output=True,
                           text=True)
        check(r.returncode == 0, "the OpenMetrics parser accepts it", r)
        return json.loads(r.stdout)
    raise AssertionError("no python3 with prometheus_client "
                         "(python3-prometheus-client; make deps)")


@test
def journal_stats_counts_states_and_openmetrics_validates():
    rules = "[provider mobway]\nquota = 50/day\n"
    with Guarded(rules, complete_ms=100) as g:
        run(g.send_args("send", DOOR_VIN, "lock_door", "--wait", "10"))
        run(g.send_args("send", VIN, "lock_door"))
        human = g.journal("stats")
        om = g.journal("stats", "--openmetrics")
        since = g.journal("stats", "--since", "1h")
    check(human.returncode == 0, "exit 0", human)
    check("mobway  lock_door: 2 commands, 1 unresolved" in human.stdout,
          "counts per provider and command", human)
    check(re.search(r"^  states: .*pending=1 success=1", human.stdout, re.M),
          "by state", human)
    check(re.search(r"^  call latency: p50 \d+ ms, p95 \d+ ms$",
                    human.stdout, re.M), "call latency p50/p95", human)
    check(re.search(r"^  created to executed: p50 \d+ s, p95 \d+ s$",
                    human.stdout, re.M), "created to executed", human)
    check("quota: 2 used, 48 left of 50 per 24 h" in human.stdout,
          "quota used and left", human)
    check(since.stdout == human.stdout, "--since 1h: the same", since)
    check(om.returncode == 0 and om.stdout.endswith("# EOF\n"),
          "OpenMetrics ends in # EOF", om)
    fams = {f[0]: f for f in openmetrics_families(om.stdout)}
    states = {s[1]["state"]: s[2] for s in
              fams["fleetmod_journal_commands"][2]}
    check(states["success"] == 1 and states["pending"] == 1,
          "commands by state: %s" % states)
    check(fams["fleetmod_journal_unresolved"][2][0][2] == 1, "unresolved")
    check(fams["fleetmod_journal_quota"][2][0][2] == 50 and
          fams["fleetmod_journal_quota_used"][2][0][2] == 2,
          "quota and used: %s" % fams["fleetmod_journal_quota_used"])
    check({s[1]["quantile"] for s in
           fams["fleetmod_journal_call_latency_seconds"][2]} ==
          {"0.5", "0.95"}, "latency quantiles")


@test
def help_documents_the_journal_commands_and_options():
    r = run(["--help"])
    for word in ("--policy FILE", "--reason TEXT", "--deadline SECONDS",
                 "journal show ID", "journal verify", "journal stats",
                 "--openmetrics", "reconcile", "--unresolved", "--since",
                 "--call-bound", "--host-id", "24  journal verify",
                 "journal=ID"):
        check(word in r.stdout, "--help mentions %s" % word, r)
    for topic in ("journal", "reconcile"):
        page = run(["help", topic])
        check(page.returncode == 0 and page.stdout.startswith(
            "Usage: fleetcmd [") and topic in page.stdout.splitlines()[0],
              "help %s is its page" % topic, page)
    bad = run(["journal", "--openmetrics"])
    check(bad.returncode == 64 and "--openmetrics does not apply to "
          "'journal'" in bad.stderr, "options checked per command", bad)


@test
def memcheck_clean_for_a_guarded_send_and_the_journal_commands():
    cmd = os.environ.get("MEMCHECK", DEFAULT_MEMCHECK)
    if not cmd.strip():
        raise Skip("MEMCHECK is empty (a sanitizer build checks memory "
                   "itself)")
    prefix = shlex.split(cmd)
    with Guarded(complete_ms=100) as g:
        r = run(g.send_args("--json", "send", DOOR_VIN, "lock_door", "--wait",
                            "10"), prefix=prefix, timeout=180)
        check(r.returncode == 0, "send: exit 0 (99: memcheck errors)", r)
        jid = json_lines(r)[0]["journal"]
        for args in (["journal", "--json"], ["journal", "show", jid],
                     ["journal", "verify"], ["journal", "stats",
                                             "--openmetrics"]):
            r = run(["--policy", g.policy, *args], prefix=prefix,
                    timeout=180)
            check(r.returncode == 0, "%s: exit 0 (99: errors)" % args, r)
        r = run(g.send_args("reconcile"), prefix=prefix, timeout=180)
        check(r.returncode == 0, "reconcile: exit 0 (99: errors)", r)
        kill(held_send(g, policy=other_machine(g)))
        g.sim.clear_faults()
        r = run(g.send_args("reconcile", "--host-id", "gw-other"),
                prefix=prefix, timeout=180)
        check(r.returncode == 0 and "marked 1 unknown" in r.stdout,
              "reconcile --host-id: exit 0 (99: errors)", r)


def main():
    global opts
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fleetcmd", required=True)
    ap.add_argument("--mobway", required=True, help="mobway.so")
    ap.add_argument("--sim", required=True, help="mobway-sim")
    ap.add_argument("--default-policy", required=True,
                    help="the default policy path this build looks at")
    ap.add_argument("only", nargs="*", help="run only these tests")
    opts = ap.parse_args()
    opts.tmp = tempfile.mkdtemp(prefix="fleetcmd-journal-test-")
    rc = run_tests(opts.only)
    shutil.rmtree(opts.tmp)
    return rc


if __name__ == "__main__":
    sys.exit(main())
