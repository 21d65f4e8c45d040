"""Section 2, bulk I/O: a Lua sender with sendMany against C senders
(sendmmsg, and UDP_SEGMENT), all counted by one C recvmmsg sink; a Lua sink
with gro = true against a C recvmmsg sink, both fed by a segmenting sender."""
import os
import subprocess
import sys

from .config import (BENCH_DIR, BUILD, BULK_SIZE, DUR, LOADGEN, LUA, LUA_ENV, ONLY_IMPLS,
                     OUT, ROUNDS, SKIP, WARM)
from .implementations import Impl
from .loadgen import loadgen, retrying
from .processes import probe, spawn, start_server, stop
from .tables import fmt, fmt_rate, med, ratio, render


def batch_io_missing():
    """Why this module's Batch I/O (sendMany, gro) cannot be measured, or None."""
    ok, _ = probe([LUA, "-e", 'os.exit(require "dgram".createSocket("udp4").sendMany '
                   'and 0 or 77)'], LUA_ENV)
    return None if ok else "module lacks sendMany"


class Bulk:
    """One row of a bulk test: a sender (bulk send) or a sink (gro sink)."""
    def __init__(self, key, name, cmd, env=None, gro=False, missing=None):
        self.key, self.name, self.cmd, self.env = key, name, cmd, env
        self.gro, self.missing = gro, missing


def bulk_rows(have_dgram):
    """The senders of "bulk send" and the sinks of "gro sink"; the first of
    each list is the baseline of its ratio column."""
    missing = "module not built" if not have_dgram else batch_io_missing()
    size = str(BULK_SIZE)

    def c_sender(key, extra):
        return lambda port, life: [LOADGEN, "flood", "-P", str(port), "-s", size, "-t",
                                   str(life), "-W", "0", "-l", key] + extra
    senders = [
        Bulk("c_sendmmsg", "C sendmmsg, 64 per call", c_sender("c_sendmmsg", [])),
        Bulk("c_gso", "C UDP_SEGMENT, 64 KB per call", c_sender("c_gso", ["-g"])),
        Bulk("dgram", "dgram sendMany, 64 per call",
             lambda port, life: [LUA, os.path.join(BENCH_DIR, "senders", "dgram_sendmany.lua"),
                                 str(port), size, str(life)], LUA_ENV, missing=missing),
    ]
    lua_sink = [LUA, os.path.join(BENCH_DIR, "servers", "dgram_echo.lua")]
    sinks = [
        Bulk("c_mmsg", "C recvmmsg", [os.path.join(BUILD, "mmsg")]),
        Bulk("dgram_gro", "dgram, gro = true", lua_sink, LUA_ENV, gro=True, missing=missing),
        Bulk("dgram", "dgram, no gro", lua_sink, LUA_ENV,
             missing=None if have_dgram else "module not built"),
    ]
    if ONLY_IMPLS:
        senders = [b for b in senders if b.key in ONLY_IMPLS or b.key.startswith("c_")]
        sinks = [b for b in sinks if b.key.split("_")[0] in ONLY_IMPLS or b.key == "c_mmsg"]
    return senders, sinks


def start_bulk_sink(state, b, flags):
    impl = Impl(b.key, b.name, b.cmd, b.env)
    p, port = start_server(state, impl, "sink", flags=flags, tag="bulk")
    if p is None:
        state.note("%s: the bulk sink did not start (see bench/out/%s-bulk.stderr)"
                   % (b.key, b.key))
    return p, port


def measure_send(state, b, sink_pid, sink_port):
    """A sender floods the C sink; loadgen watch counts what the sink takes in
    and the sender's CPU."""
    life = WARM + DUR + 15
    errlog = open(os.path.join(OUT, "%s-bulksend.stderr" % b.key), "ab")
    p = spawn(state, b.cmd(sink_port, life), stdout=subprocess.DEVNULL, stderr=errlog,
              env=b.env, stdin=subprocess.DEVNULL)
    errlog.close()
    args = ["watch", "-P", str(sink_port), "-s", str(BULK_SIZE), "-t", str(DUR),
            "-W", str(WARM + 0.1), "-p", str(p.pid), "-x", str(sink_pid), "-l", b.key]
    try:
        res = retrying(state, lambda: loadgen(state, args, DUR + WARM + 40))
        if p.poll() is not None:
            res = {"error": "sender exited (code %s)" % p.returncode}
    finally:
        stop(p)
    return res


def measure_gro(state, b, sink):
    p, port = sink
    args = ["flood", "-g", "-P", str(port), "-s", str(BULK_SIZE), "-t", str(DUR),
            "-W", str(WARM), "-p", str(p.pid), "-l", b.key]
    res = retrying(state, lambda: loadgen(state, args, DUR + WARM + 40))
    if "error" not in res and res.get("sink_drops") is not None:
        missed = res["sent"] - res["recv"]
        drops = res["sink_drops"]
        # a GRO socket's drop counter counts coalesced buffers, each a whole
        # segmented send; more drops than that allows means the kernel
        # counted datagrams: the socket did not coalesce
        if b.gro and missed - drops * res.get("gso_segs", 1) >= 0:
            res["sink_lost"] = missed - drops * res.get("gso_segs", 1)
        else:
            res["sink_lost"] = missed - drops
            if b.gro and drops:
                state.note("bulk gro %s: the kernel counted its drops per datagram: GRO "
                           "was not in effect on that socket" % b.key)
    return res


def run_bulk(state, have_dgram):
    """{"send": {round: {key: result}}, "gro": ...} and the rows measured."""
    if "bulk" in SKIP:
        return None
    if not os.access(os.path.join(BUILD, "mmsg"), os.X_OK):
        state.note("bulk: the C sink %s is not built (run `make -C bench`): skipped"
                   % os.path.join(BUILD, "mmsg"))
        return None
    senders, sinks = bulk_rows(have_dgram)
    results = {"send": {}, "gro": {}}
    for b in senders + sinks:
        if b.missing:
            state.note("bulk %s: n/a (%s)" % (b.key, b.missing))
    c_sink = start_bulk_sink(state, sinks[0], "bigbuf")
    gro_sinks = {}
    for b in sinks:
        if not b.missing:
            p, port = c_sink if b is sinks[0] else start_bulk_sink(
                state, b, "gro,bigbuf" if b.gro else "bigbuf")
            if p is not None:
                gro_sinks[b.key] = (p, port)
    live_senders = [b for b in senders if not b.missing] if c_sink[0] else []
    live_sinks = [b for b in sinks if b.key in gro_sinks]
    for r in range(ROUNDS):
        for test, rows in (("send", live_senders), ("gro", live_sinks)):
            order = [rows[(j + r) % len(rows)] for j in range(len(rows))] if rows else []
            for b in order:
                print("round %d/%d: bulk %-5s %s" % (r + 1, ROUNDS, test, b.key),
                      file=sys.stderr, flush=True)
                if test == "send":
                    res = measure_send(state, b, c_sink[0].pid, c_sink[1])
                else:
                    res = measure_gro(state, b, gro_sinks[b.key])
                if "error" in res:
                    state.note("bulk %s %s, round %d: %s" % (test, b.key, r + 1, res["error"]))
                    continue
                results[test].setdefault(r, {})[b.key] = res
    for p, _ in set(gro_sinks.values()) | {c_sink}:
        if p is not None:
            stop(p)
    return senders, sinks, results


def bulk_table(bulk):
    senders, sinks, results = bulk
    hdr = ["test", "implementation", "msg/s", "spread", "CPU µs/msg", "× C baseline",
           "sink loss", "lost in sink", "other load"]
    rows = []
    for test, label, members in (("send", "bulk send %d B" % BULK_SIZE, senders),
                                 ("gro", "gro sink %d B" % BULK_SIZE, sinks)):
        base = members[0].key
        for b in members:
            runs = [by[b.key] for by in results[test].values() if b.key in by]
            if b.missing or not runs:
                why = "n/a (%s)" % b.missing if b.missing else "–"
                rows.append([label, b.key, why] + [""] * 6)
                continue
            mps = [x["mps"] for x in runs]
            m = med(mps)
            lost = [x["sink_lost"] for x in runs if "sink_lost" in x]
            other = med([x["other_cores"] for x in runs if "other_cores" in x])
            rows.append([label, b.key, fmt_rate(m), "±%.0f%%" % ((max(mps) - min(mps)) / 2 / m * 100)
                         if m else "",
                         fmt(med([x["cpu_us_per_msg"] for x in runs if "cpu_us_per_msg" in x]),
                             "%.2f"),
                         fmt(ratio(results, test, b.key, base), "%.2f×"),
                         fmt(med([x["loss_pct"] for x in runs if "loss_pct" in x]), "%.0f%%"),
                         ("%d" % max(lost)) if lost else "",
                         fmt(None if other is None else max(other, 0.0) + 0.0, "%.2f")])
    return render(hdr, rows)
