"""results/ratios.svg, results/bulk.svg and results/reuseport.svg: data
files under out/, drawn by gnuplot with charts.gp."""
import os
import shutil
import subprocess

from .config import BENCH_DIR, BULK_SIZE, OUT, RESULTS, SCENARIOS, SKIP
from .reuseport import REUSEPORT_IMPLS, process_counts
from .tables import med, ratio


def write_ratios(impls, results):
    """Each implementation's throughput over raw C libuv's, per scenario."""
    keys = [i.key for i in impls]
    with open(os.path.join(OUT, "ratios.dat"), "w") as f:
        f.write("scenario " + " ".join(keys) + "\n")
        for scen in SCENARIOS:
            vals = [ratio(results, scen[0], k, "raw_uv") for k in keys]
            f.write('"%s" ' % scen[1] + " ".join("?" if v is None else "%.3f" % v
                                                 for v in vals) + "\n")
    return keys


def write_bulk(bulk):
    """Each bulk row's throughput over the first row of its test."""
    with open(os.path.join(OUT, "bulk.dat"), "w") as f:
        f.write("row ratio\n")
        if bulk:
            senders, sinks, bres = bulk
            for test, label, members in (("send", "bulk send", senders),
                                         ("gro", "gro sink", sinks)):
                for b in members:
                    v = ratio(bres, test, b.key, members[0].key)
                    f.write('"%s: %s" %s\n' % (label, b.key, "?" if v is None else "%.3f" % v))


def write_reuseport(reuse):
    """Median echo throughput per process count, a column per implementation."""
    rkeys = [k for k in REUSEPORT_IMPLS if any(k == a for a, _ in reuse or {})]
    with open(os.path.join(OUT, "reuseport.dat"), "w") as f:
        f.write("processes " + " ".join(rkeys) + "\n")
        for n in process_counts():
            vals = [med([x["mps"] for x in (reuse or {}).get((k, n), {}).values()])
                    for k in rkeys]
            f.write("%d " % n + " ".join("?" if v is None else "%.0f" % v for v in vals) + "\n")
    return rkeys


def draw_charts(state, impls, results, bulk, reuse):
    if "chart" in SKIP:
        return
    if not shutil.which("gnuplot"):
        state.note("chart: gnuplot not installed (apt-get install gnuplot-nox): no SVG")
        return
    keys = write_ratios(impls, results)
    write_bulk(bulk)
    rkeys = write_reuseport(reuse)
    os.makedirs(RESULTS, exist_ok=True)
    cmd = ["gnuplot", "-e", "data='%s'; out='%s'; nratios=%d; nreuse=%d; cpus=%d; bulksize=%d"
           % (OUT, RESULTS, len(keys), len(rkeys), os.cpu_count() or 1, BULK_SIZE),
           os.path.join(BENCH_DIR, "charts.gp")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        state.note("chart: gnuplot failed: %s" % (r.stderr.strip().splitlines() or ["?"])[-1])
