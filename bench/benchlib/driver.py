"""The order of a run: find the implementations, plan the time limits, run
the sections, write the report; and end every process started, whatever
happens."""
import os
import signal
import sys
import time

from .bulk import run_bulk
from .callgrind import run_callgrind
from .charts import draw_charts
from .config import DUR, LOADGEN, OUT, RETRIES, ROUNDS, SCENARIOS, WARM
from .echo_sink import echo_sink_table, run_echo_sink
from .implementations import dgram_usable, implementations
from .nodebench import nodebench_table, run_nodebench
from .processes import stop_all
from .report import compose, write_report
from .reuseport import process_counts, run_reuseport
from .state import RunState


def clear_out():
    """Every server of a run appends to its stderr log, and cg-* are the
    profiles an interrupted run left: start without either."""
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".stderr") or f.startswith("cg-"):
            os.unlink(os.path.join(OUT, f))


def plan_limits(state, impl_count):
    # every cell is bounded by loadgen's own limits; give the servers the
    # whole plan plus a margin, and not a second more
    cells = ROUNDS * (len(SCENARIOS) * max(impl_count, 1) + 6 + 3 * len(process_counts()))
    state.retry_budget = 0.4 * cells * (DUR + WARM + 0.3)
    state.server_lifetime = int(cells * (DUR + WARM + 12) * (1 + RETRIES)) + 300


def main(state, argv):
    only_node = "--only-node" in argv
    clear_out()
    if not os.access(LOADGEN, os.X_OK):
        sys.exit("bench/run: %s is not built: run `make -C bench`" % LOADGEN)
    started = time.time()
    impls = implementations(state)
    have_dgram = dgram_usable(impls)
    print("implementations: " + ", ".join(i.key for i in impls), file=sys.stderr)

    echo_sink = instr = bulk = reuse = node_table = None
    plan_limits(state, len(impls))
    if not only_node:
        impls, results = run_echo_sink(state, impls)
        bulk = run_bulk(state, have_dgram)
        reuse = run_reuseport(state, impls)
        instr = run_callgrind(state, impls)
        echo_sink = echo_sink_table(impls, results, instr)
        draw_charts(state, impls, results, bulk, reuse)
    node_results = run_nodebench(state, have_dgram)
    if node_results is not None:
        node_table = nodebench_table(node_results)
    write_report(state, compose(state, started, only_node, impls, echo_sink, instr, bulk,
                                reuse, node_table))


def on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def run(argv):
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    state = RunState()
    try:
        main(state, argv)
    except KeyboardInterrupt as e:
        print("bench/run: interrupted (%s)" % e, file=sys.stderr)
        sys.exit(130)
    finally:
        stop_all(state.children)
