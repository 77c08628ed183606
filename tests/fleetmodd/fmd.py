"""Start, drive and stop a fleetmodd from python3 tests (stdlib only).

    with Service(opts, sim) as svc:       # a temp dir, a unix socket
        status, headers, body = svc.request("POST", "/v1/commands", {...})

Every service gets its own temp dir: the mobway config for the given
simulator, a stack, a policy (an SQLite journal in the dir) and
fleetmodd.conf; start() runs fleetmodd --foreground and waits until its
socket answers. UnixHTTPConnection is http.client over AF_UNIX.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from mobway_sim import mobway_conf
from testenv import write


class UnixHTTPConnection(http.client.HTTPConnection):
    """http.client's connection over a unix socket."""

    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.unix_path)
        self.sock = s


class Service:
    """A fleetmodd in front of mobway.so and the simulator sim."""

    def __init__(self, opts, sim, policy="", service="", webhook=None,
                 journal=None, host_id="fmd-test"):
        """journal: the policy's journal url (default: an SQLite file in
        the temp dir)."""
        self.opts = opts
        self.dir = tempfile.mkdtemp(prefix="fleetmodd-test.")
        self.sock = self.p("fleetmodd.sock")
        self.proc = None
        self.sim = sim
        self.journal = journal or "sqlite:" + self.p("journal.db")
        self.host_id = host_id
        self.configure(policy, service, webhook)

    def p(self, name):
        return os.path.join(self.dir, name)

    def configure(self, policy="", service="", webhook=None):
        mobway_conf(self.dir, self.sim.url,
                    extra="connect_timeout_ms = 2000\ntimeout_ms = 5000\n"
                    "retry_unreachable = 0\n")
        write(self.p("stack.conf"), "[mobway]\nmodule = %s\nconfig = %s\n"
              % (self.opts.mobway, self.p("mobway.conf")), 0o644)
        write(self.p("policy.conf"),
              "[journal]\nurl = %s\nhost_id = %s\n\n%s"
              % (self.journal, self.host_id, policy), 0o644)
        hook = ""
        if webhook:
            write(self.p("webhook.secret"), webhook[1] + "\n")
            hook = ("[webhook]\nurl = %s\nsecret_file = %s\n"
                    "max_backoff = 2\ntimeout = 5\n"
                    % (webhook[0], self.p("webhook.secret")))
        write(self.p("fleetmodd.conf"),
              "[service]\nstack = %s\npolicy = %s\nsocket = %s\n"
              "watch_interval = 1\n%s\n%s"
              % (self.p("stack.conf"), self.p("policy.conf"), self.sock,
                 service, hook), 0o644)

    def run(self, *args, timeout=30):
        """fleetmodd with args, to its end (for refusals to start)."""
        return subprocess.run([self.opts.fleetmodd] + list(args),
                              capture_output=True, text=True,
                              timeout=timeout)

    def start(self, wait_socket=True, prefix=(), timeout=20):
        """prefix: words run before fleetmodd (a memcheck command line);
        timeout: seconds to wait for the socket."""
        self.log = open(self.p("stderr.log"), "a")
        self.proc = subprocess.Popen(
            list(prefix) + [self.opts.fleetmodd, "--foreground", "--config",
                            self.p("fleetmodd.conf")],
            stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while wait_socket and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("fleetmodd exited %d: %s" % (
                    self.proc.returncode, self.stderr()))
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
                s.close()
                return self
            except OSError:
                time.sleep(0.05)
        if wait_socket:
            raise RuntimeError("fleetmodd did not listen within %d s"
                               % timeout)
        return self

    def stderr(self):
        with open(self.p("stderr.log")) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        """Signal, wait, return the exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.proc = None
        self.log.close()
        return rc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def request(self, method, path, body=None, headers=None, raw=None,
                timeout=60):
        """(status, headers dict, parsed JSON body or text)."""
        c = UnixHTTPConnection(self.sock, timeout=timeout)
        data = raw if raw is not None else (
            None if body is None else json.dumps(body).encode())
        h = dict(headers or {})
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        try:
            return r.status, hdrs, json.loads(text)
        except ValueError:
            return r.status, hdrs, text

    def curl(self, *args):
        """curl --unix-socket with args: (status, body)."""
        r = subprocess.run(["curl", "-s", "-S", "--max-time", "60",
                            "--unix-socket", self.sock, "-w", "\n%{http_code}"]
                           + list(args), capture_output=True, text=True,
                           timeout=90)
        body, _, code = r.stdout.rpartition("\n")
        return int(code or 0), body

    def rows(self, query=""):
        status, _, body = self.request("GET", "/v1/commands?limit=1000" +
                                       query)
        assert status == 200, (status, body)
        return body["commands"]
