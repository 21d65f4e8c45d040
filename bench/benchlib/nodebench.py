"""Section 5: Node's own benchmark/dgram, each file next to its Lua port
(bench/node/), alternating which goes first from round to round."""
import os
import shutil
import subprocess
import sys

from .config import BENCH_DIR, LUA, LUA_ENV, NODE, NODE_DUR, NODE_ROUNDS, SKIP
from .loadgen import parse_kv
from .tables import fmt, fmt_rate, med, render


def nodebench_configs():
    d = "dur=%g" % NODE_DUR
    return [
        ("single-buffer", ["len=64", "type=send", d]),
        ("single-buffer", ["len=64", "type=recv", d]),
        ("offset-length", ["len=64", "type=send", d]),
        ("offset-length", ["len=64", "type=recv", d]),
        ("multi-buffer", ["len=256", "chunks=4", "type=send", d]),
        ("multi-buffer", ["len=256", "chunks=4", "type=recv", d]),
        ("array-vs-concat", ["len=256", "chunks=4", "type=multi", d]),
        ("array-vs-concat", ["len=256", "chunks=4", "type=concat", d]),
        ("bind-params", ["port=true", "address=true"]),
        ("bind-params", ["port=true", "address=false"]),
        ("bind-params", ["port=false", "address=false"]),
        ("get-send-queue-info", ["method=size"]),
        ("get-send-queue-info", ["method=count"]),
    ]


def run_nodebench(state, have_dgram):
    if "nodebench" in SKIP:
        return None
    nd = os.path.join(BENCH_DIR, "node")
    runners = []
    if shutil.which(NODE):
        runners.append(("node", lambda f: [NODE, os.path.join(nd, f + ".js")], None))
    else:
        state.note("nodebench: node not on PATH: Node's side skipped")
    if have_dgram:
        runners.append(("lua", lambda f: [LUA, os.path.join(nd, f + ".lua")], LUA_ENV))
    else:
        state.note("nodebench: the dgram module is not available: Lua side skipped")
    if not runners:
        return None
    res = {}     # (name, params) -> impl -> [rates by round]
    for r in range(NODE_ROUNDS):
        for name, params in nodebench_configs():
            order = runners if r % 2 == 0 else runners[::-1]
            for impl, mk, env in order:
                print("nodebench round %d/%d: %s %s %s" % (r + 1, NODE_ROUNDS, impl, name,
                      " ".join(params)), file=sys.stderr, flush=True)
                try:
                    p = subprocess.run(mk(name) + params, env=env, capture_output=True,
                                       text=True, timeout=90, stdin=subprocess.DEVNULL)
                    out, err, code = p.stdout, p.stderr, p.returncode
                except subprocess.TimeoutExpired:
                    out, err, code = "", "timeout", -1
                line = next((l for l in out.splitlines() if l.startswith("nodebench ")), None)
                k = (name, " ".join(params))
                if line is None:
                    e = (err.strip().splitlines() or ["exit %d" % code])[0]
                    state.note("nodebench %s %s %s: failed (%s)" % (impl, name, k[1], e[:160]))
                    res.setdefault(k, {}).setdefault(impl + "_failed", True)
                    continue
                state.log_lines.append(line)
                kv = parse_kv(line)
                res.setdefault(k, {}).setdefault(impl, {})[r] = kv
    return res


def nodebench_table(res):
    hdr = ["benchmark", "params", "Node", "Lua (dgram)", "Lua/Node", "unit"]
    rows = []
    for name, params in nodebench_configs():
        k = (name, " ".join(params))
        by = res.get(k, {})
        node, lua = by.get("node", {}), by.get("lua", {})
        pr = " ".join(p for p in params if not p.startswith("dur="))
        rat = med([lua[r]["rate"] / node[r]["rate"] for r in lua
                   if r in node and node[r].get("rate")])
        unit = "msg/s" if name not in ("bind-params", "get-send-queue-info") else "calls/s"
        rows.append([name, pr,
                     fmt_rate(med([x["rate"] for x in node.values()])) if node else
                     ("failed" if by.get("node_failed") else "–"),
                     fmt_rate(med([x["rate"] for x in lua.values()])) if lua else
                     ("failed" if by.get("lua_failed") else "–"),
                     fmt(rat, "%.2f×"), unit])
    return render(hdr, rows)
