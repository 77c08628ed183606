"""What the python test scripts need of their surroundings (stdlib only).

    from testenv import env_with, free_port, write

    conf = write(os.path.join(tmp, "mobway.conf"), text)   # mode 0600
    url = "http://127.0.0.1:%d/" % free_port()            # nobody listens
    subprocess.run([fleetcmd, ...], env=env_with())       # no module path
"""
import os
import socket


def env_with(extra=None):
    """This environment without FLEETMOD_MODULE_PATH, plus extra: a
    program under test finds only the modules the test names."""
    env = dict(os.environ)
    env.pop("FLEETMOD_MODULE_PATH", None)
    env.update(extra or {})
    return env


def write(path, text, mode=0o600):
    """Writes text to path, sets mode (private unless told), returns
    path. Private by default because the files the tests write hold
    secrets, which the modules refuse to read from a file others can."""
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def free_port():
    """A loopback port nothing listens on (bound, then closed): for a
    server a test starts later, or for a peer that must be unreachable."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
