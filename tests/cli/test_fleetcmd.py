#!/usr/bin/env python3
"""fleetcmd from the outside: exit codes, output, the confirmation step,
waiting, module listing, the y/N prompt on a terminal, and memcheck.

Run by `make check-fleetcmd`. Each test is named for the rule it checks.
The skeleton provider keeps its commands in process memory, so the flows
that span two fleetcmd runs (confirm with a printed code, status of an
earlier command) use filestate.so, a test provider whose commands live in
files. Prints "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

VIN = "WP0ZZZ99ZTS392124"
UNKNOWN_VIN = "WVWZZZ1JZXW000001"
SEMVER = r"\d+\.\d+\.\d+"
DEFAULT_MEMCHECK = ("valgrind -q --error-exitcode=99 --leak-check=full "
                    "--errors-for-leak-kinds=definite,indirect "
                    "--show-leak-kinds=definite,indirect")

TESTS = []
opts = None


class Skip(Exception):
    pass


def test(fn):
    TESTS.append(fn)
    return fn


def check(cond, what, r=None):
    if not cond:
        if r is not None:
            what += "\n  rc=%s\n  stdout=%r\n  stderr=%r" % (
                r.returncode, r.stdout, r.stderr)
        raise AssertionError(what)


def env_with(extra=None):
    env = dict(os.environ)
    env.pop("FLEETMOD_MODULE_PATH", None)
    env.update(extra or {})
    return env


def run(args, env=None, prefix=(), timeout=60):
    """fleetcmd without a terminal: stdin from /dev/null, output captured."""
    return subprocess.run([*prefix, opts.fleetcmd, *args],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env_with(env), timeout=timeout)


def skel(*args):
    return ["-m", os.path.join(opts.modules, "skeleton.so"),
            "-c", opts.skeleton_conf, *args]


def json_lines(r):
    return [json.loads(line) for line in r.stdout.splitlines()]


class FileState:
    """A filestate.so instance: its state directory outlives each run."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(dir=opts.tmp)

    def args(self, *args):
        return ["-m", opts.filestate, "-c", self.dir, *args]

    def commands(self):
        return [f for f in os.listdir(self.dir) if f.startswith("cmd.")]

    def send_for_code(self):
        r = run(self.args("--json", "send", VIN, "disable_ignition"))
        check(r.returncode == 0, "send disable_ignition exits 0", r)
        return json_lines(r)[0]["code"]


def run_on_terminal(args, answer=None, stdin_tty=True, timeout=30):
    """fleetcmd with stderr (and stdin unless stdin_tty is False) on a
    pseudo-terminal; answers the y/N question with `answer`. Returns
    (rc, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([opts.fleetcmd, *args],
                         stdin=slave if stdin_tty else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=slave,
                         env=env_with())
    os.close(slave)
    shown, answered = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the child is gone and closed the terminal
            data = b""
        if not data:
            break
        shown += data
        if answer is not None and not answered and b"[y/N]" in shown:
            os.write(master, answer.encode() + b"\n")
            answered = True
    else:
        p.kill()
    os.close(master)
    out = p.stdout.read().decode()
    p.stdout.close()
    return p.wait(), out, shown.decode(errors="replace")


# ---- replies and exit codes ------------------------------------------------

@test
def send_wait_json_prints_success_and_exits_0():
    r = run(skel("--json", "send", VIN, "location", "--wait", "5"))
    check(r.returncode == 0, "exit 0", r)
    replies = json_lines(r)
    check(len(replies) == 2, "the send reply and the final status", r)
    check(replies[0]["status"] == "pending", "send answered pending", r)
    check(replies[-1]["status"] == "success", '"status":"success" last', r)
    check(replies[-1]["id"] == replies[0]["id"], "waited for that id", r)


@test
def each_call_carries_a_request_id_of_the_run():
    r = run(skel("--json", "send", VIN, "location", "--wait", "5"))
    ids = [m["request_id"] for m in json_lines(r)]
    check(re.fullmatch(r"fleetcmd-\d+-1", ids[0]) is not None,
          "first call fleetcmd-<pid>-1", r)
    check(ids[1] == ids[0][:-1] + "2", "second call fleetcmd-<pid>-2", r)


@test
def human_output_is_a_summary_line_with_detail_lines():
    r = run(skel("send", VIN, "location", "--wait", "5"))
    check(r.returncode == 0, "exit 0", r)
    check(re.search(r"^success  location  %s  id=\S+$" % VIN, r.stdout,
                    re.M) is not None, "summary line", r)
    check("\n  provider=skeleton\n" in r.stdout, "provider line", r)
    check(re.search(r"^  executed=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
                    r.stdout, re.M) is not None, "executed as UTC time", r)


@test
def unknown_vin_exits_4_with_the_error_on_stderr():
    r = run(skel("send", UNKNOWN_VIN, "location"))
    check(r.returncode == 4, "exit 4 (EDENIED)", r)
    check(r.stdout == "", "nothing on stdout", r)
    check(re.match(r"fleetcmd: EDENIED: .+ \(delivered: no\)$", r.stderr)
          is not None, "one EDENIED line on stderr", r)


@test
def unknown_vin_with_json_still_prints_the_reply():
    r = run(skel("--json", "send", UNKNOWN_VIN, "location"))
    check(r.returncode == 4, "exit 4", r)
    reply = json_lines(r)[0]
    check(reply["status"] == "failed" and reply["error"]["name"] == "EDENIED",
          "the failed reply on stdout", r)
    check("EDENIED" in r.stderr, "and the error on stderr", r)


@test
def bad_vin_exits_1():
    r = run(skel("send", "NOT-A-VIN", "location"))
    check(r.returncode == 1, "exit 1 (EINVAL)", r)
    check(r.stderr.startswith("fleetcmd: EINVAL: "), "EINVAL on stderr", r)


@test
def usage_errors_exit_64_before_loading_anything():
    # -m names a file that does not exist: exit 2 would mean it was loaded.
    m = ["-m", "/nonexistent/never.so"]
    cases = [
        m, m + ["frobnicate"], m + ["--bogus", "modules"],
        m + ["send", VIN], m + ["send", VIN, "location", "extra"],
        m + ["send", VIN, "location", "--wait", "-1"],
        m + ["send", VIN, "location", "--wait", "abc"],
        m + ["send", VIN, "location", "--wait", "nan"],
        m + ["send", VIN, "location", "--wait", "5s"],
        m + ["send", VIN, "location", "--wait"],
        m + ["status"], m + ["status", "x", "--yes"],
        m + ["status", "x", "--code", "123456"],
        m + ["send", VIN, "location", "--provider", "a"],
        m + ["send", VIN, "location", "--yes", "--code", "123456"],
        m + ["-s", "stack.conf", "status", "x"],
        ["-c", "x.conf", "status", "x"],
        m + ["-c", "x.conf", "modules"],
    ]
    for args in cases:
        r = run(args)
        check(r.returncode == 64, "exit 64 for %s" % args, r)
        lines = r.stderr.splitlines()
        check(len(lines) == 2 and lines[1] ==
              "Try 'fleetcmd --help' for more information.",
              "one line of why, one hint to --help for %s" % args, r)


@test
def wait_takes_fractional_seconds():
    r = run(skel("send", VIN, "location", "--wait", "0.25"))
    check(r.returncode == 0, "--wait 0.25 accepted", r)
    r = run(skel("send", VIN, "location", "--wait", "0"))
    check(r.returncode == 0, "--wait 0 (one look) accepted", r)


@test
def help_documents_options_exit_codes_environment_examples():
    r = run(["--help"])
    check(r.returncode == 0, "exit 0", r)
    for word in ["-m, --module", "-c, --config", "-s, --stack", "--json",
                 "-v, --verbose", "--wait SECONDS", "--yes", "--code CODE",
                 "--provider NAME", "--version", "Exit status", "EDENIED",
                 "ENOTFOUND", "EINTERNAL", "64  usage error",
                 "FLEETMOD_MODULE_PATH", "Examples", "send VIN COMMAND",
                 "confirm VIN COMMAND CODE", "status ID", "modules"]:
        check(word in r.stdout, "--help mentions %r" % word, r)
    check(run(["-h"]).stdout == r.stdout, "-h is --help", r)


@test
def version_names_fleetcmd_and_libfleetmod():
    r = run(["--version"])
    check(r.returncode == 0, "exit 0", r)
    check(re.fullmatch(r"fleetcmd %s \(libfleetmod %s\)\n" % (SEMVER, SEMVER),
                       r.stdout) is not None, "fleetcmd X (libfleetmod Y)", r)


@test
def verbose_routes_module_log_lines_to_stderr():
    quiet = run(skel("send", VIN, "location"))
    loud = run(skel("-v", "send", VIN, "location"))
    check(quiet.returncode == 0 and loud.returncode == 0, "exit 0", loud)
    check(not re.search(r"^info: ", quiet.stderr, re.M),
          "no info lines without -v", quiet)
    check(re.search(r"^info: .*fleetcmd-\d+-1", loud.stderr, re.M),
          "info lines with the request_id under -v", loud)
    check("info:" not in loud.stdout, "log lines never on stdout", loud)


# ---- modules ---------------------------------------------------------------

@test
def modules_lists_skeleton_with_its_version():
    env = {"FLEETMOD_MODULE_PATH": opts.modules}
    r = run(["modules"], env=env)
    check(r.returncode == 0, "exit 0", r)
    check(re.search(r"^skeleton +%s +\S*skeleton\.so$" % SEMVER, r.stdout,
                    re.M) is not None, "skeleton, version, path", r)
    rows = json_lines(run(["--json", "modules"], env=env))
    skeleton = [m for m in rows if m.get("name") == "skeleton"]
    check(len(skeleton) == 1 and re.fullmatch(SEMVER, skeleton[0]["version"])
          and skeleton[0]["path"].endswith("skeleton.so"),
          "--json: one object per module", r)


@test
def modules_lists_a_broken_file_with_its_error():
    d = tempfile.mkdtemp(dir=opts.tmp)
    with open(os.path.join(d, "broken.so"), "w") as f:
        f.write("not an ELF file\n")
    r = run(["modules"], env={"FLEETMOD_MODULE_PATH": d + ":" + opts.modules})
    check(r.returncode == 0, "exit 0: the listing was made", r)
    check(re.search(r"broken\.so\n  error: \S", r.stdout) is not None,
          "broken.so with its error", r)
    check(re.search(r"^skeleton ", r.stdout, re.M) is not None,
          "the valid module still listed", r)


@test
def modules_with_m_shows_that_module():
    r = run(["-m", os.path.join(opts.modules, "skeleton.so"), "modules"])
    check(r.returncode == 0 and r.stdout.startswith("skeleton "),
          "one line for the module", r)


@test
def bad_module_path_exits_2_with_a_clear_message():
    path = "/nonexistent/dir/nothing.so"
    r = run(["-m", path, "send", VIN, "location"])
    check(r.returncode == 2, "exit 2 (ECONFIG)", r)
    check(r.stderr.startswith("fleetcmd: ECONFIG: ") and path in r.stderr,
          "ECONFIG and the path on stderr", r)
    r = run(["-m", path, "modules"])
    check(r.returncode == 2 and path in r.stderr, "modules -m too", r)


@test
def no_module_and_no_default_stack_says_so():
    help_text = run(["--help"]).stdout
    m = re.search(r"default stack file is\s+used: (\S+)", help_text)
    check(m is not None, "--help names the default stack file")
    if os.path.exists(m.group(1)):
        raise Skip("a default stack file exists at " + m.group(1))
    r = run(["send", VIN, "location"])
    check(r.returncode == 2, "exit 2 (ECONFIG)", r)
    check("no module given (-m) and no stack file at %s" % m.group(1)
          in r.stderr, "names the missing stack file", r)


@test
def stack_routes_by_section_and_lists_its_providers():
    d = tempfile.mkdtemp(dir=opts.tmp)
    stack = os.path.join(d, "stack.conf")
    with open(stack, "w") as f:
        f.write("[fleet_a]\nmodule = %s\nconfig = %s\ncontrol = sufficient\n"
                % (os.path.abspath(os.path.join(opts.modules, "skeleton.so")),
                   os.path.abspath(opts.skeleton_conf)))
    r = run(["-s", stack, "modules"])
    check(r.returncode == 0, "exit 0", r)
    check(re.search(r"^fleet_a +skeleton +%s +ready " % SEMVER, r.stdout,
                    re.M) is not None, "section, name, version, state", r)
    r = run(["-s", stack, "--json", "send", VIN, "location", "--wait", "5"])
    check(r.returncode == 0, "exit 0", r)
    replies = json_lines(r)
    check(all(m["provider"] == "fleet_a" for m in replies),
          "replies name the section", r)
    check(replies[-1]["status"] == "success", "waited through the stack", r)
    r = run(["-s", stack, "send", VIN, "disable_ignition"])
    check("confirm %s disable_ignition " % VIN in r.stderr and
          "--provider fleet_a" in r.stderr,
          "the confirm hint routes to the section", r)


# ---- the confirmation step -------------------------------------------------

@test
def confirmation_without_terminal_prints_code_and_stops():
    fs = FileState()
    r = run(fs.args("--json", "send", VIN, "disable_ignition"))
    check(r.returncode == 0, "exit 0", r)
    replies = json_lines(r)
    check(len(replies) == 1 and replies[0]["status"] == "confirmation",
          "only the send reply", r)
    check(re.fullmatch(r"\d{6}", replies[0]["code"]) and
          replies[0]["message"], "code and message", r)
    check(fs.commands() == [], "nothing executed at the provider", r)
    check("nothing was executed" in r.stderr and
          "confirm %s disable_ignition %s" % (VIN, replies[0]["code"])
          in r.stderr, "how to confirm, on stderr", r)
    r = run(skel("send", VIN, "disable_ignition"))
    check(r.returncode == 0 and re.search(r"^  code=\d{6}$", r.stdout, re.M)
          and re.search(r"^  message=.+$", r.stdout, re.M),
          "human output shows code and message", r)


@test
def yes_confirms_and_waits_to_success():
    r = run(skel("--json", "send", VIN, "disable_ignition", "--yes",
                 "--wait", "5"))
    check(r.returncode == 0, "exit 0", r)
    check([m["status"] for m in json_lines(r)] ==
          ["confirmation", "pending", "success"],
          "send, confirm, final status", r)


@test
def printed_code_confirms_in_a_later_run():
    fs = FileState()
    code = fs.send_for_code()
    r = run(fs.args("--json", "confirm", VIN, "disable_ignition", code))
    check(r.returncode == 0, "exit 0", r)
    check(json_lines(r)[0]["status"] == "pending", "the command started", r)
    check(len(fs.commands()) == 1, "executed once", r)


@test
def send_code_confirms_directly_without_a_new_send():
    fs = FileState()
    code = fs.send_for_code()
    r = run(fs.args("--json", "send", VIN, "disable_ignition", "--code", code,
                    "--wait", "5"))
    check(r.returncode == 0, "exit 0", r)
    check([m["status"] for m in json_lines(r)] == ["pending", "success"],
          "a confirm reply (no new confirmation), then the outcome", r)


@test
def wrong_code_exits_5():
    fs = FileState()
    code = fs.send_for_code()
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    r = run(fs.args("confirm", VIN, "disable_ignition", wrong))
    check(r.returncode == 5, "exit 5 (ECONFIRM)", r)
    check(r.stderr.startswith("fleetcmd: ECONFIRM: "), "ECONFIRM line", r)
    check(fs.commands() == [], "nothing executed", r)
    r = run(skel("confirm", VIN, "disable_ignition", "000000"))
    check(r.returncode == 5, "skeleton: exit 5 too", r)


@test
def prompt_answered_y_confirms():
    rc, out, shown = run_on_terminal(
        skel("--json", "send", VIN, "disable_ignition"), answer="y")
    check(rc == 0, "exit 0: %r" % shown)
    check("stopped and safe" in shown and "Confirm? [y/N]" in shown,
          "the provider's message and the question: %r" % shown)
    check([json.loads(l)["status"] for l in out.splitlines()] ==
          ["confirmation", "pending"], "confirmed: %r" % out)


@test
def prompt_answered_n_or_empty_does_not_confirm():
    for answer in ["n", ""]:
        rc, out, shown = run_on_terminal(
            skel("--json", "send", VIN, "disable_ignition"), answer=answer)
        check(rc == 0, "exit 0 for %r: %r" % (answer, shown))
        check([json.loads(l)["status"] for l in out.splitlines()] ==
              ["confirmation"], "not confirmed for %r: %r" % (answer, out))
        check("not confirmed" in shown, "says so: %r" % shown)


# ---- status and waiting ----------------------------------------------------

@test
def status_of_unknown_id_exits_10():
    r = run(skel("status", "0123456789abcdef"))
    check(r.returncode == 10, "exit 10 (ENOTFOUND)", r)
    check(r.stderr.startswith("fleetcmd: ENOTFOUND: "), "ENOTFOUND line", r)
    r = run(skel("status", "0123456789abcdef", "--wait", "2"))
    check(r.returncode == 10, "--wait does not hide ENOTFOUND", r)


@test
def status_wait_follows_a_command_of_an_earlier_run():
    fs = FileState()
    sent = json_lines(run(fs.args("--json", "send", VIN, "location")))[0]
    r = run(fs.args("--json", "status", sent["id"]))
    check(r.returncode == 0 and json_lines(r)[0]["status"] == "pending",
          "one look: pending", r)
    r = run(fs.args("--json", "status", sent["id"], "--wait", "5"))
    check(r.returncode == 0, "exit 0", r)
    replies = json_lines(r)
    check(len(replies) == 1 and replies[0]["status"] == "success",
          "one final reply: success", r)


@test
def wait_that_runs_out_exits_0_and_says_still_pending():
    fs = FileState()
    sent = json_lines(run(fs.args("--json", "send", VIN, "location")))[0]
    r = run(fs.args("--json", "status", sent["id"], "--wait", "0.1"))
    check(r.returncode == 0, "exit 0", r)
    check(json_lines(r)[0]["status"] == "pending", "last status seen", r)
    check("still pending" in r.stderr and
          "fleetcmd status %s" % sent["id"] in r.stderr,
          "says so, and how to ask again", r)


@test
def vehicle_error_exits_0_and_says_so():
    fs = FileState()
    r = run(fs.args("send", VIN, "fail", "--wait", "5"))
    check(r.returncode == 0, "exit 0: the calls worked", r)
    check(re.search(r"^error  fail  %s  id=" % VIN, r.stdout, re.M),
          "the summary says error", r)
    check("failed" in r.stderr, "and stderr says the command failed", r)


@test
def wait_shows_elapsed_time_when_stderr_is_a_terminal():
    rc, out, shown = run_on_terminal(
        skel("send", VIN, "location", "--wait", "5"), stdin_tty=False)
    check(rc == 0, "exit 0: %r" % shown)
    check(re.search(r"\rwaiting for \w{8}\.\.\. pending \d+\.\d s", shown),
          "a \\r-updated progress line: %r" % shown)
    check(re.search(r"^success  location", out, re.M),
          "then the outcome on stdout: %r" % out)


# ---- memcheck --------------------------------------------------------------

def memcheck_prefix():
    cmd = os.environ.get("MEMCHECK", DEFAULT_MEMCHECK)
    if not cmd.strip():
        raise Skip("MEMCHECK is empty (a sanitizer build checks memory "
                   "itself)")
    return shlex.split(cmd)


@test
def memcheck_clean_for_send_wait():
    r = run(skel("send", VIN, "disable_ignition", "--yes", "--wait", "5"),
            prefix=memcheck_prefix(), timeout=120)
    check(r.returncode == 0, "exit 0 under memcheck (99: memcheck errors)", r)


@test
def memcheck_clean_for_status():
    r = run(skel("--json", "status", "0123456789abcdef"),
            prefix=memcheck_prefix(), timeout=120)
    check(r.returncode == 10, "exit 10 under memcheck (99: errors)", r)
    fs = FileState()
    sent = json_lines(run(fs.args("--json", "send", VIN, "location")))[0]
    r = run(fs.args("status", sent["id"], "--wait", "5"),
            prefix=memcheck_prefix(), timeout=120)
    check(r.returncode == 0, "status --wait: exit 0 under memcheck", r)


def main():
    global opts
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fleetcmd", required=True)
    ap.add_argument("--modules", required=True, help="dir with skeleton.so")
    ap.add_argument("--skeleton-conf", required=True)
    ap.add_argument("--filestate", required=True)
    ap.add_argument("only", nargs="*", help="run only these tests")
    opts = ap.parse_args()
    opts.tmp = tempfile.mkdtemp(prefix="fleetcmd-test-")
    passed = failed = 0
    for fn in TESTS:
        if opts.only and fn.__name__ not in opts.only:
            continue
        try:
            fn()
            print("ok    " + fn.__name__)
            passed += 1
        except Skip as e:
            print("skip  %s: %s" % (fn.__name__, e))
        except Exception as e:  # a crash in a test is a failure too
            print("FAIL  %s: %s" % (fn.__name__, e))
            failed += 1
    shutil.rmtree(opts.tmp)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
