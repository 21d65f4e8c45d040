"""Child processes: probing a command, starting a server and reading its
port, stopping processes. Every process goes through spawn() so that the
driver can end it on exit, on error too."""
import os
import select
import signal
import subprocess
import time

from .config import OUT


def _die_with_parent():
    """In the child: get SIGTERM when this driver dies, even by SIGKILL."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def spawn(state, cmd, **kw):
    p = subprocess.Popen(cmd, preexec_fn=_die_with_parent, **kw)
    state.children.append(p)
    return p


def stop(p, grace=2.0):
    if p.poll() is None:
        try:
            p.terminate()
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
        except ProcessLookupError:
            pass


def stop_all(children):
    for p in children:
        try:
            stop(p)
        except Exception:
            pass


def probe(cmd, env=None):
    """Does a command run and exit 0? Returns (ok, first line of stderr)."""
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True,
                           timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    err = (r.stderr or r.stdout or "").strip().splitlines()
    return r.returncode == 0, (err[0] if err else "exit %d" % r.returncode)


def read_port(p, timeout):
    """The first stdout line of a server is its port."""
    deadline = time.time() + timeout
    buf = b""
    while time.time() < deadline:
        if p.poll() is not None:
            return None
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            chunk = os.read(p.stdout.fileno(), 256)
            if not chunk:
                return None
            buf += chunk
            if b"\n" in buf:
                line = buf.split(b"\n", 1)[0].strip()
                return int(line) if line.isdigit() else None
    return None


def start_server(state, impl, mode, extra_prefix=None, maxcount=0, timeout=15, tag=None,
                 port=0, flags=""):
    cmd = (extra_prefix or []) + impl.cmd + [str(port), mode, str(maxcount),
                                             str(state.server_lifetime), flags]
    errlog = open(os.path.join(OUT, "%s-%s.stderr" % (impl.key, tag or mode)), "ab")
    p = spawn(state, cmd, stdout=subprocess.PIPE, stderr=errlog, env=impl.env,
              stdin=subprocess.DEVNULL)
    errlog.close()
    port = read_port(p, timeout)
    if port is None:
        stop(p)
        return None, None
    return p, port
