#!/usr/bin/env python3
"""Expected signing values, computed by Python's own json and hmac.

Reads lines "VIN_HEX COMMAND_HEX SECRET_HEX" (UTF-8 bytes in hex) on stdin
and writes "BODY_HEX SIGNATURE" for each: the body is exactly what Mobway
signs, json.dumps({"vin": vin, "command": command}, separators=(",", ":"),
sort_keys=True).
"""
import hashlib
import hmac
import json
import sys

for line in sys.stdin:
    vin, command, secret = (bytes.fromhex(f).decode() for f in line.split())
    body = json.dumps({"vin": vin, "command": command},
                      separators=(",", ":"), sort_keys=True)
    sig = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    print(body.encode().hex(), sig)
