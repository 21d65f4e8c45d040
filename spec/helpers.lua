-- Helpers shared by the specs: Node's mustCall/mustNotCall, a run() bounded
-- by a watchdog that also checks that nothing was left open, a Node.js
-- peer launcher, and the small pieces several specs need (reading a file,
-- binding a server and its clients, numbered datagrams and their Adler-32).
local dgram = require "dgram"
local core = require "dgram.core"

local M = {}

-- Where the module under test was built: build, or build/san for ASan
-- (build/<interpreter>[/san] for another Lua than 5.4).
M.build = os.getenv("DGRAM_BUILD") or "build"

-- The interpreter under test (the Makefile's LUA): child processes run it,
-- and C hosts compile against it (its pkg-config name is the same).
M.LUA = os.getenv("LUA") or "lua5.4"

-- Whether the build under test is the sanitizer one (make test SANITIZE=1).
M.sanitized = M.build:match("/san$") ~= nil

-- Lua 5.1 turns the literal -0.0 into 0 (its constant table keeps one
-- zero): -0 is made at run time.
M.NEG_ZERO = -tonumber("0.0")

-- An integer as this Lua has them: of the integer subtype on 5.3+; on
-- 5.1, 5.2 and LuaJIT, where every number is a double, an integral one
-- other than -0.
function M.isInteger(v)
  if math.type then return math.type(v) == "integer" end
  return type(v) == "number" and v == math.floor(v) and v - v == 0 and not (v == 0 and 1 / v < 0)
end

-- U(...): UTF-8 text, each argument a code point (surrogates encoded as
-- 5.4's utf8.char does) or a string, e.g. U(0xA0, "12", 0xFEFF). Specs
-- write no "\u{A0}" nor "\xC2": Lua 5.1 reads them as "u{A0}" and "xC2".
function M.U(...)
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "string" then
      out[i] = v
    elseif v < 0x80 then
      out[i] = string.char(v)
    elseif v < 0x800 then
      out[i] = string.char(0xC0 + math.floor(v / 64), 0x80 + v % 64)
    elseif v < 0x10000 then
      out[i] = string.char(0xE0 + math.floor(v / 4096), 0x80 + math.floor(v / 64) % 64, 0x80 + v % 64)
    else
      out[i] = string.char(0xF0 + math.floor(v / 262144), 0x80 + math.floor(v / 4096) % 64,
        0x80 + math.floor(v / 64) % 64, 0x80 + v % 64)
    end
  end
  return table.concat(out)
end

-- The whole file at `path`; nil and io.open's message when it cannot be
-- opened (assert(h.readFile(path)) raises that message).
function M.readFile(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("*a")
  f:close()
  return s
end

-- Binds `server`, then each socket of `clients`, on `host`; once all are
-- bound, calls ready(port, clientPorts): the server's port, and the
-- clients' in the order of `clients`.
function M.bindServerAndClients(host, server, clients, ready)
  server:bind(0, host, function()
    local port, pending, clientPorts = server:address().port, #clients, {}
    for n, c in ipairs(clients) do
      c:bind(0, host, function()
        clientPorts[n] = c:address().port
        pending = pending - 1
        if pending == 0 then ready(port, clientPorts) end
      end)
    end
  end)
end

-- Datagram i of `size` bytes: "<i>" repeated, so that any two differ.
function M.numberedDatagram(i, size)
  local unit = ("<%d>"):format(i)
  return unit:rep(math.ceil(size / #unit)):sub(1, size)
end

-- The Adler-32 checksum of s, without bit operations (Lua 5.1 has none).
function M.adler32(s)
  local a, b = 1, 0
  for i = 1, #s do
    a = (a + s:byte(i)) % 65521
    b = (b + a) % 65521
  end
  return b * 65536 + a
end

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

-- Starts a shell command; :wait() returns its output, whether it exited
-- with status 0, and its exit status. Lua 5.1's close() of a pipe gives
-- no status, so the shell prints it after the output, on every Lua.
function M.pipe(cmd)
  local p = assert(io.popen("{ " .. cmd .. "\n}; printf '\\nspec_exit=%d' $?"))
  return {
    wait = function()
      local all = p:read("*a")
      p:close()
      local out, code = all:match("^(.*)\nspec_exit=(%d+)$")
      code = tonumber(code)
      return out or all, code == 0, code
    end,
  }
end

-- Runs a shell command and returns its output, success and exit code.
-- Tools (make, luarocks, node) run without the sanitizer preload of
-- `make test SANITIZE=1`; `keepPreload` keeps it for our own processes
-- (the Lua under test or a host that loads the module).
function M.sh(cmd, keepPreload)
  return M.pipe((keepPreload and "" or "env -u LD_PRELOAD ") .. cmd .. " 2>&1"):wait()
end

-- Writes `source` to a temporary file and starts the shell command
-- command(path) on it in the background, its stderr with its stdout.
-- :wait() returns as M.pipe's does, and removes the file.
function M.startScript(source, command)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(source)
  f:close()
  local p = M.pipe(command(path) .. " 2>&1")
  return {
    wait = function()
      local out, ok, code = p:wait()
      os.remove(path)
      return out, ok, code
    end,
  }
end

-- Runs a Lua chunk in a child of the Lua under test with the module on
-- its paths (keeping the sanitizer preload: the child loads the module).
function M.lua(source, env)
  return M.startScript(source, function(path)
    return ('%s LUA_PATH="./lua/?.lua;./spec/?.lua;;" LUA_CPATH="./%s/?.so;;" timeout 60 %s %s')
      :format(env or "", M.build, M.LUA, path)
  end):wait()
end

-- Starts `node -e source arg...` in the background. Returns an object with
-- :wait() -> output, ok (blocks until node exits; bound by `timeout`).
function M.node(source, ...)
  local args = {}
  for i, a in ipairs({ ... }) do
    args[i] = "'" .. tostring(a):gsub("'", "'\\''") .. "'"
  end
  return M.startScript(source, function(path)
    return ("env -u LD_PRELOAD timeout 20 node %s %s"):format(path, table.concat(args, " "))
  end)
end

return M
