"""Hostile HTTP peers on 127.0.0.1 (python3 stdlib only), for the
reliability tests: servers that hang, drip, lie, redirect or talk garbage.

    with Hostile({"/token": "hang", "/": "drip"}) as h:
        ... h.url ...   h.requests -> [(method, path), ...]

Each route maps a path prefix (longest first) to a behaviour:
  hang       read the request, never answer (hold the connection)
  drip       a valid answer, one byte per second
  slow_token a valid token answer after 1 s
  token      a valid token answer at once
  big        200 application/json, 2 MiB
  malformed  200 application/json, a body cut in the middle
  html       200 text/html, a portal page
  garbage    200 application/json, "garbage"
  notoken    200 application/json, {"token": 5}
  redirect:URL  302 to URL
  pending    200, a command registered as Pending
  fat        200 Pending with ~900 KiB of padding in a member we ignore
  token_once a valid token answer the first time, 503 after
  crlf_token a token with CR LF and a header line in it
  ratelimit_huge  429 with a Retry-After of 20 digits
  sig401     401 {"detail": "X-Signature invalid."}
  strict_token  a token only for a form of exactly username and password,
             422 for any other field (a strict OAuth2 form parser)
  refuse422  422 {"detail": "Unknown form field."}, always
  oem_error  200 Error "Failed to send command to the OEM." with an id
  bare500    500 with an empty body (no reason of Mobway's)
  pending_or_401:VIN  401 "Token expired." for a body naming VIN, else
             pending
h.bodies holds each request's body, in the order of h.requests.
"""

import socket
import threading
import time
import urllib.parse

TOKEN_BODY = b'{"token":"hostile-token-1","expiration":3600}'
PENDING = (b'{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","status":"Pending",'
           b'"created":"2024-01-01 00:00:00"}')
FAT = PENDING[:-1] + b',"pad":"' + b"x" * (900 << 10) + b'"}'
CRLF_TOKEN = b'{"token":"hostile\\r\\nX-Injected: 1","expiration":3600}'


def closed_port():
    """A loopback port nobody listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _answer(status, ctype, body):
    head = ("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (status, ctype, len(body))).encode()
    return head + body


class Hostile:
    """A listener on a free loopback port serving routes; a context
    manager that stops it (and drops held connections) on exit."""

    def __init__(self, routes):
        self.routes = sorted(routes.items(), key=lambda kv: -len(kv[0]))
        self.requests = []
        self.bodies = []
        self._seen = {}  # behaviour -> requests it answered
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in list(self._threads):
            t.join(timeout=5)
        self._sock.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            t = threading.Thread(target=self._serve, args=(conn,),
                                 daemon=True)
            self._threads.append(t)
            t.start()

    def _read_request(self, conn):
        data = b""
        conn.settimeout(0.2)
        while b"\r\n\r\n" not in data and not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(body) < length and not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            body += chunk
        method, path = (lines[0].split(" ") + ["", ""])[:2]
        return method, path, body

    def _behaviour(self, path):
        for prefix, how in self.routes:
            if path.startswith(prefix):
                return how
        return "hang"

    def _serve(self, conn):
        with conn:
            while not self._stop.is_set():
                req = self._read_request(conn)
                if req is None:
                    return
                with self._lock:
                    self.requests.append(req[:2])
                    self.bodies.append(req[2])
                if not self._act(conn, self._behaviour(req[1]), req[2]):
                    return

    def _hold(self, seconds=None):
        end = time.monotonic() + seconds if seconds else None
        while not self._stop.is_set() and (end is None or
                                            time.monotonic() < end):
            time.sleep(0.05)

    def _count(self, how):
        """How many requests how answered before this one."""
        with self._lock:
            n = self._seen.get(how, 0)
            self._seen[how] = n + 1
        return n

    def _stateful(self, how, body):
        """The behaviours that depend on the request or on the past, as
        the plain one to answer with."""
        if how == "token_once":
            return "token" if self._count(how) == 0 else "unavailable"
        if how == "strict_token":
            fields = set(urllib.parse.parse_qs(body.decode("latin-1")))
            return "token" if fields == {"username", "password"} else \
                "refuse422"
        if how.startswith("pending_or_401:"):
            return "expired" if how[15:].encode() in body else "pending"
        return how

    def _act(self, conn, how, body=b""):
        """Answers one request; False when the connection is done."""
        json_ct = "application/json"
        how = self._stateful(how, body)
        if how == "hang":
            self._hold()
            return False
        if how == "drip":
            for b in _answer("200 OK", json_ct, PENDING):
                if self._stop.is_set():
                    return False
                try:
                    conn.sendall(bytes([b]))
                except OSError:
                    return False
                self._hold(1.0)
            return False
        if how == "slow_token":
            self._hold(1.0)
            how = "token"
        bodies = {
            "token": ("200 OK", json_ct, TOKEN_BODY),
            "big": ("200 OK", json_ct,
                    b'{"status":"Pending","pad":"' + b"x" * (2 << 20) + b'"}'),
            "malformed": ("200 OK", json_ct, PENDING[:40]),
            "html": ("200 OK", "text/html",
                     b"<html><body>Please log in to the portal</body></html>"),
            "garbage": ("200 OK", json_ct, b"garbage"),
            "notoken": ("200 OK", json_ct, b'{"token":5,"expiration":60}'),
            "pending": ("200 OK", json_ct, PENDING),
            "fat": ("200 OK", json_ct, FAT),
            "crlf_token": ("200 OK", json_ct, CRLF_TOKEN),
            "unavailable": ("503 Service Unavailable", json_ct,
                            b'{"detail":"Service Unavailable"}'),
            "sig401": ("401 Unauthorized", json_ct,
                       b'{"detail":"X-Signature invalid."}'),
            "expired": ("401 Unauthorized", json_ct,
                        b'{"detail":"Token expired."}'),
            "refuse422": ("422 Unprocessable Entity", json_ct,
                          b'{"detail":"Unknown form field."}'),
            "bare500": ("500 Internal Server Error", json_ct, b""),
            "oem_error": ("200 OK", json_ct, PENDING.replace(
                b'"Pending"', b'"Error","detail":"Failed to send command '
                b'to the OEM."')),
        }
        if how.startswith("redirect:"):
            status, ctype, body = "302 Found", "text/plain", b"moved"
            head = ("HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Type: "
                    "text/plain\r\nContent-Length: 5\r\n\r\n" % how[9:])
            payload = head.encode() + body
        elif how == "ratelimit_huge":
            payload = _answer("429 Too Many Requests", json_ct,
                              b'{"detail":"Too Many Requests"}').replace(
                b"\r\n\r\n", b"\r\nRetry-After: 99999999999999999999"
                b"\r\n\r\n", 1)
        else:
            payload = _answer(*bodies[how])
        try:
            conn.sendall(payload)
        except OSError:
            return False
        return True
