#!/usr/bin/env python3
"""mobway-sim under valgrind memcheck for a short session: tokens, commands,
both ignition steps, errors, statuses, stats, the latency and
connection-closing faults, then SIGTERM. Valgrind exits 1 on any memory
error or definite/indirect leak, so the exit code is the verdict.

    python3 tests/sim/test_valgrind.py build/bin/mobway-sim
"""

import os
import shutil
import sys
import time

from simtest import VIN_ALL, VIN_DOORS, Client, MobwaySim, Tally

BIN = sys.argv[1]
VALGRIND = ["valgrind", "--quiet", "--error-exitcode=1", "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect"]


def session(sim, T):
    c = Client(sim)
    T.eq("token", c.get_token().status, 200)
    cid = c.post_command(VIN_DOORS, "lock_door").json()["id"]
    T.eq("bad signature refused",
         c.post_command(VIN_DOORS, "lock_door", secret="x").status, 403)
    code = c.post_command(VIN_ALL, "disable_ignition").json()["code"]
    T.eq("confirmed", c.post_command(VIN_ALL, "disable_ignition",
                                     code=code).status, 200)
    T.eq("code reused", c.post_command(VIN_ALL, "disable_ignition",
                                       code=code).status, 409)
    time.sleep(0.2)
    T.eq("status", c.get_command(cid).json()["status"], "Success")
    T.eq("diagnostics", c.post_command(VIN_ALL, "diagnostics").status, 200)
    sim.set_faults(latency=100)
    T.eq("latency", c.post_command(VIN_DOORS, "lock_door").status, 200)
    sim.set_faults(latency=0, reset_after=100)
    try:
        c.post_command(VIN_DOORS, "lock_door")
        T.check("reset-after closes", False)
    except Exception:
        T.check("reset-after closes", True)
    sim.clear_faults()
    T.eq("no command ran twice", sim.stats()["max_executions"], 1)


def main():
    T = Tally()
    if not shutil.which("valgrind"):
        print("valgrind: skipped: valgrind is not installed")
        T.finish()
    # make exports MEMCHECK empty under SANITIZE: valgrind cannot run a
    # sanitizer build, which checks memory itself
    if os.environ.get("MEMCHECK") == "":
        print("valgrind: skipped: MEMCHECK is empty (a sanitizer build)")
        T.finish()
    sim = MobwaySim(BIN, "--complete-ms", "50", wrapper=VALGRIND,
                    start_timeout=60)
    try:
        session(sim, T)
    finally:
        rc = sim.stop()
    T.eq("valgrind: clean exit (no errors, no leaks)", rc, 0)
    T.finish()


if __name__ == "__main__":
    main()
