#!/usr/bin/env python3
"""Stacks end to end (fleetmod/host.h, fleetmod-stack(5)): fleetcmd -s routing commands
across mobway.so, talking to its own mobway-sim, and the skeleton provider.

Run by `make check-stack`. Each test is named for the rule it checks. The
simulator's counters are the witness of what reached Mobway: a denial is a
404 on POST /vehicle-command, a registered command a 200. The skeleton
writes one "send ..." log line per call it gets (fleetcmd -v shows it), so
its silence proves it was not tried. Prints "N passed, N failed"; exits 1
on any failure.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from mobway_sim import MobwaySim, mobway_conf  # noqa: E402
from testenv import env_with, write  # noqa: E402
from testrun import Skip, check, run_tests, test  # noqa: E402

# The simulator's default fixtures (company "demo").
MW_ALL = "6AHFT68CKAF501652"      # all six commands
MW_DOORS = "9BWZZZ377VT004251"    # location, lock_door, unlock_door
# skeleton.conf
SK_VIN = "WP0ZZZ99ZTS392124"      # location, doors, disable_ignition (confirm)
SK_LOC = "ZFA25000002345678"      # location
NOBODY = "WVWZZZ1JZXW000001"      # neither provider's
MW_DENIED = "VIN not found or unauthorized access."
SEMVER = r"\d+\.\d+\.\d+"

EX_EDENIED, EX_ECONFIG, EX_EUNREACHABLE, EX_ENOTFOUND = 4, 2, 7, 10
# fleetcmd's own: not confirmed; a batch with an item not done as asked.
EX_UNCONFIRMED, EX_BATCH = 22, 23

opts = None


def fleetcmd(*args, env=None):
    """fleetcmd without a terminal, output captured."""
    return subprocess.run([opts.fleetcmd, *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env_with(env),
                          timeout=60)


def reply(r):
    """The last JSON reply of a --json run."""
    lines = r.stdout.splitlines()
    check(lines, "no reply on stdout", r)
    return json.loads(lines[-1])


def replies(r):
    """Every JSON line of a --json batch run: one reply per item."""
    return [json.loads(line) for line in r.stdout.splitlines()]


def skeleton_calls(r):
    """The skeleton's own log lines of calls (mobway's start "mobway:")."""
    return re.findall(r"^\w+: (?:send|confirm|status) request_id=.*$",
                      r.stderr, re.M)


def posts(sim):
    """POST /vehicle-command counts by HTTP status, e.g. {"200": 1}."""
    return sim.stats()["requests"]["POST /vehicle-command"]


def gets(sim):
    return sim.stats()["requests"]["GET /vehicle-command/{id}"]


class Env:
    """A temporary directory with a running simulator, Mobway configs for
    its accounts, and stack files. A context manager."""

    def __init__(self, *sim_args):
        self.sim = MobwaySim(opts.sim, *sim_args)
        self.dir = tempfile.mkdtemp(prefix="stack-test.")
        self.url = self.sim.url
        self.closed = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sim.stop()
        if self.closed:
            self.closed.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop_mobway(self):
        """Mobway goes away: the simulator stops, and the configs written
        from now on name a port that refuses connections. That port is
        bound, never listening, so no other test's server can take it."""
        self.sim.stop()
        self.closed = socket.socket()
        self.closed.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.closed.getsockname()[1]

    def mobway_conf(self, name="mobway", client="demo-client",
                    secret="demo-secret", sign="demo-sign-secret"):
        """A config for an account of this simulator, or for the refusing
        port once Mobway is gone."""
        return mobway_conf(self.dir, self.url, name, client, secret, sign,
                           extra="connect_timeout_ms = 2000\n")

    def stack(self, text):
        return write(os.path.join(self.dir, "stack.conf"), text, 0o644)

    def section(self, name, module=None, config=None, **keys):
        """A stack section; module and config default to the built
        mobway.so and a config for this simulator."""
        lines = ["[%s]" % name,
                 "module = %s" % (module or opts.mobway),
                 "config = %s" % (config or self.mobway_conf())]
        lines += ["%s = %s" % kv for kv in keys.items()]
        return "\n".join(lines) + "\n\n"

    def skeleton(self, name="skeleton", **keys):
        return self.section(name, opts.skeleton, opts.skeleton_conf, **keys)

    def mobway_then_skeleton(self, control="sufficient"):
        return self.stack(self.section("mobway", control=control) +
                          self.skeleton())


# 1 -----------------------------------------------------------------------
@test
def sufficient_provider_denial_falls_through_to_the_next():
    with Env() as e:
        st = e.mobway_then_skeleton()
        r = fleetcmd("-s", st, "-v", "--json", "send", SK_VIN, "location")
        check(r.returncode == 0, "exit 0 expected", r)
        rep = reply(r)
        check(rep["provider"] == "skeleton" and rep["status"] == "pending",
              "the skeleton answers", r)
        check(posts(e.sim) == {"404": 1},
              "mobway was asked once and denied: %s" % posts(e.sim))
        check(len(skeleton_calls(r)) == 1, "the skeleton got one call", r)


# 2 -----------------------------------------------------------------------
@test
def vin_no_provider_owns_exits_edenied():
    with Env() as e:
        st = e.mobway_then_skeleton()
        r = fleetcmd("-s", st, "--json", "send", NOBODY, "location")
        check(r.returncode == EX_EDENIED, "exit 4 (EDENIED) expected", r)
        rep = reply(r)
        check(rep["error"]["name"] == "EDENIED" and
              rep["error"]["delivered"] == "no", "EDENIED, not delivered", r)
        check(rep["provider"] == "skeleton",
              "the last provider's denial is relayed", r)
        check(posts(e.sim) == {"404": 1}, "mobway denied it first: %s"
              % posts(e.sim))


# 3 -----------------------------------------------------------------------
@test
def required_provider_denial_is_final():
    with Env() as e:
        st = e.mobway_then_skeleton(control="required")
        r = fleetcmd("-s", st, "-v", "--json", "send", SK_VIN, "location")
        check(r.returncode == EX_EDENIED, "exit 4 expected", r)
        rep = reply(r)
        check(rep["provider"] == "mobway", "mobway's answer stands", r)
        check(rep["error"]["message"] == MW_DENIED,
              "Mobway's own text, verbatim", r)
        check(not skeleton_calls(r), "the skeleton was not tried", r)


# 4 -----------------------------------------------------------------------
@test
def unreachable_provider_does_not_fall_through():
    with Env() as e:
        e.stop_mobway()
        st = e.mobway_then_skeleton()
        # The skeleton would have carried this one out.
        r = fleetcmd("-s", st, "-v", "--json", "send", SK_VIN, "location")
        check(r.returncode == EX_EUNREACHABLE, "exit 7 (EUNREACHABLE)", r)
        rep = reply(r)
        check(rep["provider"] == "mobway" and
              rep["error"]["name"] == "EUNREACHABLE", "mobway's answer", r)
        check(not skeleton_calls(r), "the skeleton was not tried", r)


@test
def unreachable_provider_ends_a_status_search():
    with Env() as e:
        e.stop_mobway()
        st = e.mobway_then_skeleton()
        r = fleetcmd("-s", st, "-v", "--json", "status", str(uuid.uuid4()))
        check(r.returncode == EX_EUNREACHABLE and
              reply(r)["provider"] == "mobway",
              "status falls through only on ENOTFOUND", r)
        check(not skeleton_calls(r), "the skeleton was not asked", r)


# 5 -----------------------------------------------------------------------
def send_for_code(st, vin, command):
    r = fleetcmd("-s", st, "--json", "send", vin, command)
    rep = reply(r)
    check(r.returncode == EX_UNCONFIRMED and rep["status"] == "confirmation",
          "a confirmation step", r)
    return rep


@test
def confirm_reaches_the_provider_that_asked_for_it():
    with Env() as e:
        st = e.mobway_then_skeleton()
        asked = send_for_code(st, MW_ALL, "disable_ignition")
        check(asked["provider"] == "mobway", "the send reply names mobway")
        r = fleetcmd("-s", st, "--json", "confirm", MW_ALL,
                     "disable_ignition", asked["code"], "--provider",
                     asked["provider"])
        check(r.returncode == 0, "confirm --provider mobway works", r)
        check(reply(r)["provider"] == "mobway", "mobway confirmed", r)
        # Without --provider, confirm routes like send.
        asked = send_for_code(st, MW_ALL, "disable_ignition")
        r = fleetcmd("-s", st, "--json", "confirm", MW_ALL,
                     "disable_ignition", asked["code"])
        check(r.returncode == 0 and reply(r)["provider"] == "mobway",
              "confirm without --provider reaches mobway", r)
        check(e.sim.stats()["max_executions"] == 1, "each ran once")


@test
def confirm_without_provider_falls_through_only_on_denial():
    with Env() as e:
        st = e.mobway_then_skeleton()
        before = posts(e.sim).get("404", 0)
        # A skeleton vehicle: Mobway denies the VIN, the skeleton (which
        # keeps its codes in process memory) refuses a code of no send.
        r = fleetcmd("-s", st, "-v", "--json", "confirm", SK_VIN,
                     "disable_ignition", "123456")
        rep = reply(r)
        check(rep["provider"] == "skeleton" and rep["error"]["name"] ==
              "ECONFIRM", "mobway denied, the skeleton answered", r)
        check(posts(e.sim).get("404", 0) == before + 1, "mobway was asked")
        check(len(skeleton_calls(r)) == 1, "the skeleton got one call", r)


@test
def status_without_provider_asks_until_one_knows_the_id():
    with Env() as e:
        st = e.mobway_then_skeleton()
        r = fleetcmd("-s", st, "--json", "send", MW_ALL, "location")
        sent = reply(r)
        r = fleetcmd("-s", st, "--json", "status", sent["id"])
        check(r.returncode == 0, "mobway's id is found", r)
        rep = reply(r)
        check(rep["provider"] == "mobway" and rep["id"] == sent["id"],
              "mobway answers for its command", r)
        # An id nobody has: mobway says ENOTFOUND, the skeleton is asked.
        r = fleetcmd("-s", st, "-v", "--json", "status", str(uuid.uuid4()))
        check(r.returncode == EX_ENOTFOUND, "exit 10 (ENOTFOUND)", r)
        check(reply(r)["provider"] == "skeleton",
              "the last provider asked answers", r)
        check(gets(e.sim) == {"200": 1, "404": 1},
              "mobway was asked for both ids: %s" % gets(e.sim))
        check(len(skeleton_calls(r)) == 1, "then the skeleton", r)


@test
def status_with_provider_asks_only_that_provider():
    with Env() as e:
        st = e.mobway_then_skeleton()
        sent = reply(fleetcmd("-s", st, "--json", "send", MW_ALL,
                              "location"))
        r = fleetcmd("-s", st, "--json", "status", sent["id"], "--provider",
                     "mobway")
        check(r.returncode == 0 and reply(r)["provider"] == "mobway",
              "status --provider mobway", r)
        r = fleetcmd("-s", st, "--json", "status", sent["id"], "--provider",
                     "skeleton")
        check(r.returncode == EX_ENOTFOUND and
              reply(r)["provider"] == "skeleton",
              "the skeleton does not know mobway's id", r)
        check(gets(e.sim) == {"200": 1}, "mobway was asked once only: %s"
              % gets(e.sim))
        r = fleetcmd("-s", st, "--json", "status", sent["id"], "--provider",
                     "nosuch")
        check(r.returncode == 1 and reply(r)["provider"] == "stack" and
              "nosuch" in reply(r)["error"]["message"],
              "an unknown --provider is EINVAL from the stack itself", r)


# 6 -----------------------------------------------------------------------
@test
def vins_globs_route_without_asking_the_others():
    with Env() as e:
        st = e.stack(e.skeleton(vins="WP0*") +
                     e.section("mobway", vins="6ah*, 9bw*"))
        r = fleetcmd("-s", st, "--json", "send", SK_VIN, "location")
        check(r.returncode == 0 and reply(r)["provider"] == "skeleton",
              "a WP0 VIN goes to the skeleton", r)
        stats = e.sim.stats()["requests"]
        check(stats["POST /vehicle-command"] == {} and
              stats["POST /token"] == {},
              "the simulator saw no request: %s" % stats)
        r = fleetcmd("-s", st, "-v", "--json", "send", MW_DOORS, "location")
        check(reply(r)["provider"] == "mobway",
              "globs match case-insensitively, past the skeleton", r)
        check(not skeleton_calls(r), "the skeleton was not tried", r)
        r = fleetcmd("-s", st, "--json", "send", NOBODY, "location")
        rep = reply(r)
        check(r.returncode == EX_EDENIED and rep["provider"] == "stack" and
              NOBODY in rep["error"]["message"],
              "a VIN no glob takes is denied by the stack itself", r)
        check(sum(posts(e.sim).values()) == 1,
              "only the 9BW VIN reached Mobway: %s" % posts(e.sim))


@test
def vins_globs_skip_a_provider_ahead_in_the_file():
    with Env() as e:
        st = e.stack(e.section("mobway", control="sufficient",
                               vins="6AH* 9BW*") + e.skeleton())
        r = fleetcmd("-s", st, "--json", "send", SK_VIN, "location")
        check(r.returncode == 0 and reply(r)["provider"] == "skeleton",
              "the skeleton answers", r)
        stats = e.sim.stats()["requests"]
        check(stats["POST /vehicle-command"] == {} and
              stats["POST /token"] == {},
              "mobway, first in the file, was not asked: %s" % stats)


# Batches -----------------------------------------------------------------
def list_file(e, name, items):
    return write(os.path.join(e.dir, name), "".join(i + "\n" for i in items))


@test
def batch_routes_each_vin_as_its_single_send_would():
    with Env() as e:
        st = e.mobway_then_skeleton()
        vins = list_file(e, "vins", [MW_ALL, SK_VIN, NOBODY])
        r = fleetcmd("-s", st, "-v", "--json", "send", "--vins-file", vins,
                     "location")
        check(r.returncode == EX_BATCH, "the batch ran: exit 23 (one denied)",
              r)
        got = replies(r)
        check([(x["vin"], x["provider"]) for x in got] ==
              [(MW_ALL, "mobway"), (SK_VIN, "skeleton"),
               (NOBODY, "skeleton")],
              "each item from its provider, in request order", r)
        check(got[0]["status"] in ("pending", "success") and
              got[1]["status"] in ("pending", "success"),
              "Mobway's and the skeleton's vehicles are running", r)
        check(got[2]["error"]["name"] == "EDENIED" and
              got[2]["error"]["delivered"] == "no",
              "no provider has the unknown VIN: the last denial", r)
        s = e.sim.stats()
        check(s["commands_registered"] == 1 and
              posts(e.sim) == {"200": 1, "404": 2},
              "Mobway got the three VINs in one batch and registered only "
              "its own: %s" % posts(e.sim))
        calls = skeleton_calls(r)
        check(len(calls) == 1 and "batch=2" in calls[0],
              "the skeleton got the two denied VINs in one call", r)
        ids = list_file(e, "ids", [got[0]["id"], got[1]["id"]])
        r = fleetcmd("-s", st, "-v", "--json", "status", "--ids-file", ids)
        got = replies(r)
        check(r.returncode == EX_BATCH and got[0]["provider"] == "mobway" and
              "error" not in got[0], "Mobway knows its command", r)
        # The skeleton keeps its commands in process memory, so this new
        # process's skeleton does not know the id; what matters is that
        # the search went on to it after Mobway's ENOTFOUND.
        check(got[1]["provider"] == "skeleton" and
              got[1]["error"]["name"] == "ENOTFOUND",
              "the skeleton's id is looked up at the skeleton", r)
        check(gets(e.sim) == {"200": 1, "404": 1},
              "Mobway was asked once for each id: %s" % gets(e.sim))
        check(len(skeleton_calls(r)) == 1, "the skeleton got one call", r)


@test
def batch_through_a_stack_reaches_mobway_in_one_call_up_to_its_limit():
    # mobway.so states max_batch 10000 in its table: a 5,000-VIN batch
    # through a stack is one call to it (fleetcmd's default batch size is
    # the stack's limit), where a stack capped at 1000 made five.
    with Env() as e:
        st = e.stack(e.section("mobway"))
        vins = list_file(e, "vins",
                         ["WVWZZZ1JZXW%06d" % i for i in range(5000)])
        r = fleetcmd("-s", st, "-v", "--json", "send", "--vins-file", vins,
                     "location")
        calls = re.findall(r"mobway: send batch of (\d+)", r.stderr)
        check(calls == ["5000"], "one batch call of 5000: %s" % calls, r)
        check(posts(e.sim) == {"404": 5000},
              "the simulator got each VIN once: %s" % posts(e.sim))
        got = replies(r)
        check(len(got) == 5000 and
              all(x["provider"] == "mobway" for x in got),
              "5000 replies, each from mobway", r)


@test
def batch_vin_no_glob_takes_is_denied_by_the_stack_alone():
    with Env() as e:
        st = e.stack(e.section("mobway", vins="6AH*") +
                     e.skeleton(vins="WP0*"))
        vins = list_file(e, "vins", [SK_VIN, NOBODY, MW_ALL])
        r = fleetcmd("-s", st, "--json", "send", "--vins-file", vins,
                     "location")
        got = replies(r)
        check(r.returncode == EX_BATCH and
              [x["provider"] for x in got] == ["skeleton", "stack", "mobway"],
              "the unknown VIN alone is the stack's", r)
        check(got[1]["error"]["name"] == "EDENIED" and
              got[1]["vin"] == NOBODY, "denied, naming the VIN", r)
        check(posts(e.sim) == {"200": 1},
              "Mobway saw only its own VIN: %s" % posts(e.sim))


@test
def batch_waited_through_a_stack_asks_each_provider_for_its_items():
    with Env() as e:
        st = e.mobway_then_skeleton()
        vins = list_file(e, "vins", [SK_VIN, MW_ALL])
        r = fleetcmd("-s", st, "--json", "send", "--vins-file", vins,
                     "location", "--wait", "30")
        got = replies(r)
        check(r.returncode == 0 and
              [(x["provider"], x["status"]) for x in got] ==
              [("skeleton", "success"), ("mobway", "success")],
              "both commands succeeded, each at its provider", r)
        check(e.sim.stats()["commands_registered"] == 1,
              "Mobway ran its own command only")


@test
def batch_to_an_unreachable_provider_fails_only_its_items():
    with Env() as e:
        e.stop_mobway()
        st = e.stack(e.section("mobway", control="sufficient",
                               vins="6AH*") + e.skeleton())
        vins = list_file(e, "vins", [MW_ALL, SK_VIN])
        r = fleetcmd("-s", st, "-v", "--json", "send", "--vins-file", vins,
                     "location")
        got = replies(r)
        check(r.returncode == EX_BATCH and
              [x["provider"] for x in got] == ["mobway", "skeleton"],
              "each item answered by its own provider", r)
        check(got[0]["error"]["name"] == "EUNREACHABLE" and
              got[0]["error"]["delivered"] == "no",
              "Mobway's item failed, not delivered", r)
        check(got[1]["status"] == "pending", "the skeleton's item runs", r)
        check("batch=1" in "".join(skeleton_calls(r)),
              "the unreachable item did not fall through", r)


# 7 -----------------------------------------------------------------------
@test
def modules_lists_each_section_with_name_version_and_state():
    with Env() as e:
        st = e.stack(e.section("fleet", control="sufficient") +
                     e.skeleton("oem2"))
        r = fleetcmd("-s", st, "--json", "modules")
        check(r.returncode == 0, "exit 0", r)
        rows = [json.loads(line) for line in r.stdout.splitlines()]
        check([(x["section"], x["name"], x["state"]) for x in rows] ==
              [("fleet", "mobway", "ready"), ("oem2", "skeleton", "ready")],
              "both sections in file order", r)
        check(all(re.fullmatch(SEMVER, x["version"]) for x in rows),
              "versions", r)
        r = fleetcmd("-s", st, "modules")
        check(re.search(r"^fleet\s+mobway\s+%s\s+ready\s" % SEMVER,
                        r.stdout, re.M) and
              re.search(r"^oem2\s+skeleton\s+%s\s+ready\s" % SEMVER,
                        r.stdout, re.M), "the human listing", r)


@test
def optional_provider_that_fails_is_listed_failed_and_skipped():
    with Env() as e:
        broken = write(os.path.join(e.dir, "broken.conf"),
                       "[mobway]\nbase_url = ftp://nowhere\n", 0o644)
        st = e.stack(e.section("mobway", control="sufficient") +
                     e.section("broken", config=broken, optional="true") +
                     e.skeleton())
        r = fleetcmd("-s", st, "--json", "modules")
        rows = {x["section"]: x for x in map(json.loads,
                                             r.stdout.splitlines())}
        check(r.returncode == 0 and rows["broken"]["state"] == "failed" and
              rows["broken"].get("error") and
              rows["skeleton"]["state"] == "ready",
              "broken is listed as failed, with why", r)
        r = fleetcmd("-s", st, "--json", "send", SK_VIN, "location")
        check(r.returncode == 0 and reply(r)["provider"] == "skeleton",
              "the stack still works, past the failed provider", r)
        r = fleetcmd("-s", st, "--json", "status", str(uuid.uuid4()),
                     "--provider", "broken")
        check(r.returncode == EX_ECONFIG and
              reply(r)["provider"] == "broken",
              "a call for the failed provider is ECONFIG", r)


@test
def provider_that_fails_without_optional_fails_the_stack_naming_it():
    with Env() as e:
        st = e.stack(e.section("mobway") +
                     e.section("broken", config=os.path.join(e.dir, "none")))
        r = fleetcmd("-s", st, "send", SK_VIN, "location")
        check(r.returncode == EX_ECONFIG, "exit 2 (ECONFIG)", r)
        check("%s:5: [broken]" % st in r.stderr,
              "the error names file, line and section", r)
        check(posts(e.sim) == {}, "nothing was sent")


@test
def bad_stack_files_are_refused_with_file_line_and_section():
    with Env() as e:
        ok = e.section("mobway")
        cases = [
            (ok + "[mobway]\nmodule = skeleton\n",
             r":5: duplicate section \[mobway\], first at line 1"),
            ("[a]\nmodule = %s\ncontrol = maybe\n" % opts.skeleton,
             r":3: \[a\] control = maybe: expected required or sufficient"),
            ("[a]\nmodule = %s\n" % os.path.join(e.dir, "nosuch.so"),
             r":1: \[a\] .*nosuch\.so"),
            ("[a]\nconfig = x\n", r":1: \[a\] missing key module"),
            ("[a]\nmodule = skeleton\noptional = yes\n",
             r":3: \[a\] optional = yes: expected false or true"),
        ]
        for text, want in cases:
            st = e.stack(text)
            r = fleetcmd("-s", st, "modules")
            check(r.returncode == EX_ECONFIG and
                  re.search(re.escape(st) + want, r.stderr),
                  "refused with %r" % want, r)


# 8 -----------------------------------------------------------------------
TWO_COMPANIES = """
[company demo]
client_id = demo-client
client_secret = demo-secret
sign_secret = demo-sign-secret

[company north]
client_id = north-client
client_secret = north-secret
sign_secret = north-sign-secret

[vehicle 6AHFT68CKAF501652]
company = demo
commands = location, disable_ignition

[vehicle 3VWFE21C04M000002]
company = north
commands = location, disable_ignition
"""
NORTH_VIN = "3VWFE21C04M000002"


@test
def two_accounts_of_one_module_stay_apart():
    d = tempfile.mkdtemp(prefix="stack-fixtures.")
    try:
        fixtures = write(os.path.join(d, "fixtures.ini"), TWO_COMPANIES)
        with Env("--fixtures", fixtures) as e:
            north = e.mobway_conf("north", "north-client", "north-secret",
                                  "north-sign-secret")
            st = e.stack(e.section("demo", module="mobway",
                                   control="sufficient") +
                         e.section("north", module="mobway", config=north))
            path = {"FLEETMOD_MODULE_PATH": os.path.dirname(opts.mobway)}
            two_accounts(e, st, path)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def two_accounts(e, st, env):
    run = lambda *a: fleetcmd("-s", st, "--json", *a, env=env)
    r = run("send", MW_ALL, "location")
    check(r.returncode == 0 and reply(r)["provider"] == "demo",
          "the demo account's vehicle", r)
    r = run("send", NORTH_VIN, "location")
    sent = reply(r)
    check(r.returncode == 0 and sent["provider"] == "north",
          "the north account's vehicle, after demo denied it", r)
    r = run("status", sent["id"])
    check(r.returncode == 0 and reply(r)["provider"] == "north",
          "status finds north's id after demo's ENOTFOUND", r)
    r = run("status", sent["id"], "--provider", "demo")
    check(r.returncode == EX_ENOTFOUND and reply(r)["provider"] == "demo",
          "demo's account cannot see north's command", r)
    asked = reply(run("send", NORTH_VIN, "disable_ignition"))
    check(asked["provider"] == "north", "north asks for confirmation")
    r = run("confirm", NORTH_VIN, "disable_ignition", asked["code"],
            "--provider", asked["provider"])
    check(r.returncode == 0 and reply(r)["provider"] == "north",
          "north confirms its own command", r)
    check(e.sim.stats()["max_executions"] == 1, "each command ran once")


# 9 -----------------------------------------------------------------------
@test
def eight_threads_send_each_command_to_exactly_one_provider():
    with Env() as e:
        st = e.mobway_then_skeleton()
        r = subprocess.run([opts.threads_bin, st, "8", "200",
                            MW_ALL + "=mobway", SK_VIN + "=skeleton",
                            MW_DOORS + "=mobway", SK_LOC + "=skeleton"],
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, "every reply from its own provider", r)
        routed = dict((m[0], int(m[1])) for m in
                      re.findall(r"^routed (\w+) (\d+)$", r.stdout, re.M))
        check(routed == {"mobway": 800, "skeleton": 800},
              "1600 sends, half to each provider: %s" % routed, r)
        s = e.sim.stats()
        check(s["commands_registered"] == routed["mobway"],
              "Mobway registered exactly the mobway-routed commands: %d"
              % s["commands_registered"])
        check(posts(e.sim) == {"200": 800, "404": 800},
              "each skeleton send was denied once by Mobway, nothing "
              "else reached it: %s" % posts(e.sim))
        check(gets(e.sim) == {"200": 800, "404": 800},
              "status asked Mobway first for every id: %s" % gets(e.sim))
        check(s["max_executions"] <= 1, "no command ran twice")


@test
def stack_host_is_memcheck_clean():
    memcheck = os.environ.get("MEMCHECK", "").split()
    if not memcheck:
        raise Skip("MEMCHECK is empty (a sanitizer build checks itself)")
    with Env() as e:
        st = e.mobway_then_skeleton()
        r = subprocess.run([*memcheck, opts.threads_bin, st, "4", "10",
                            MW_ALL + "=mobway", SK_VIN + "=skeleton"],
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, "no leak or error under %s" % memcheck[0],
              r)


# -------------------------------------------------------------------------
@test
def default_stack_file_is_used_without_s_or_m():
    r = fleetcmd("--help")
    m = re.search(r"default stack file is\s+used: (\S+)", r.stdout)
    check(m, "--help names the default stack file", r)
    path = m.group(1)
    check(path.endswith("/fleetmod/stack.conf"), "SYSCONFDIR/fleetmod/...")
    if os.path.exists(path):
        raise Skip("%s exists on this machine" % path)
    r = fleetcmd("send", SK_VIN, "location")
    check(r.returncode == EX_ECONFIG and path in r.stderr,
          "without -s and -m, fleetcmd reads the default stack file", r)


@test
def example_stack_is_inert_and_parses_once_uncommented():
    example = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "..", "..", "host-api", "stack.conf.example")
    with open(example) as f:
        text = f.read()
    for key in ("module", "config", "control", "vins", "optional",
                "enabled"):
        check(re.search(r"^;\s+%s\s" % key, text, re.M),
              "the example documents %s" % key)
    r = fleetcmd("-s", example, "modules")
    check(r.returncode == EX_ECONFIG and "no provider section" in r.stderr,
          "as shipped, the example opens nothing", r)
    d = tempfile.mkdtemp(prefix="stack-example.")
    try:
        st = write(os.path.join(d, "stack.conf"),
                   re.sub(r"^;(\[|\w+ = )", r"\1", text, flags=re.M))
        r = fleetcmd("-s", st, "modules", env={
            "FLEETMOD_MODULE_PATH": os.path.dirname(opts.mobway)})
        # Parsed to the end: what stops it is loading the first provider,
        # whose config file is not on this machine.
        check(r.returncode != 0 and
              re.search(re.escape(st) + r":\d+: \[mobway\] ", r.stderr) and
              "key" not in r.stderr and "syntax" not in r.stderr,
              "uncommented, the example is a valid stack file", r)
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def fresh_install_says_which_file_to_edit_then_runs_once_enabled():
    # As installed: stack.conf is the commented-out example and the
    # provider package's drop-in (host-api/dropin-mobway.conf.example) is
    # disabled. The first send must say what to do, not "no provider".
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    with open(os.path.join(top, "host-api", "stack.conf.example")) as f:
        example = f.read()
    with open(os.path.join(top, "host-api", "dropin-mobway.conf.example")) as f:
        dropin = f.read()
    with Env() as e:
        st = e.stack(example)
        os.mkdir(os.path.join(e.dir, "stack.d"))
        mw = os.path.join(e.dir, "stack.d", "mobway.conf")
        write(mw, dropin.replace("/etc/fleetmod/mobway.conf",
                                 e.mobway_conf()), 0o644)
        env = {"FLEETMOD_MODULE_PATH": os.path.dirname(opts.mobway)}
        r = fleetcmd("-s", st, "send", MW_ALL, "location", env=env)
        check(r.returncode == EX_ECONFIG and mw in r.stderr and
              "enabled = false; set it to true there" in r.stderr and
              "fleetcmd -m mobway" in r.stderr,
              "the error names the drop-in file and what to do", r)
        check(posts(e.sim) == {}, "nothing was sent")
        with open(mw) as f:
            text = f.read()
        write(mw, text.replace("enabled = false", "enabled = true"), 0o644)
        r = fleetcmd("-s", st, "--json", "send", MW_ALL, "location", env=env)
        check(r.returncode == 0 and reply(r)["provider"] == "mobway",
              "enabled, the drop-in's section is the stack's provider", r)


def main():
    global opts
    ap = argparse.ArgumentParser()
    for name in ("fleetcmd", "mobway", "skeleton", "skeleton-conf", "sim",
                 "threads-bin"):
        ap.add_argument("--" + name, required=True)
    opts = ap.parse_args()
    for name in ("fleetcmd", "mobway", "skeleton", "skeleton_conf", "sim",
                 "threads_bin"):
        setattr(opts, name, os.path.abspath(getattr(opts, name)))
    return run_tests()

if __name__ == "__main__":
    sys.exit(main())
