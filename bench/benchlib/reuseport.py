"""Section 3, reusePort: 1..N echo processes on one port (N = CPUs),
throughput for each N."""
import os
import sys

from .config import DUR, REUSE_CONNS, ROUNDS, SKIP, WARM
from .loadgen import loadgen, retrying
from .processes import start_server, stop
from .tables import fmt, fmt_rate, med, render

# the implementations that can set SO_REUSEPORT
REUSEPORT_IMPLS = ("raw_uv", "c_mmsg", "dgram")


def process_counts():
    n = os.cpu_count() or 1
    counts = [c for c in (1, 2, 4, 8, 16, 32, 64) if c < n]
    return counts + [n]


def start_groups(state, impls):
    """For each implementation and process count, that many servers on one
    port: [(impl, n, processes, port)]; a group that did not fully start is
    left out."""
    groups = []
    for impl in impls:
        for n in process_counts():
            procs, port = [], 0
            for _ in range(n):
                p, port = start_server(state, impl, "echo", port=port, flags="reuseport",
                                       tag="reuseport")
                if p is None:
                    state.note("reuseport %s: process %d of %d did not start (see "
                               "bench/out/%s-reuseport.stderr)" % (impl.key, len(procs) + 1,
                                                                  n, impl.key))
                    break
                procs.append(p)
            if len(procs) == n:
                groups.append((impl, n, procs, port))
            else:
                for p in procs:
                    stop(p)
    return groups


def run_reuseport(state, impls):
    """{(impl key, processes): {round: result}} for echo 64 B, W=64 over
    REUSE_CONNS source ports, N processes sharing one port."""
    if "reuseport" in SKIP:
        return None
    for i in impls:
        if i.key == "node":
            state.note("reuseport: no Node rows: Node 20 ignores reusePort (it came in 22.12)")
        elif i.key == "luv":
            state.note("reuseport: no luv rows: luv 1.44's bind sets SO_REUSEADDR, never "
                       "SO_REUSEPORT")
        elif i.key == "socket":
            state.note("reuseport: no LuaSocket rows: LuaSocket cannot set SO_REUSEPORT")
    groups = start_groups(state, [i for i in impls if i.key in REUSEPORT_IMPLS])
    results = {}
    for r in range(ROUNDS):
        order = [groups[(j + r) % len(groups)] for j in range(len(groups))] if groups else []
        for impl, n, procs, port in order:
            print("round %d/%d: reuseport %s × %d" % (r + 1, ROUNDS, impl.key, n),
                  file=sys.stderr, flush=True)
            if any(p.poll() is not None for p in procs):
                state.note("reuseport %s × %d: a server exited" % (impl.key, n))
                continue
            args = ["echo", "-P", str(port), "-s", "64", "-w", "64", "-c", str(REUSE_CONNS),
                    "-t", str(DUR), "-W", str(WARM), "-p", ",".join(str(p.pid) for p in procs),
                    "-l", "%s-reuseport%d" % (impl.key, n)]
            res = retrying(state, lambda: loadgen(state, args, DUR + WARM + 40))
            if "error" in res:
                state.note("reuseport %s × %d, round %d: %s"
                           % (impl.key, n, r + 1, res["error"]))
                continue
            results.setdefault((impl.key, n), {})[r] = res
    for _, _, procs, _ in groups:
        for p in procs:
            stop(p)
    return results


def reuseport_table(res):
    hdr = ["implementation", "processes", "msg/s", "spread", "× 1 process", "CPU µs/msg",
           "server CPU shares", "other load"]
    rows = []
    for key in REUSEPORT_IMPLS:
        for n in process_counts():
            runs = res.get((key, n))
            if not runs:
                continue
            mps = [x["mps"] for x in runs.values()]
            m = med(mps)
            one = res.get((key, 1), {})
            scale = med([runs[r]["mps"] / one[r]["mps"] for r in runs
                         if r in one and one[r].get("mps")])
            shares = [x["srv_cpu_share"] for x in runs.values() if "srv_cpu_share" in x]
            other = med([x["other_cores"] for x in runs.values() if "other_cores" in x])
            rows.append([key, str(n), fmt_rate(m),
                         "±%.0f%%" % ((max(mps) - min(mps)) / 2 / m * 100) if m else "",
                         fmt(scale, "%.2f×"),
                         fmt(med([x["cpu_us_per_msg"] for x in runs.values()
                                  if "cpu_us_per_msg" in x]), "%.2f"),
                         shares[-1] if shares else "",
                         fmt(None if other is None else max(other, 0.0) + 0.0, "%.2f")])
    return render(hdr, rows)
