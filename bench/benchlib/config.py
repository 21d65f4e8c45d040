"""Paths, the environment's knobs (see bench/README.md) and the fixed plan:
read once at start-up and never changed during a run."""
import os

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH_DIR)
BUILD = os.path.join(BENCH_DIR, "build")
OUT = os.path.join(BENCH_DIR, "out")
RESULTS = os.path.join(BENCH_DIR, "results")     # the charts the README shows
LOADGEN = os.path.join(BUILD, "loadgen")
LUA = os.environ.get("LUA", "lua5.4")
NODE = os.environ.get("NODE", "node")


def env_num(name, default, cast=float):
    v = os.environ.get(name)
    return cast(v) if v not in (None, "") else default


QUICK = os.environ.get("QUICK", "") not in ("", "0")
# Many short interleaved cells beat a few long ones on a noisy machine: the
# median of per-round ratios shrugs off a burst of load elsewhere.
ROUNDS = env_num("ROUNDS", 2 if QUICK else 7, int)
DUR = env_num("DUR", 0.5 if QUICK else 1.0)           # measured seconds
WARM = env_num("WARM", 0.15)                          # warm-up seconds
NODE_ROUNDS = env_num("NODE_ROUNDS", 1 if QUICK else 3, int)
NODE_DUR = env_num("NODE_DUR", 0.5 if QUICK else 1.0)
CG_SMALL = env_num("CG_SMALL", 500 if QUICK else 1000, int)
CG_BIG = env_num("CG_BIG", 5000 if QUICK else 20000, int)
# A cell during which other processes kept more than OTHER_MAX cores busy is
# measured again (up to RETRIES times, within a total budget); the attempt
# with the least outside load is kept.
OTHER_MAX = env_num("OTHER_MAX", 0.3)
RETRIES = env_num("RETRIES", 0 if QUICK else 2, int)
SKIP = set(filter(None, os.environ.get("SKIP", "").split(",")))
ONLY_IMPLS = set(filter(None, os.environ.get("IMPLS", "").split(",")))

# where the module's lua/ and build/ are: this checkout unless DGRAM_ROOT says
# otherwise (to compare another build of the module)
MODROOT = os.path.abspath(os.environ.get("DGRAM_ROOT") or ROOT)
MODULE_SO = os.path.join(MODROOT, "build", "dgram", "core.so")
LUA_ENV = dict(os.environ)
LUA_ENV["LUA_PATH"] = "%s/lua/?.lua;%s/lua/?/init.lua;;" % (MODROOT, MODROOT)
LUA_ENV["LUA_CPATH"] = "%s/build/?.so;;" % MODROOT

SCENARIOS = [
    # key, label, loadgen mode, size, window
    ("echo64", "echo 64 B, W=64", "echo", 64, 64),
    ("echo1400", "echo 1400 B, W=64", "echo", 1400, 64),
    ("ping", "ping-pong 64 B, W=1", "echo", 64, 1),
    ("sink", "sink flood 64 B", "flood", 64, 0),
]
BULK_SIZE = 1400
REUSE_CONNS = 16     # client sockets (source ports) the kernel hashes over
