"""Section 1: echo 64 B and 1400 B, ping-pong and the sink flood. Each
implementation's servers run for the whole matrix and the load generator
visits them in rotating order, round after round, so that every round
compares them under the same machine conditions."""
import sys

from .config import DUR, ROUNDS, SCENARIOS, WARM
from .loadgen import loadgen, retrying
from .processes import start_server, stop
from .tables import fmt, fmt_rate, med, ratio, render


def start_servers(state, impls):
    for impl in impls:
        for mode in ("echo", "sink"):
            p, port = start_server(state, impl, mode)
            if p is None:
                state.note("%s: %s server did not start (see bench/out/%s-%s.stderr)"
                           % (impl.key, mode, impl.key, mode))
                impl.dead.add(mode)
            else:
                impl.servers[mode] = (p, port)


def measure(state, impl, scen, round_no):
    key, label, mode, size, window = scen
    smode = "sink" if mode == "flood" else "echo"
    if smode in impl.dead:
        return None
    p, port = impl.servers[smode]
    if p.poll() is not None:
        impl.dead.add(smode)
        state.note("%s: its %s server exited (code %s): no more %s measurements"
                   % (impl.key, smode, p.returncode, smode))
        return None
    args = [mode, "-P", str(port), "-s", str(size), "-t", str(DUR),
            "-W", str(WARM), "-p", str(p.pid), "-l", impl.key]
    if mode == "echo":
        args += ["-w", str(window)]
    res = retrying(state, lambda: loadgen(state, args, DUR + WARM + 40))
    if "error" in res:
        state.note("%s, %s: loadgen error %s" % (impl.key, label, res["error"]))
        if res["error"] in ("refused", "no_reply", "no_stat") or p.poll() is not None:
            impl.dead.add(smode)
        return None
    if res.get("lost"):
        state.note("%s, %s, round %d: %d datagrams lost (each loss stalls the window "
                   "for 0.2 s)" % (impl.key, label, round_no + 1, res["lost"]))
    if res.get("bad"):
        state.note("%s, %s: %d replies of the wrong size or content"
                   % (impl.key, label, res["bad"]))
    return res


def run_echo_sink(state, impls):
    """The implementations whose servers started, and {scenario key: {round:
    {impl key: result}}}."""
    start_servers(state, impls)
    impls = [i for i in impls if len(i.dead) < 2]
    results = {s[0]: {} for s in SCENARIOS}
    for r in range(ROUNDS):
        for scen in SCENARIOS:
            n = len(impls)
            order = [impls[(j + r) % n] for j in range(n)] if n else []
            for impl in order:
                print("round %d/%d: %-20s %s" % (r + 1, ROUNDS, scen[1], impl.key),
                      file=sys.stderr, flush=True)
                res = measure(state, impl, scen, r)
                if res:
                    results[scen[0]].setdefault(r, {})[impl.key] = res
    for impl in impls:
        for p, _ in impl.servers.values():
            stop(p)
    return impls, results


def echo_sink_table(impls, results, instr):
    hdr = ["scenario", "implementation", "msg/s", "spread", "p50 µs", "p99 µs",
           "CPU µs/msg", "× raw C", "× C mmsg", "× Node", "instr/dgram", "sink loss",
           "other load"]
    rows = []
    for scen in SCENARIOS:
        key = scen[0]
        for impl in impls:
            runs = [by[impl.key] for by in results[key].values() if impl.key in by]
            if not runs:
                rows.append([scen[1], impl.key, "–"] + [""] * 10)
                continue
            mps = [x["mps"] for x in runs]
            m = med(mps)
            spread = (max(mps) - min(mps)) / 2 / m * 100 if m else 0
            p50 = med([x["p50_us"] for x in runs if "p50_us" in x])
            p99 = med([x["p99_us"] for x in runs if "p99_us" in x])
            cpu = med([x["cpu_us_per_msg"] for x in runs if "cpu_us_per_msg" in x])
            rraw = ratio(results, key, impl.key, "raw_uv")
            rnode = ratio(results, key, impl.key, "node")
            rmmsg = ratio(results, key, impl.key, "c_mmsg")
            n = "" if len(runs) == ROUNDS else " (%d/%d)" % (len(runs), ROUNDS)
            ins = instr.get(impl.key) if key == "echo64" else None
            loss = med([x["loss_pct"] for x in runs if "loss_pct" in x])
            other = med([x["other_cores"] for x in runs if "other_cores" in x])
            if other is not None:
                other = max(other, 0.0) + 0.0   # tick sampling can dip below 0
            rows.append([scen[1], impl.key, fmt_rate(m) + n, "±%.0f%%" % spread,
                         fmt(p50, "%.0f") if key != "sink" else "",
                         fmt(p99, "%.0f") if key != "sink" else "",
                         fmt(cpu, "%.2f"), fmt(rraw, "%.2f×"), fmt(rmmsg, "%.2f×"),
                         fmt(rnode, "%.2f×"),
                         fmt(ins, "%.0f") if ins else "",
                         fmt(loss, "%.0f%%") if key == "sink" else "",
                         fmt(other, "%.2f")])
    return render(hdr, rows)
