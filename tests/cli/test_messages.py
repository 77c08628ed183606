#!/usr/bin/env python3
"""fleetcmd's error line says each thing once and claims only what its
call could have done: an open error names the module, the file and the
module's own words once (and the rc once, fleetcmd's); a status is a
lookup ("nothing was looked up", never "no command was sent"); libcurl's
text is not the message, and comes once.

Run by `make check-fleetcmd` against mobway.so (a closed port needs no
server). Prints "N passed, N failed"; exits 1 on any failure.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import testenv  # noqa: E402
from testrun import check, run_tests, test  # noqa: E402

VIN = "6AHFT68CKAF501652"
SID = "0f0e0d0c-0b0a-4908-8706-050403020100"
# libcurl's own wording: detail's, never the message's
CURL_WORDS = ("Couldn't connect", "Failed to connect")

opts = None


def fleetcmd(*args):
    return subprocess.run([opts.fleetcmd, *args], capture_output=True,
                          text=True, env=testenv.env_with(), timeout=60,
                          stdin=subprocess.DEVNULL)


def write(name, text, mode=0o600):
    return testenv.write(os.path.join(opts.tmp, name), text, mode)


def error_line(r, rc):
    """fleetcmd's own error line for rc."""
    lines = [l for l in r.stderr.splitlines()
             if l.startswith("fleetcmd: %s: " % rc)]
    check(len(lines) == 1, "one 'fleetcmd: %s:' line" % rc, r)
    return lines[0]


def bad_conf():
    """A mobway config init refuses: plain http without allow_http (and
    no secrets: more lines in the log)."""
    return write("bad.conf", "[mobway]\nbase_url = http://127.0.0.1:1\n")


@test
def open_error_names_module_file_and_the_modules_words_once():
    conf = bad_conf()
    r = fleetcmd("-m", opts.mobway, "-c", conf, "send", VIN, "location")
    check(r.returncode == 2, "exit 2 (ECONFIG)", r)
    line = error_line(r, "ECONFIG")
    check(line.count("ECONFIG") == 1, "the rc named once: " + line)
    check(line.count(opts.mobway) == 1, "the module's file once: " + line)
    check(line.count("module mobway") == 1, "the module once: " + line)
    check(line.count(conf) == 1, "the config file once: " + line)
    check(line.count("needs allow_http = true") == 1,
          "the module's own words, once: " + line)
    check("mobway: " + conf not in line,
          "not the module's own 'mobway: ' prefix again: " + line)


@test
def stack_open_error_names_the_section_and_the_modules_words_once():
    conf = bad_conf()
    stack = write("stack.conf", "[eu]\nmodule = %s\nconfig = %s\n"
                  % (os.path.abspath(opts.mobway), conf))
    r = fleetcmd("-s", stack, "send", VIN, "location")
    check(r.returncode == 2, "exit 2 (ECONFIG)", r)
    line = error_line(r, "ECONFIG")
    check(line.count("ECONFIG") == 1, "the rc named once: " + line)
    check(line.count(stack + ":1: [eu] module mobway") == 1,
          "the stack file, line and section, then the module: " + line)
    check(line.count(conf) == 1, "the config file once: " + line)
    check(line.count("needs allow_http = true") == 1,
          "the module's own words, once: " + line)


@test
def a_file_that_is_no_module_is_named_once():
    path = write("text.so", "not a module\n", 0o644)
    r = fleetcmd("-m", path, "send", VIN, "location")
    line = error_line(r, "ECONFIG")
    check(line.count(path) == 1, "the file once: " + line)


def closed_conf():
    return write("closed.conf",
                 "[mobway]\nbase_url = http://127.0.0.1:%d\nallow_http = "
                 "true\nclient_id = c\nclient_secret = s\nsign_secret = x\n"
                 "timeout_ms = 2000\n" % testenv.free_port())


@test
def a_status_that_got_no_token_says_nothing_was_looked_up():
    r = fleetcmd("-m", opts.mobway, "-c", closed_conf(), "status", SID)
    line = error_line(r, "EUNREACHABLE")
    check("nothing was looked up" in line and "command was sent" not in line,
          "a status claims no command: " + line)


@test
def a_send_that_got_no_token_says_no_command_was_sent():
    r = fleetcmd("-m", opts.mobway, "-c", closed_conf(), "send", VIN,
                 "location")
    line = error_line(r, "EUNREACHABLE")
    check("no command was sent" in line, "a send says so: " + line)


@test
def libcurls_text_is_not_the_message_and_comes_once():
    r = fleetcmd("-m", opts.mobway, "-c", closed_conf(), "send", VIN,
                 "location")
    line = error_line(r, "EUNREACHABLE")
    check(not any(w in line for w in CURL_WORDS),
          "the error line is in our words: " + line)
    for w in CURL_WORDS:
        check(r.stderr.count(w) == 1, "libcurl's %r once" % w, r)


def main():
    global opts
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fleetcmd", required=True)
    ap.add_argument("--mobway", required=True, help="mobway.so")
    ap.add_argument("only", nargs="*", help="run only these tests")
    opts = ap.parse_args()
    opts.tmp = tempfile.mkdtemp(prefix="fleetcmd-messages-")
    rc = run_tests(opts.only)
    shutil.rmtree(opts.tmp)
    return rc


if __name__ == "__main__":
    sys.exit(main())
