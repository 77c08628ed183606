"""What the fleetcmd test scripts share (stdlib only): fleetcmd run with
a clean environment, or with stderr on a pseudo-terminal, and a
mobway-sim with a mobway.so config for its demo account.

    from cli import MobwayAccount, env_with, on_terminal
"""
import os
import pty
import select
import subprocess
import tempfile
import time

from mobway_sim import MobwaySim, mobway_conf
from testenv import env_with


def on_terminal(argv, answer=None, stdin_tty=True, timeout=30):
    """argv with stderr (and stdin unless stdin_tty is False) on a
    pseudo-terminal; answers a y/N question with `answer`. Returns (rc,
    stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv,
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


class MobwayAccount:
    """A mobway-sim (sim_args: its options) and a mobway.so config for it,
    the demo account's, with its secrets in 0600 files under tmp. A
    context manager that stops the simulator."""

    def __init__(self, sim, mobway, tmp, *sim_args):
        self.mobway = mobway
        self.sim = MobwaySim(sim, *sim_args)
        self.conf = mobway_conf(tempfile.mkdtemp(dir=tmp), self.sim.url)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sim.stop()

    def args(self, *args):
        """fleetcmd's options for this account, then args."""
        return ["-m", self.mobway, "-c", self.conf, *args]
