"""The report printed at the end and saved as out/last-run.md, with every
raw result line in out/last-run.log."""
import os
import time

from .bulk import bulk_table
from .config import (BULK_SIZE, CG_BIG, CG_SMALL, DUR, NODE_DUR, NODE_ROUNDS, OTHER_MAX,
                     OUT, REUSE_CONNS, ROUNDS, WARM)
from .reuseport import reuseport_table


def machine():
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f
                          if l.startswith("model name")), "?")
    except OSError:
        model = "?"
    return "%d CPUs, %s, Linux %s" % (os.cpu_count() or 0, model, os.uname().release)


def compose(state, started, only_node, impls, echo_sink, instr, bulk, reuse, node_table):
    """The report's text. echo_sink and node_table are rendered tables (None
    when not run); instr, bulk and reuse are their sections' results."""
    stamp = time.strftime("%Y-%m-%d %H:%M")
    report = ["# dgram benchmarks, %s" % stamp, "machine: %s" % machine()]
    if not only_node:
        report += ["rounds: %d × %.2g s (+%.2g s warm-up) per cell" % (ROUNDS, DUR, WARM),
                   "implementations: " + (", ".join("%s (%s)" % (i.key, i.name)
                                                    for i in impls) or "none")]
    if node_table:
        report.append("Node benchmarks: %d × %.2g s per row" % (NODE_ROUNDS, NODE_DUR))
    report.append("")
    if echo_sink:
        report += [echo_sink, "",
                   "msg/s: median over rounds (echo: replies/s; sink: datagrams the "
                   "sink counted per second); spread: ±half the range, % of the median;",
                   "p50/p99: round-trip time seen by the client; CPU: server user+system "
                   "time per datagram; × raw C / × C mmsg / × Node: median of per-round "
                   "ratios;",
                   "sink loss: share of the flood the sink missed (median); near 0 the "
                   "sink kept up and msg/s is the sender's limit;",
                   "other load: cores kept busy by other processes during the cell "
                   "(median); cells above %.2g were measured again (%d retries)."
                   % (OTHER_MAX, state.retried),
                   ("instr/dgram: callgrind, user space, echo 64 B W=8, (%d − %d datagrams) "
                    "difference." % (CG_BIG, CG_SMALL)) if instr else
                   "instr/dgram: not measured (callgrind skipped).", ""]
    if bulk:
        report += ["Bulk I/O, %d B datagrams (bulk send: what one C recvmmsg sink counts "
                   "from each sender; gro sink: what each sink counts from a UDP_SEGMENT "
                   "sender):" % BULK_SIZE, "", bulk_table(bulk), "",
                   "CPU: the sender's (bulk send) or the sink's (gro sink) user+system time "
                   "per datagram counted; × C baseline: per-round ratio to the first row of "
                   "the test;",
                   "sink loss: share of the sent datagrams the sink did not count (median); "
                   "lost in sink: sent − counted − dropped by the kernel at the sink's "
                   "socket (/proc/net/udp), worst round: must be 0.", ""]
    if reuse:
        report += ["reusePort: N echo processes share one port (SO_REUSEPORT), echo 64 B, "
                   "W=64 over %d client ports; %d CPUs:" % (REUSE_CONNS, os.cpu_count() or 1),
                   "", reuseport_table(reuse), "",
                   "× 1 process: per-round ratio to the same implementation with one "
                   "process; server CPU shares: each process's part of the servers' CPU "
                   "(last round).", ""]
    if node_table:
        report += ["Node's benchmark/dgram, next to the Lua ports (bench/node/):", "",
                   node_table, ""]
    if state.notes:
        report += ["notes:"] + ["- " + n for n in state.notes] + [""]
    report.append("total time: %.0f s" % (time.time() - started))
    return "\n".join(report)


def write_report(state, text):
    print(text)
    with open(os.path.join(OUT, "last-run.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(OUT, "last-run.log"), "w") as f:
        f.write("\n".join(state.log_lines) + "\n")
