#!/usr/bin/env python3
"""A TCP proxy in front of PostgreSQL's unix socket that can go silent.

    freeze_proxy.py SOCKET PORT_FILE FREEZE_FILE

Listens on a free loopback port (written to PORT_FILE) and relays each
connection to SOCKET. While FREEZE_FILE exists it relays nothing: the
connections stay open and the kernel acknowledges what clients send, but
no answer comes back, as with a hung server or pooler. A connection that
froze is never relayed again (its server side may be mid-answer); new
ones are relayed once FREEZE_FILE is gone.
"""
import os
import socket
import sys
import threading
import time


def frozen():
    return os.path.exists(sys.argv[3])


def pump(src, dst, state):
    while True:
        if frozen():
            state["frozen"] = True
        if state["frozen"]:
            time.sleep(0.05)
            continue
        src.settimeout(0.05)
        try:
            data = src.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return
        if not data:
            dst.close()
            return
        dst.sendall(data)


def main():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.getsockname()[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    while True:
        client, _ = server.accept()
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(sys.argv[1])
        state = {"frozen": False}
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=pump, args=(a, b, state),
                             daemon=True).start()


if __name__ == "__main__":
    main()
