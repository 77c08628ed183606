"""What the mobway-sim tests share: a tiny HTTP client, the signing
reference, a pass/fail tally. python3 stdlib only."""

import http.client
import json
import os
import ssl
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from mobway_sim import MobwaySim, make_ca, sign  # noqa: E402,F401

VIN_ALL = "6AHFT68CKAF501652"    # all six commands
VIN_DOORS = "9BWZZZ377VT004251"  # location, lock_door, unlock_door
VIN_FAIL = "1HGCM82633A004352"   # diagnostics, ends in Error
SIGN_SECRET = "demo-sign-secret"
CREDS = {"client_id": "demo-client", "client_secret": "demo-secret"}


class Tally:
    """Counts checks; prints each failure and the closing summary line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, info=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s %s" % (name, info))
        return ok

    def eq(self, name, got, want):
        return self.check(name, got == want, "got %r, want %r" % (got, want))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Client:
    """One connection per request, so that faults never leak between
    requests."""

    def __init__(self, sim, cafile=None):
        self.sim = sim
        self.cafile = cafile
        self.token = None

    def _conn(self):
        u = urllib.parse.urlsplit(self.sim.url)
        if u.scheme == "https":
            ctx = ssl.create_default_context(cafile=self.cafile)
            return http.client.HTTPSConnection(u.hostname, u.port,
                                               timeout=20, context=ctx)
        return http.client.HTTPConnection(u.hostname, u.port, timeout=20)

    def request(self, method, path, body=None, headers=None):
        conn = self._conn()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    def get_token(self, form=None):
        r = self.request("POST", "/token",
                         urllib.parse.urlencode(form or CREDS),
                         {"Content-Type":
                          "application/x-www-form-urlencoded"})
        if r.status == 200:
            self.token = r.json()["token"]
        return r

    def post_command(self, vin, command, code=None, secret=SIGN_SECRET,
                     signature=None, body=None, token=None):
        data = {"vin": vin, "command": command}
        if code is not None:
            data["code"] = code
        headers = {"Content-Type": "application/json",
                   "Authorization": "Bearer " + (token or self.token)}
        if signature is None and secret is not None:
            signature = sign(secret, vin, command)
        if signature is not None:
            headers["X-Signature"] = signature
        raw = body if body is not None else json.dumps(data)
        return self.request("POST", "/vehicle-command", raw, headers)

    def get_command(self, cid, token=None):
        return self.request("GET", "/vehicle-command/" + cid,
                            headers={"Authorization":
                                     "Bearer " + (token or self.token)})
