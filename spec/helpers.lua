-- Helpers shared by the specs: Node's mustCall/mustNotCall, a run() bounded
-- by a watchdog that also checks that nothing was left open, and a Node.js
-- peer launcher.
local dgram = require "dgram"
local core = require "dgram.core"

local M = {}

-- Where the module under test was built: build, or build/san for ASan.
M.build = os.getenv("DGRAM_BUILD") or "build"

local expectations = {}

-- mustCall(fn, n): fn must be called exactly n times (default 1) by the
-- time M.run() returns.
function M.mustCall(fn, n, where)
  local e = { expected = n or 1, actual = 0, where = where or debug.traceback("", 2) }
  expectations[#expectations + 1] = e
  return function(...)
    e.actual = e.actual + 1
    if fn then
      return fn(...)
    end
  end
end

-- mustCallAtLeast(fn, n)
function M.mustCallAtLeast(fn, n)
  local e = { atLeast = n or 1, actual = 0, where = debug.traceback("", 2) }
  expectations[#expectations + 1] = e
  return function(...)
    e.actual = e.actual + 1
    if fn then
      return fn(...)
    end
  end
end

function M.mustNotCall(msg)
  local where = debug.traceback("", 2)
  return function()
    error("function should not have been called: " .. (msg or "") .. where, 2)
  end
end

-- mustSucceed(fn): a callback(err, ...) whose err must be nil.
function M.mustSucceed(fn, n)
  return M.mustCall(function(err, ...)
    if err ~= nil then
      error("expected success, got " .. tostring(err), 2)
    end
    if fn then
      return fn(...)
    end
  end, n)
end

local function checkExpectations()
  local list = expectations
  expectations = {}
  for _, e in ipairs(list) do
    if e.atLeast then
      assert(e.actual >= e.atLeast, ("expected at least %d calls, got %d%s"):format(e.atLeast, e.actual, e.where))
    else
      assert(e.actual == e.expected, ("expected %d calls, got %d%s"):format(e.expected, e.actual, e.where))
    end
  end
end

-- A bound in time is a safety net, not a measure: under valgrind (which
-- tools/runspecs.lua gives ten times as long per file too) it stretches.
M.SLOWDOWN = os.getenv("VALGRIND") == "1" and 10 or 1

-- Runs the loop until nothing is left, failing if it takes longer than
-- `ms` (default 5000; times M.SLOWDOWN); then checks every mustCall and
-- that no socket or timer is left open.
function M.run(ms)
  ms = (ms or 5000) * M.SLOWDOWN
  local timedOut = false
  local watchdog = dgram.setTimeout(function()
    timedOut = true
    dgram.stop()
  end, ms)
  watchdog:unref()
  local ok, err = pcall(dgram.run)
  dgram.clearTimeout(watchdog)
  if not ok or timedOut then
    -- Leave nothing open for the next spec, then fail.
    expectations = {}
    core.close_all()
    pcall(dgram.run, "nowait")
    assert(ok, err)
    error(("the loop was still busy after %d ms"):format(ms), 0)
  end
  checkExpectations()
  M.checkNoHandles()
end

-- No socket with an OS socket and no started timer may outlive a test.
function M.checkNoHandles()
  collectgarbage()
  collectgarbage()
  dgram.run("nowait")
  local _, active = core.open_handles()
  assert(active == 0, ("%d handles left open"):format(active))
end

-- Discards pending expectations (for a test that fails on purpose).
function M.reset()
  expectations = {}
end

-- Runs a shell command and returns its output, success and exit code.
-- Tools (make, luarocks, node) run without the sanitizer preload of
-- `make test SANITIZE=1`; `keepPreload` keeps it for our own processes
-- (lua5.4 or a host that loads the module).
function M.sh(cmd, keepPreload)
  local p = io.popen((keepPreload and "" or "env -u LD_PRELOAD ") .. cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok, code
end

-- Runs a Lua chunk in a child lua5.4 with the module on its paths.
function M.lua(source, env)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(source)
  f:close()
  local out, ok, code = M.sh(('%s LUA_PATH="./lua/?.lua;./spec/?.lua;;" LUA_CPATH="./%s/?.so;;" '
    .. 'timeout 60 lua5.4 %s'):format(env or "", M.build, path), true)
  os.remove(path)
  return out, ok, code
end

-- Starts `node -e source arg...` in the background. Returns an object with
-- :wait() -> output, ok (blocks until node exits; bound by `timeout`).
function M.node(source, ...)
  local args = {}
  for i, a in ipairs({ ... }) do
    args[i] = "'" .. tostring(a):gsub("'", "'\\''") .. "'"
  end
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(source)
  f:close()
  local p = assert(io.popen(("env -u LD_PRELOAD timeout 20 node %s %s 2>&1"):format(path, table.concat(args, " "))))
  return {
    wait = function()
      local out = p:read("a")
      local ok = p:close()
      os.remove(path)
      return out, ok
    end,
  }
end

return M
