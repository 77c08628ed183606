#!/usr/bin/env python3
"""fleetcmd from the outside: exit codes, output, the confirmation step,
waiting, batches, module listing, the y/N prompt on a terminal, and
memcheck.

Run by `make check-fleetcmd`. Each test is named for the rule it checks.
The skeleton provider keeps its commands in process memory, so the flows
that span two fleetcmd runs (confirm with a printed code, status of an
earlier command) use filestate.so, a test provider whose commands live in
files, or mobway.so against a mobway-sim (batches). Prints "N passed,
N failed"; exits 1 on any failure.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from cli import MobwayAccount, env_with, on_terminal  # noqa: E402
from testrun import Skip, check, run_tests, test  # noqa: E402

VIN = "WP0ZZZ99ZTS392124"
UNKNOWN_VIN = "WVWZZZ1JZXW000001"
# The skeleton's two vehicles and one it does not know, in file order.
THREE = [VIN, "ZFA25000002345678", UNKNOWN_VIN]
# mobway-sim's built-in vehicles: all six commands; doors and location;
# diagnostics only (ending in Error).
MW_VINS = ["6AHFT68CKAF501652", "9BWZZZ377VT004251", "1HGCM82633A004352"]
SEMVER = r"\d+\.\d+\.\d+"
DEFAULT_MEMCHECK = ("valgrind -q --error-exitcode=99 --leak-check=full "
                    "--errors-for-leak-kinds=definite,indirect "
                    "--show-leak-kinds=definite,indirect")

opts = None


def run(args, env=None, prefix=(), timeout=60, input=None):
    """fleetcmd without a terminal: stdin from /dev/null (or input),
    output captured."""
    stdin = {"stdin": subprocess.DEVNULL} if input is None else {
        "input": input}
    return subprocess.run([*prefix, opts.fleetcmd, *args],
                          capture_output=True, text=True, env=env_with(env),
                          timeout=timeout, **stdin)


def skel(*args):
    return ["-m", os.path.join(opts.modules, "skeleton.so"),
            "-c", opts.skeleton_conf, *args]


def json_lines(r):
    return [json.loads(line) for line in r.stdout.splitlines()]


def list_file(*lines, raw=None):
    """A batch's list file holding lines (or the bytes raw)."""
    path = os.path.join(tempfile.mkdtemp(dir=opts.tmp), "list.txt")
    with open(path, "wb") as f:
        f.write(raw if raw is not None else
                "".join(l + "\n" for l in lines).encode())
    return path


def table_rows(r):
    """The item rows of a batch table: (key, status, result) in order."""
    lines = r.stdout.splitlines()
    check(len(lines) >= 2 and re.match(r"(VIN|ID) +STATUS +RESULT$",
                                       lines[0]), "a table header", r)
    return [tuple(re.split(r"  +", l, maxsplit=2)) for l in lines[1:-1]]


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
        check(r.returncode == 22, "send disable_ignition exits 22", r)
        return json_lines(r)[0]["code"]


def run_on_terminal(args, answer=None, stdin_tty=True, timeout=30):
    """fleetcmd with stderr (and stdin unless stdin_tty is False) on a
    pseudo-terminal; answers the y/N question with `answer`. Returns
    (rc, stdout, what the terminal showed)."""
    return on_terminal([opts.fleetcmd, *args], answer, stdin_tty, timeout)


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
        m + ["status", "--vins-file", "list.txt"],
        m + ["send", "--ids-file", "list.txt", "location"],
        m + ["confirm", "--vins-file", "list.txt", "location", "123456"],
        m + ["send", VIN, "location", "--batch-size", "10"],
        m + ["send", "--vins-file", "list.txt", "location", "--yes"],
        m + ["send", "--vins-file", "list.txt", "location", "--code", "1"],
        m + ["send", "--vins-file", "list.txt"],
        m + ["send", "--vins-file", "list.txt", VIN, "location"],
        m + ["status", "--ids-file", "list.txt", "x"],
        m + ["send", "--vins-file", "l", "location", "--batch-size", "0"],
        m + ["send", "--vins-file", "l", "location", "--batch-size", "1e3"],
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
    # Accepted: the command was sent and waited for (0 done, 20 pending).
    r = run(skel("send", VIN, "location", "--wait", "0.25"))
    check(r.returncode in (0, 20), "--wait 0.25 accepted", r)
    r = run(skel("send", VIN, "location", "--wait", "0"))
    check(r.returncode == 20, "--wait 0 (one look) accepted: pending", r)


@test
def help_documents_options_exit_codes_environment_examples():
    r = run(["--help"])
    check(r.returncode == 0, "exit 0", r)
    for word in ["-m, --module", "-c, --config", "-s, --stack", "--json",
                 "-v, --verbose", "--wait SECONDS", "--yes", "--code CODE",
                 "--provider NAME", "--version", "Exit status", "EDENIED",
                 "ENOTFOUND", "EINTERNAL", "64  usage error",
                 "FLEETMOD_MODULE_PATH", "Examples", "send VIN COMMAND",
                 "confirm VIN COMMAND CODE", "status ID", "modules",
                 "--vins-file FILE", "--ids-file FILE", "--batch-size N",
                 "Batches", "confirm has no batch form"]:
        check(word in r.stdout, "--help mentions %r" % word, r)
    check(run(["-h"]).stdout == r.stdout, "-h is --help", r)


@test
def help_lists_every_exit_status():
    r = run(["--help"])
    for line in ["20  still pending", "21  the provider or the vehicle",
                 "22  not confirmed", "23  a batch ran"]:
        check(line in r.stdout, "--help lists %r" % line, r)


@test
def command_help_prints_only_that_commands_page():
    whole = run(["--help"]).stdout
    for name, synopsis in [("send", "send VIN COMMAND"),
                           ("confirm", "confirm VIN COMMAND CODE"),
                           ("status", "status ID"),
                           ("modules", "modules")]:
        r = run([name, "--help"])
        check(r.returncode == 0 and r.stdout.startswith(
            "Usage: fleetcmd ") and synopsis in r.stdout.splitlines()[0],
              "%s --help: its own synopsis first" % name, r)
        check(len(r.stdout.splitlines()) < 30 and r.stdout != whole,
              "%s --help: a page of its own, not the manual" % name, r)
        check(run(["help", name]).stdout == r.stdout,
              "help %s is %s --help" % (name, name), r)
    r = run(["send", VIN, "location", "--help"])
    check(r.returncode == 0 and r.stdout == run(["help", "send"]).stdout,
          "send with operands and --help: the send page, nothing sent", r)
    check(run(["help"]).stdout == whole, "help alone is --help", r)
    r = run(["help", "frobnicate"])
    check(r.returncode == 64 and "no help on 'frobnicate'" in r.stderr,
          "help on an unknown command: a usage error", r)


@test
def lowercase_vin_is_upper_cased():
    r = run(skel("send", VIN.lower(), "location"))
    check(r.returncode == 0, "accepted", r)
    check(re.search(r"^pending  location  %s  id=" % VIN, r.stdout, re.M),
          "sent as %s" % VIN, r)
    r = run(skel("send", "--vins-file", list_file(VIN, VIN.lower()),
                 "location"))
    check(r.returncode == 64 and "repeats line 1" in r.stderr,
          "a list's lower-case VIN repeats its upper-case one", r)


@test
def module_that_cannot_open_is_said_once_on_one_line():
    path = "/nonexistent/dir/nothing.so"
    r = run(["-m", path, "send", VIN, "location"])
    check(r.returncode == 2 and r.stderr.count(path) == 1 and
          len(r.stderr.splitlines()) == 1, "one line, the path once", r)
    r = run(["-s", "/nonexistent/stack.conf", "status", "x"])
    check(r.returncode == 2 and r.stderr.count("/nonexistent/stack.conf")
          == 1 and len(r.stderr.splitlines()) == 1,
          "a stack file too", r)


@test
def the_other_operator_tools_answer_help_on_stdout():
    for tool, name in [(opts.conformance, "fleetmod-conformance"),
                       (opts.sim, "mobway-sim")]:
        r = subprocess.run([tool, "--help"], capture_output=True, text=True,
                           timeout=30)
        check(r.returncode == 0 and name in r.stdout and r.stderr == "",
              "%s --help: exit 0, the text on stdout" % name, r)


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
def confirmation_without_terminal_prints_code_and_stops_with_exit_22():
    fs = FileState()
    r = run(fs.args("--json", "send", VIN, "disable_ignition"))
    check(r.returncode == 22, "exit 22: not confirmed", r)
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
    check(r.returncode == 22 and re.search(r"^  code=\d{6}$", r.stdout, re.M)
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
def prompt_shows_the_providers_message_once():
    rc, out, shown = run_on_terminal(
        skel("send", VIN, "disable_ignition"), answer="n")
    check(rc == 22, "exit 22: declined: %r" % shown)
    check((out + shown).count("stopped and safe") == 1,
          "the message once, stdout and terminal together: %r %r"
          % (out, shown))
    check(re.search(r"^confirmation  disable_ignition  %s" % VIN, out, re.M),
          "the summary still on stdout: %r" % out)


@test
def prompt_answered_n_or_empty_does_not_confirm_and_exits_22():
    for answer in ["n", ""]:
        rc, out, shown = run_on_terminal(
            skel("--json", "send", VIN, "disable_ignition"), answer=answer)
        check(rc == 22, "exit 22 for %r: %r" % (answer, shown))
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


def hint_lines(r):
    """The command lines fleetcmd suggests on stderr, as argv lists."""
    return [shlex.split(l) for l in r.stderr.splitlines()
            if l.startswith("  fleetcmd ")]


@test
def wait_that_runs_out_exits_20_and_says_still_pending():
    fs = FileState()
    sent = json_lines(run(fs.args("--json", "send", VIN, "location")))[0]
    r = run(fs.args("--json", "status", sent["id"], "--wait", "0.1"))
    check(r.returncode == 20, "exit 20: still pending", r)
    check(json_lines(r)[0]["status"] == "pending", "last status seen", r)
    check("still pending" in r.stderr and
          hint_lines(r) == [["fleetcmd", *fs.args("status", sent["id"])]],
          "says so, and how to ask again", r)
    r = run(fs.args("--json", "send", VIN, "location", "--wait", "0.1"))
    check(r.returncode == 20, "send --wait that runs out: exit 20", r)
    r = run(fs.args("send", VIN, "location"))
    check(r.returncode == 0, "accepted without --wait: exit 0", r)


@test
def status_hint_keeps_the_options_that_chose_the_provider_when_pasted():
    # A state directory whose name needs quoting in a shell.
    fs = FileState()
    odd = os.path.join(opts.tmp, "it's a dir $HOME")
    os.rename(fs.dir, odd)
    fs.dir = odd
    sent = json_lines(run(fs.args("--json", "send", VIN, "location")))[0]
    r = run(fs.args("status", sent["id"], "--wait", "0"))
    check(r.returncode == 20, "exit 20: pending", r)
    hints = hint_lines(r)
    check(hints == [["fleetcmd", *fs.args("status", sent["id"])]],
          "-m and -c kept, quoted for a shell", r)
    r = subprocess.run(["sh", "-c", r.stderr.splitlines()[-1].strip()],
                       capture_output=True, text=True, timeout=60,
                       env=env_with({"PATH": os.path.dirname(
                           os.path.abspath(opts.fleetcmd)) + ":" +
                           os.environ["PATH"]}))
    check(r.returncode in (0, 20) and re.search(r"^(pending|success)  location",
                                                r.stdout, re.M),
          "the pasted line asks the same provider", r)


@test
def stack_status_hint_keeps_s_and_provider():
    d = tempfile.mkdtemp(dir=opts.tmp)
    stack = os.path.join(d, "stack.conf")
    with open(stack, "w") as f:
        f.write("[fleet_a]\nmodule = %s\nconfig = %s\ncontrol = sufficient\n"
                % (os.path.abspath(opts.filestate), d))
    sent = json_lines(run(["-s", stack, "--json", "send", VIN, "location"]))
    r = run(["-s", stack, "status", sent[0]["id"], "--wait", "0"])
    check(r.returncode == 20, "exit 20: pending", r)
    check(hint_lines(r) == [["fleetcmd", "-s", stack, "status", sent[0]["id"],
                             "--provider", "fleet_a"]],
          "-s and --provider in the hint", r)
    r = run(hint_lines(r)[0][1:])
    check(r.returncode in (0, 20), "the hint runs through the stack", r)


@test
def unknown_outcome_with_a_known_id_prints_the_status_line_to_run():
    fs = FileState()
    r = run(fs.args("send", VIN, "lost"))
    check(r.returncode == 8, "exit 8 (EUNKNOWN)", r)
    check(re.search(r"^fleetcmd: EUNKNOWN: .*\(delivered: unknown\)$",
                    r.stderr, re.M), "the error line", r)
    check(len(fs.commands()) == 1, "the provider took the command", r)
    cid = fs.commands()[0].split(".")[1]
    check("may have started" in r.stderr and "do not send it again"
          in r.stderr, "says not to send again", r)
    hints = hint_lines(r)
    check(hints == [["fleetcmd", *fs.args("status", cid)]],
          "the exact status line, with -m and -c", r)
    r = run(hints[0][1:] + ["--wait", "5"])
    check(r.returncode == 0 and re.search(r"^success  lost  %s" % VIN,
                                          r.stdout, re.M),
          "which finds the command", r)
    r = run(fs.args("send", UNKNOWN_VIN, "location"))
    check(r.returncode == 4 and hint_lines(r) == [],
          "no status line after a call that was not delivered", r)


@test
def stack_reply_shows_why_each_provider_refused_the_vin():
    # The skeleton knows two VINs, filestate all but WVW...: a VIN of
    # neither kind falls through the skeleton to filestate.
    d = tempfile.mkdtemp(dir=opts.tmp)
    stack = os.path.join(d, "stack.conf")
    with open(stack, "w") as f:
        f.write("[fleet_a]\nmodule = %s\nconfig = %s\ncontrol = sufficient\n"
                "[fleet_b]\nmodule = %s\nconfig = %s\n"
                % (os.path.abspath(os.path.join(opts.modules, "skeleton.so")),
                   os.path.abspath(opts.skeleton_conf),
                   os.path.abspath(opts.filestate), d))
    r = run(["-s", stack, "send", MW_VINS[2], "location"])
    check(r.returncode == 0 and "\n  provider=fleet_b\n" in r.stdout,
          "fleet_b took it", r)
    check(re.search(r"^  refused by fleet_a: EDENIED: \S", r.stdout, re.M),
          "and the summary says why fleet_a did not", r)
    r = run(["-s", stack, "send", UNKNOWN_VIN, "location"])
    check(r.returncode == 4 and re.search(
        r"^  refused by fleet_a: EDENIED: \S", r.stderr, re.M),
          "a VIN no provider takes: each refusal under the error line", r)


@test
def vehicle_error_exits_21_and_says_so():
    fs = FileState()
    r = run(fs.args("send", VIN, "fail", "--wait", "5"))
    check(r.returncode == 21, "exit 21: the vehicle reported error", r)
    check(re.search(r"^error  fail  %s  id=" % VIN, r.stdout, re.M),
          "the summary says error", r)
    check("failed" in r.stderr, "and stderr says the command failed", r)
    cid = re.search(r"id=(\S+)", r.stdout).group(1)
    r = run(fs.args("status", cid))
    check(r.returncode == 21, "a status that finds error: exit 21", r)


@test
def wait_shows_elapsed_time_when_stderr_is_a_terminal():
    rc, out, shown = run_on_terminal(
        skel("send", VIN, "location", "--wait", "5"), stdin_tty=False)
    check(rc == 0, "exit 0: %r" % shown)
    check(re.search(r"\rwaiting for \w{8}\.\.\. pending \d+\.\d s", shown),
          "a \\r-updated progress line: %r" % shown)
    check(re.search(r"^success  location", out, re.M),
          "then the outcome on stdout: %r" % out)


# ---- batches ---------------------------------------------------------------

@test
def batch_send_lists_each_item_and_exits_23_when_one_is_denied():
    r = run(skel("send", "--vins-file", list_file(*THREE), "location"))
    check(r.returncode == 23, "exit 23: an item is not done", r)
    rows = table_rows(r)
    check([row[0] for row in rows] == THREE, "one row per VIN, file order", r)
    check(rows[0][1] == "pending" and re.fullmatch(r"[0-9a-f-]{36}",
                                                   rows[0][2]),
          "a known VIN: pending and its command id", r)
    check(rows[2][1] == "failed" and rows[2][2].startswith("EDENIED: "),
          "the unknown VIN: its own EDENIED with the message", r)
    check(r.stdout.splitlines()[-1] == "3 items: 1 failed, 2 pending",
          "a count line", r)
    check("1 of 3 items failed" in r.stderr, "stderr counts the failed", r)


@test
def batch_send_json_prints_one_line_per_item_in_file_order():
    r = run(skel("--json", "send", "--vins-file", list_file(*THREE),
                 "location", "--wait", "5"))
    check(r.returncode == 23, "exit 23: one item failed", r)
    replies = json_lines(r)
    check([m["vin"] for m in replies] == THREE, "one line per VIN", r)
    check([m["status"] for m in replies] == ["success", "success", "failed"],
          "waited to success; the denied item failed", r)
    check(replies[2]["error"]["name"] == "EDENIED", "with its error map", r)


@test
def batch_list_ignores_comments_blank_lines_and_carriage_returns_and_upcases():
    path = list_file(raw=("# the fleet\n\n  %s  # first\r\n\t%s\r\n#\n"
                          % (VIN, THREE[1].lower())).encode())
    r = run(skel("send", "--vins-file", path, "location"))
    check(r.returncode == 0, "exit 0: both accepted", r)
    check([row[0] for row in table_rows(r)] == THREE[:2], "two VINs", r)


@test
def batch_reads_the_list_from_stdin_with_dash():
    r = run(skel("--json", "send", "--vins-file", "-", "location"),
            input="".join(v + "\n" for v in THREE))
    check(r.returncode == 23, "exit 23: one item failed", r)
    check([m["vin"] for m in json_lines(r)] == THREE, "read from stdin", r)


@test
def batch_status_answers_each_id_on_its_own():
    ids = ["0123456789abcdef", "fedcba9876543210"]
    r = run(skel("status", "--ids-file", list_file(*ids)))
    check(r.returncode == 23, "exit 23: the items failed", r)
    rows = table_rows(r)
    check([row[0] for row in rows] == ids, "one row per id, file order", r)
    check(all(row[1] == "failed" and row[2].startswith("ENOTFOUND: ")
              for row in rows), "each its own ENOTFOUND", r)
    check("2 of 2 items failed" in r.stderr, "counted on stderr", r)


@test
def empty_list_file_is_a_usage_error_before_loading():
    for raw in [b"", b"# only comments\n\n   \n"]:
        path = list_file(raw=raw)
        r = run(["-m", "/nonexistent/never.so", "send", "--vins-file", path,
                 "location"])
        check(r.returncode == 64, "exit 64 for %r" % raw, r)
        check(r.stderr.splitlines()[0] == "fleetcmd: %s holds no VIN (only "
              "blank lines and # comments): a batch needs at least one"
              % path, "says the file holds no VIN", r)
    r = run(["-m", "/nonexistent/never.so", "status", "--ids-file", "-"],
            input="\n")
    check(r.returncode == 64 and "stdin holds no id" in r.stderr,
          "stdin too, naming ids", r)


@test
def bad_list_line_is_a_usage_error_naming_file_and_line():
    cases = [(b"%s\n%s %s\n" % (VIN.encode(), VIN.encode(), b"X"),
              "more than one word"),
             (b"%s\nAB\x01C\n" % VIN.encode(), "control character"),
             (b"%s\nAB\x00C\n" % VIN.encode(), "NUL byte"),
             (b"%s\n%s\n" % (VIN.encode(), VIN.encode()),
              "VIN %s repeats line 1 (a batch would run it twice)" % VIN)]
    for raw, why in cases:
        path = list_file(raw=raw)
        r = run(["-m", "/nonexistent/never.so", "send", "--vins-file", path,
                 "location"])
        check(r.returncode == 64, "exit 64 (nothing loaded) for %r" % raw, r)
        lines = r.stderr.splitlines()
        check(len(lines) == 1 and lines[0].startswith("fleetcmd: %s:2: "
                                                      % path)
              and why in lines[0], "FILE:2: %s, one line (no --help hint)"
              % why, r)
    r = run(["-m", "/nonexistent/never.so", "send", "--vins-file",
             os.path.join(opts.tmp, "missing.txt"), "location"])
    check(r.returncode == 64 and r.stderr.startswith("fleetcmd: cannot read ")
          and len(r.stderr.splitlines()) == 1, "an unreadable file", r)


@test
def batch_lists_confirmations_with_codes_and_one_confirm_line_each():
    r = run(skel("send", "--vins-file", list_file(VIN, THREE[1]),
                 "disable_ignition"))
    check(r.returncode == 23, "exit 23: nothing was executed", r)
    rows = table_rows(r)
    m = re.fullmatch(r"(?:\S+  )?code=(\d{6})", rows[0][2])
    check(rows[0][1] == "confirmation" and m is not None,
          "the confirmation row shows the code", r)
    check(rows[1][1] == "failed", "the vehicle without the command", r)
    check("confirm has no batch form" in r.stderr, "says why", r)
    check("stopped and safe" in r.stderr, "the provider's message", r)
    check(re.search(r"^  fleetcmd .* confirm %s disable_ignition %s$"
                    % (VIN, m.group(1)), r.stderr, re.M),
          "the confirm command line with that code", r)


@test
def batch_larger_than_batch_size_goes_in_successive_calls():
    three = list_file(*THREE)
    r = run(skel("-v", "send", "--vins-file", three, "location",
                 "--batch-size", "2"))
    check(r.returncode == 23 and len(table_rows(r)) == 3, "3 rows", r)
    calls = set(re.findall(r"fleetcmd-\d+-(\d+)", r.stderr))
    check(calls == {"1", "2"}, "two calls (2 + 1 items): %s" % calls, r)
    many = list_file(*["WVWZZZ1JZXW%06d" % i for i in range(1001)])
    r = run(skel("send", "--vins-file", many, "location"))
    check(r.returncode == 23, "the default size fits the module", r)
    check(r.stdout.splitlines()[-1] == "1001 items: 1001 failed",
          "every item answered (1000 + 1)", r)
    r = run(skel("send", "--vins-file", many, "location", "--batch-size",
                 "1001"))
    check(r.returncode == 1, "exit 1: the module refuses 1001 (EINVAL)", r)
    check(r.stdout == "" and "failed as a whole" in r.stderr,
          "no table, and why on stderr", r)


@test
def batch_wait_that_runs_out_says_how_many_are_still_pending():
    r = run(skel("send", "--vins-file", list_file(*THREE), "location",
                 "--wait", "0.2"))
    check(r.returncode == 23, "exit 23", r)
    check([row[1] for row in table_rows(r)] == ["pending", "pending",
                                                "failed"], "last seen", r)
    check("2 items are still pending after 0.2 s" in r.stderr, "says so", r)
    check(hint_lines(r) == [["fleetcmd", *skel("status", "--ids-file",
                                               "FILE")]],
          "how to ask again, with -m and -c", r)
    ok = list_file(VIN, THREE[1])
    r = run(skel("send", "--vins-file", ok, "location", "--wait", "5"))
    check(r.returncode == 0, "every item a success: exit 0", r)


@test
def batch_wait_shows_progress_when_stderr_is_a_terminal():
    rc, out, shown = run_on_terminal(
        skel("send", "--vins-file", list_file(*THREE), "location",
             "--wait", "5"), stdin_tty=False)
    check(rc == 23, "exit 23: %r" % shown)
    check(re.search(r"\rbatch: 1/3 done, 1 failed, \d+\.\d s", shown) and
          re.search(r"\rbatch: 3/3 done, 1 failed", shown),
          "a \\r-updated progress line: %r" % shown)
    check(out.splitlines()[-1] == "3 items: 2 success, 1 failed",
          "then the table: %r" % out)


# ---- batches against mobway.so and mobway-sim -----------------------------

class Mobway(MobwayAccount):
    """A mobway-sim and a mobway.so config for it (the demo account)."""

    def __init__(self):
        if not (os.path.exists(opts.mobway) and os.path.exists(opts.sim)):
            raise Skip("mobway.so or mobway-sim not built")
        super().__init__(opts.sim, opts.mobway, opts.tmp, "--complete-ms",
                         "300")


@test
def mobway_waited_status_is_shown_with_the_vin_and_command_of_the_send():
    # Mobway's status replies carry neither; fleetcmd knows them.
    with Mobway() as mw:
        r = run(mw.args("send", MW_VINS[1], "lock_door", "--wait", "10"))
    check(r.returncode == 0, "exit 0", r)
    check(re.search(r"^success  lock_door  %s  id=\S+$" % MW_VINS[1],
                    r.stdout, re.M), "the outcome names vehicle and command",
          r)


@test
def mobway_status_in_a_later_run_names_the_vehicle_and_command():
    with Mobway() as mw:
        sent = json_lines(run(mw.args("--json", "send", MW_VINS[1],
                                      "lock_door")))[0]
        r = run(mw.args("status", sent["id"]))
        j = run(mw.args("--json", "status", sent["id"]))
    check(r.returncode == 0 and re.search(
        r"^(pending|success)  lock_door  %s  id=%s$" % (MW_VINS[1],
                                                         sent["id"]),
        r.stdout, re.M), "the summary line names vehicle and command", r)
    reply = json_lines(j)[0]
    check(reply.get("vin") == MW_VINS[1] and
          reply.get("command") == "lock_door", "and the JSON too", j)


@test
def mobway_lost_confirm_answer_prints_the_status_line_of_that_command():
    # reset-after strikes only a request that executed a command: the
    # confirmation step answers, the confirm's answer is lost.
    with Mobway() as mw:
        mw.sim.set_faults(reset_after=100)
        r = run(mw.args("--json", "send", MW_VINS[0], "disable_ignition",
                        "--yes"))
        mw.sim.clear_faults()
        check(r.returncode == 8, "exit 8 (EUNKNOWN)", r)
        asked = json_lines(r)[0]
        check(asked["status"] == "confirmation", "the confirmation step", r)
        hints = hint_lines(r)
        check(hints == [["fleetcmd", *mw.args("status", asked["id"])]],
              "the status line of the confirmed command, with -m and -c", r)
        done = run(hints[0][1:] + ["--wait", "10"])
        stats = mw.sim.stats()
    check(done.returncode == 0 and re.search(
        r"^success  disable_ignition  %s" % MW_VINS[0], done.stdout, re.M),
          "the pasted line finds it done", done)
    check(stats["max_executions"] == 1, "executed once: %s" % stats)


@test
def mobway_status_that_does_not_get_through_prints_the_line_to_ask_again():
    with Mobway() as mw:
        sent = json_lines(run(mw.args("--json", "send", MW_VINS[1],
                                      "lock_door")))[0]
        mw.sim.stop()
        r = run(mw.args("status", sent["id"]))
    check(r.returncode == 7, "exit 7 (EUNREACHABLE)", r)
    check(hint_lines(r) == [["fleetcmd", *mw.args("status", sent["id"])]],
          "the same status line to run again, with -m and -c", r)


@test
def mobway_batch_denied_item_carries_the_seed_text():
    with Mobway() as mw:
        r = run(mw.args("send", "--vins-file", list_file(*MW_VINS),
                        "location"))
    check(r.returncode == 23, "exit 23", r)
    rows = table_rows(r)
    check([row[1] for row in rows] == ["pending", "pending", "failed"],
          "two started, one denied", r)
    check(rows[2][2] == "EDENIED: Command not found or unauthorized access.",
          "the seed's text, verbatim", r)


@test
def mobway_batch_ids_from_a_send_reach_success_with_status_ids_file():
    with Mobway() as mw:
        sent = json_lines(run(mw.args("--json", "send", "--vins-file",
                                      list_file(*MW_VINS[:2]), "location")))
        ids = [m["id"] for m in sent]
        r = run(mw.args("--json", "status", "--ids-file", "-", "--wait",
                        "10"), input="".join(i + "\n" for i in ids))
    check(r.returncode == 0, "exit 0", r)
    replies = json_lines(r)
    check([m["id"] for m in replies] == ids, "one line per id", r)
    check(all(m["status"] == "success" for m in replies), "waited", r)


@test
def mobway_batch_send_wait_ends_in_each_items_outcome():
    with Mobway() as mw:
        r = run(mw.args("--json", "send", "--vins-file", list_file(*MW_VINS),
                        "diagnostics", "--wait", "10"))
    check(r.returncode == 23, "exit 23", r)
    replies = json_lines(r)
    check([m["vin"] for m in replies] == MW_VINS,
          "each line names its VIN (added to status replies)", r)
    check([m["status"] for m in replies] == ["success", "failed", "error"],
          "success; denied; the vehicle that fails", r)
    check("odometer" in replies[0]["detail"], "the diagnostics data", r)
    check("2 of 3 items failed" in r.stderr, "counted on stderr", r)


@test
def mobway_batch_confirmation_code_confirms_one_vehicle():
    with Mobway() as mw:
        r = run(mw.args("--json", "send", "--vins-file",
                        list_file(MW_VINS[0]), "disable_ignition"))
        item = json_lines(r)[0]
        check(r.returncode == 23 and item["status"] == "confirmation",
              "asks confirmation", r)
        r = run(mw.args("--json", "confirm", MW_VINS[0], "disable_ignition",
                        item["code"], "--wait", "10"))
        stats = mw.sim.stats()
    check(r.returncode == 0, "exit 0", r)
    check(json_lines(r)[-1]["status"] == "success", "confirmed, done", r)
    check(stats["max_executions"] == 1, "executed once: %s" % stats)


@test
def mobway_sim_man_page_example_runs_as_printed():
    # The example once read the port file before the simulator wrote it.
    page = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "mobway-sim", "mobway-sim.1")
    with open(page) as f:
        example = f.read().split(".SH EXAMPLES", 1)[1]
    script = example.split(".EX\n", 1)[1].split(".EE\n", 1)[0]
    script = script.replace("\\-", "-").replace("\\e", "\\")
    if not (os.path.exists(opts.mobway) and os.path.exists(opts.sim)):
        raise Skip("mobway.so or mobway-sim not built")
    path = ":".join(os.path.dirname(os.path.abspath(p))
                    for p in (opts.sim, opts.fleetcmd))
    env = {"PATH": path + ":" + os.environ["PATH"],
           "FLEETMOD_MODULE_PATH": os.path.dirname(
               os.path.abspath(opts.mobway))}
    # The trap stops the simulator even when the example fails half-way.
    r = subprocess.run(["sh", "-c", "trap 'kill $sim 2>/dev/null' EXIT\n" +
                        script], cwd=tempfile.mkdtemp(dir=opts.tmp),
                       capture_output=True, text=True, timeout=60,
                       env=env_with(env))
    check(re.search(r"^success  location  6AHFT68CKAF501652  id=", r.stdout,
                    re.M), "the example's command reaches success", r)


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


@test
def memcheck_clean_for_batches():
    prefix = memcheck_prefix()
    r = run(skel("send", "--vins-file", list_file(*THREE), "location",
                 "--wait", "5"), prefix=prefix, timeout=120)
    check(r.returncode == 23, "send batch --wait: exit 23 (99: errors)", r)
    r = run(skel("--json", "status", "--ids-file", list_file("a", "b")),
            prefix=prefix, timeout=120)
    check(r.returncode == 23, "status batch: exit 23 (99: errors)", r)
    r = run(skel("send", "--vins-file", list_file(VIN, VIN), "location"),
            prefix=prefix, timeout=120)
    check(r.returncode == 64, "a refused list: exit 64 (99: errors)", r)


def main():
    global opts
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fleetcmd", required=True)
    ap.add_argument("--modules", required=True, help="dir with skeleton.so")
    ap.add_argument("--skeleton-conf", required=True)
    ap.add_argument("--filestate", required=True)
    ap.add_argument("--mobway", required=True, help="mobway.so")
    ap.add_argument("--sim", required=True, help="mobway-sim")
    ap.add_argument("--conformance", required=True,
                    help="fleetmod-conformance")
    ap.add_argument("only", nargs="*", help="run only these tests")
    opts = ap.parse_args()
    opts.tmp = tempfile.mkdtemp(prefix="fleetcmd-test-")
    rc = run_tests(opts.only)
    shutil.rmtree(opts.tmp)
    return rc


if __name__ == "__main__":
    sys.exit(main())
