#!/usr/bin/env python3
"""The baseline a user would write instead of the module: python3
requests.Session sending the same signed requests to the same mobway-sim.

    requests_loop.py URL N VIN COMMAND CLIENT_ID CLIENT_SECRET SIGN_SECRET

Token once, body and X-Signature once, one Session (keep-alive), N POSTs.
Prints "sends=... seconds=... rate=..."; exit status 2 (and a reason on
stdout) when requests is not installed, 1 on any answer but 200.
"""
import hashlib
import hmac
import json
import sys
import time

try:
    import requests
except ImportError:
    print("skip: python3 has no 'requests' module (apt-get install python3-requests)")
    sys.exit(2)


def main():
    url, n, vin, command, cid, secret, sign = sys.argv[1:8]
    s = requests.Session()
    form = {"client_id": cid, "client_secret": secret,
            "username": cid, "password": secret}
    token = s.post(url + "/token", data=form, timeout=10).json()["token"]
    body = json.dumps({"vin": vin, "command": command},
                      separators=(",", ":"), sort_keys=True)
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Authorization": "Bearer " + token,
        "X-Signature": hmac.new(sign.encode(), body.encode(),
                                hashlib.sha256).hexdigest(),
    }
    target = url + "/vehicle-command"
    s.post(target, data=body, headers=headers, timeout=10)  # connect first
    t0 = time.monotonic()
    for _ in range(int(n)):
        r = s.post(target, data=body, headers=headers, timeout=10)
        if r.status_code != 200:
            print("HTTP %d: %s" % (r.status_code, r.text), file=sys.stderr)
            sys.exit(1)
        r.json()
    t = time.monotonic() - t0
    print("sends=%d seconds=%.3f rate=%.0f" % (int(n), t, int(n) / t))


main()
