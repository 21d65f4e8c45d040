"""Section 4: instructions per echoed datagram under callgrind, user space
only: the difference of two runs of different lengths cancels start-up and
shut-down."""
import os
import shutil
import subprocess
import sys
import tempfile

from .config import CG_BIG, CG_SMALL, OUT, SKIP
from .loadgen import loadgen
from .processes import start_server, stop


def callgrind_total(path):
    total = None
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or (total is None and line.startswith("summary:")):
                total = int(line.split()[1])
    return total


def callgrind_one(state, impl, count, keep=False):
    """User-space instructions of a server that echoes `count` datagrams and
    exits, start-up and shut-down included. keep: leave the profile as
    out/callgrind-<impl>.out (for callgrind_annotate)."""
    if keep:
        out = os.path.join(OUT, "callgrind-%s.out" % impl.key)
    else:
        fd, out = tempfile.mkstemp(prefix="cg-%s-" % impl.key, suffix=".out", dir=OUT)
        os.close(fd)
    pre = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    p, port = start_server(state, impl, "echo", pre, maxcount=count, timeout=120,
                           tag="callgrind")
    if p is None:
        if not keep and os.path.exists(out):
            os.unlink(out)
        return None, "server did not start under valgrind"
    # the server exits after exactly `count` datagrams (the probe included);
    # the client is allowed more, so a lost datagram cannot starve it
    loadgen(state, ["echo", "-P", str(port), "-s", "64", "-w", "8", "-n", str(2 * count),
                    "-t", "120", "-W", "0", "-L", "1", "-l", impl.key + "-cg"], 180)
    try:
        p.wait(120)
    except subprocess.TimeoutExpired:
        stop(p)
        return None, "server did not finish its %d datagrams" % count
    if p.returncode != 0:
        return None, "server exited with %s" % p.returncode
    try:
        total = callgrind_total(out)
    finally:
        if not keep:
            os.unlink(out)
    return total, None


def run_callgrind(state, impls):
    """{impl key: instructions per datagram}; empty when skipped."""
    res = {}
    if "callgrind" in SKIP:
        return res
    if not shutil.which("valgrind"):
        state.note("callgrind: valgrind not installed: skipped")
        return res
    for impl in impls:
        if not impl.callgrind:
            continue
        print("callgrind: %s ..." % impl.key, file=sys.stderr, flush=True)
        small, why = callgrind_one(state, impl, CG_SMALL)
        big, why2 = ((None, None) if small is None
                     else callgrind_one(state, impl, CG_BIG, keep=True))
        if small is None or big is None:
            state.note("callgrind %s: %s" % (impl.key, why or why2))
            continue
        res[impl.key] = (big - small) / (CG_BIG - CG_SMALL)
        state.log_lines.append("callgrind impl=%s small=%d:%d big=%d:%d instr_per_dgram=%.0f"
                               % (impl.key, CG_SMALL, small, CG_BIG, big, res[impl.key]))
    return res
