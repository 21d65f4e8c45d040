"""The echo/sink servers under comparison, and which of them this machine
can run: a missing one is noted and left out, never a failure."""
import os
import shutil
import subprocess

from .config import BENCH_DIR, BUILD, LUA, LUA_ENV, MODULE_SO, NODE, ONLY_IMPLS
from .processes import probe


class Impl:
    def __init__(self, key, name, cmd, env=None, callgrind=False):
        self.key, self.name, self.cmd, self.env = key, name, cmd, env
        self.callgrind = callgrind
        self.servers = {}      # mode -> (Popen, port)
        self.dead = set()      # modes whose server died


def implementations(state):
    srv = os.path.join(BENCH_DIR, "servers")
    cand = []
    raw = os.path.join(BUILD, "raw_uv")
    if os.access(raw, os.X_OK):
        cand.append(Impl("raw_uv", "raw C libuv", [raw], callgrind=True))
    else:
        state.note("raw_uv: %s is not built (run `make -C bench`)" % raw)

    mmsg = os.path.join(BUILD, "mmsg")
    if os.access(mmsg, os.X_OK):
        cand.append(Impl("c_mmsg", "blocking C recvmmsg/sendmmsg", [mmsg], callgrind=True))
    else:
        state.note("c_mmsg: %s is not built (run `make -C bench`)" % mmsg)

    if not os.path.exists(MODULE_SO):
        state.note("dgram: build/dgram/core.so does not exist yet (run `make`): skipped")
    else:
        ok, why = probe([LUA, "-e", 'require "dgram"'], LUA_ENV)
        if ok:
            cand.append(Impl("dgram", "dgram (this module)",
                             [LUA, os.path.join(srv, "dgram_echo.lua")],
                             LUA_ENV, callgrind=True))
            cand.append(Impl("dgram_coro", "dgram, sock:receive() in a coroutine",
                             [LUA, os.path.join(srv, "dgram_coro_echo.lua")],
                             LUA_ENV, callgrind=True))
        else:
            state.note("dgram: the module does not load (%s): skipped" % why)

    ok, why = probe([LUA, "-e", 'require "luv"'])
    if ok:
        cand.append(Impl("luv", "luv", [LUA, os.path.join(srv, "luv_echo.lua")],
                         callgrind=True))
    else:
        state.note("luv: not loadable in %s (Debian lua-luv provides lua5.4-luv; "
                   "apt-get install lua-luv): skipped" % LUA)

    if shutil.which(NODE):
        cand.append(Impl("node", "Node.js " + node_version(),
                         [NODE, os.path.join(srv, "node_echo.js")]))
    else:
        state.note("node: not on PATH: skipped")

    ok, why = probe([LUA, "-e", 'require "socket"'])
    if ok:
        cand.append(Impl("socket", "LuaSocket (blocking)",
                         [LUA, os.path.join(srv, "socket_echo.lua")],
                         callgrind=True))
    else:
        state.note("socket: LuaSocket not loadable (apt-get install lua-socket): skipped")

    if ONLY_IMPLS:
        cand = [i for i in cand if i.key in ONLY_IMPLS]
    return cand


def dgram_usable(impls):
    """Can the bulk tests and the Node ports use the module?"""
    return any(i.key == "dgram" for i in impls) or (
        not ONLY_IMPLS and os.path.exists(MODULE_SO)
        and probe([LUA, "-e", 'require "dgram"'], LUA_ENV)[0])


def node_version():
    try:
        return subprocess.run([NODE, "--version"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except Exception:
        return "?"
