"""Start, drive and stop a mobway-sim from python3 tests (stdlib only).

    from mobway_sim import MobwaySim, mobway_conf, sign, make_ca

    with MobwaySim("build/bin/mobway-sim", "--complete-ms", "100") as sim:
        sim.set_faults(reset_after=100)     # same as {"reset-after": 100}
        ...                                 # drive sim.url with any client
        assert sim.stats()["max_executions"] <= 1

Every simulator listens on a free loopback port (--port 0 --port-file) in
its own temporary directory. sign() is Python's own json + hmac, the
reference the API documents; mobway_conf() writes a mobway.so config
for an account of a simulator; make_ca() writes a throwaway CA and a server
certificate for 127.0.0.1 and localhost with the openssl command.
"""

import hashlib
import hmac
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.request

from testenv import write

START_TIMEOUT_S = 10


class MobwaySim:
    """A running mobway-sim; a context manager that stops it on exit."""

    def __init__(self, binary, *args, https=None, wrapper=(),
                 start_timeout=START_TIMEOUT_S):
        """Starts binary with args. https: (cert_pem, key_pem) or None.
        wrapper: a command prefix (e.g. valgrind and its options)."""
        self._dir = tempfile.mkdtemp(prefix="mobway-sim.")
        port_file = os.path.join(self._dir, "port")
        cmd = list(wrapper) + [binary, "--host", "127.0.0.1", "--port", "0",
                               "--port-file", port_file, "--quiet"]
        cmd += [str(a) for a in args]
        if https:
            cmd += ["--cert", https[0], "--key", https[1]]
        self.proc = subprocess.Popen(cmd)
        self.port = self._wait_for_port(port_file, start_timeout)
        scheme = "https" if https else "http"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)
        # The simulator's own routes: no need to verify our own server.
        self._ctx = ssl._create_unverified_context() if https else None

    def _wait_for_port(self, port_file, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("mobway-sim did not start listening within %d s"
                           % timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=10, context=self._ctx) as r:
            return json.load(r)

    def stats(self):
        """The counters of GET /_sim/stats."""
        return self._call("GET", "/_sim/stats")

    def set_faults(self, **faults):
        """Sets faults; names with '_' for '-' (reset_after=100)."""
        body = {k.replace("_", "-"): v for k, v in faults.items()}
        return self._call("POST", "/_sim/faults", body)

    def clear_faults(self):
        return self._call("POST", "/_sim/faults", {"clear": True})

    def reset(self):
        """Zeroes the counters and forgets every command."""
        return self._call("POST", "/_sim/reset", {})

    def stop(self):
        """SIGTERM, wait, return the exit code (None if it had to be
        killed)."""
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = None
        shutil.rmtree(self._dir, ignore_errors=True)
        return rc


def mobway_conf(directory, url, name="mobway", client="demo-client",
                secret="demo-secret", sign="demo-sign-secret", extra=""):
    """Writes a mobway.so config for the simulator at url, logging in as
    client (default: the demo account), into directory: NAME.conf (0644)
    and its secrets in NAME.client_secret and NAME.sign_secret (0600, as
    mobway.so asks). extra: more lines for [mobway]. Returns the config's
    path."""
    p = lambda f: os.path.join(directory, "%s.%s" % (name, f))
    write(p("client_secret"), secret + "\n")
    write(p("sign_secret"), sign + "\n")
    return write(p("conf"), "[mobway]\nbase_url = %s\nallow_http = true\n"
                 "client_id = %s\nclient_secret_file = %s\n"
                 "sign_secret_file = %s\n%s"
                 % (url, client, p("client_secret"), p("sign_secret"), extra),
                 0o644)


def sign(secret, vin, command):
    """X-Signature as the Mobway docs compute it."""
    body = json.dumps({"vin": vin, "command": command},
                      separators=(",", ":"), sort_keys=True)
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def _openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(tmpdir):
    """A throwaway CA and a server certificate it signed, valid for
    IP:127.0.0.1 and DNS:localhost. Returns (ca_pem, cert_pem, key_pem)."""
    p = lambda name: os.path.join(tmpdir, name)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=mobway-sim test CA", "-keyout", p("ca.key"),
             "-out", p("ca.pem"))
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
             "-keyout", p("server.key"), "-out", p("server.csr"))
    with open(p("server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "basicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"),
             "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "2",
             "-extfile", p("server.ext"), "-out", p("server.pem"))
    return p("ca.pem"), p("server.pem"), p("server.key")
