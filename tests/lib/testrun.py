"""The small test runner of the python test scripts (stdlib only).

    from testrun import Skip, check, test, run_tests

    @test
    def rule_said_in_the_name():
        check(1 + 1 == 2, "arithmetic")

    sys.exit(run_tests(only))   # prints "N passed, N failed"; 1 on failure

A test passes by returning, is skipped by raising Skip(why) (the reason
is printed), and fails by raising anything else: a test that cannot even
run has failed.
"""
import sys

TESTS = []


class Skip(Exception):
    pass


def test(fn):
    """Registers fn, in the order of the file."""
    TESTS.append(fn)
    return fn


def check(cond, what, r=None):
    """Fails with what (and r's exit status and output, for a
    subprocess.CompletedProcess r) unless cond."""
    if not cond:
        if r is not None:
            what += "\n  rc=%s\n  stdout=%r\n  stderr=%r" % (
                r.returncode, r.stdout, r.stderr)
        raise AssertionError(what)


def run_tests(only=()):
    """Runs the registered tests (only those named in only, if any);
    returns the exit status."""
    passed = failed = 0
    for fn in TESTS:
        if only and fn.__name__ not in only:
            continue
        try:
            fn()
            print("ok    " + fn.__name__)
            passed += 1
        except Skip as why:
            print("skip  %s: %s" % (fn.__name__, why))
        except Exception as ex:  # a test that cannot even run has failed
            print("FAIL  %s: %s" % (fn.__name__, ex))
            failed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
