-- Out of memory at every step: spec/hardening/oom_host.c runs a script that
-- uses every kind of completion (bind, receive, echo with send callbacks,
-- connect through a look-up on the thread pool, timers raising errors, an
-- immediate, close) in a fresh lua_State per run, whose allocator fails
-- the k-th allocation and the retry after Lua's emergency collection (or,
-- persistent, every allocation from the k-th on), for k over every
-- allocation the script makes. The module must answer with Lua errors
-- only: no crash (a Lua panic aborts), no error unwinding through libuv, no
-- handle left on the host's loop, no descriptor left open, and under ASan
-- no leak. SOAK=1: every k in both modes (quick: every k, then every 4th).
local h = require "helpers"
local support = require "hardening.support"

local PERSISTENT_STEP = support.size("HARDEN_OOM_PERSISTENT_STEP", 4, 1)

local function build()
  local bin = h.build .. "/oom_host"
  local san = h.sanitized and "-fsanitize=address,undefined " or ""
  local out, ok = h.sh(("cc -std=gnu99 -O1 -g %s-Isrc $(pkg-config --cflags %s libuv) -o %s "
    .. "spec/hardening/oom_host.c %s/dgram/core.so -Wl,-rpath,'$ORIGIN/dgram' "
    .. "$(pkg-config --libs %s libuv)"):format(san, h.LUA, bin, h.build, h.LUA))
  assert(ok, out)
  return bin
end

local function run(bin, step, mode)
  local out, ok = h.sh(('LUA_PATH="./lua/?.lua;;" LUA_CPATH="./%s/?.so;;" timeout 300 %s %d %s')
    :format(h.build, bin, step, mode), true)
  assert(ok, out)
  local total, states, raised, completed, fds0, fds1 =
    out:match("allocations (%d+) states (%d+) raised (%d+) completed (%d+) fds (%d+) (%d+)")
  assert(total, out)
  total, states, raised, completed = tonumber(total), tonumber(states), tonumber(raised), tonumber(completed)
  -- every k was tried, and failures did reach the script as errors
  assert.equal(math.floor((total - 1) / step) + 1, states)
  assert.equal(states, raised + completed)
  assert.is_true(raised > math.floor(states / 2), out)
  assert.equal(tonumber(fds0), tonumber(fds1))
  return { allocations = total, states = states, raised = raised, completed = completed }
end

describe("out of memory", function()
  local bin

  it("fails each allocation in turn (and the retry): only Lua errors", function()
    bin = build()
    support.report("oom, one failure", run(bin, 1, "burst"))
  end)

  it(("fails every allocation from the k-th on (every %d k): only Lua errors"):format(PERSISTENT_STEP), function()
    if _VERSION == "Lua 5.2" then
      -- 5.1, 5.3 and 5.4 call finalizers at lua_close with no memory left
      -- (a C host checked it); 5.2 needs a CallInfo for each and its
      -- collector keeps no spare one. The module's handles then stay on
      -- the host's loop, bound to the freed state (README: Every Lua).
      pending("Lua 5.2 runs no finalizer at lua_close once no memory is left")
      return
    end
    bin = bin or build()
    support.report("oom, from k on", run(bin, PERSISTENT_STEP, "persistent"))
  end)
end)
