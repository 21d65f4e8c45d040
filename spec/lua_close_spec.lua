-- Calls into the module from a finalizer that lua_close runs after the
-- module's own. lua_close runs finalizers newest first, so an object given
-- its __gc before `require "dgram"` is finalized after the context that
-- the require created, while every dgram.core function still holds that
-- context as an upvalue. Each such call must fail cleanly, never touch
-- freed memory: it raises a dgram.Error (some string .code), or it returns
-- without doing anything; no callback given to a timer, an immediate, a
-- send or a bind runs; the process exits 0 with no sanitizer report.
--
-- Node 20 has no lua_close; its nearest moment, a process 'exit' handler
-- (the loop is over), was checked: performance.now(), send on an open
-- socket, setTimeout, setImmediate and createSocket().bind() return
-- normally and nothing they queued ever runs; send and address on a closed
-- socket throw ERR_SOCKET_DGRAM_NOT_RUNNING; the process exits 0.
--
-- Each case runs in its own child of the Lua under test: plainly, and under valgrind when
-- it is there and the plain build is under test; under ASan (+ UBSan) when
-- the ASan build is (make test SANITIZE=1, DGRAM_BUILD=build/san).
local h = require "helpers"

-- The child, formatted with the case's body (what the finalizer calls)
-- and its name. EARLY gets its __gc before the require, and stays
-- reachable (a global) until lua_close. SOCK is a bound socket, CLOSED a
-- closed one, TIMER a pending timeout, all made after the require:
-- lua_close finalizes them (closing their handles) before the context,
-- and the context before EARLY.
local CHILD = [==[
io.stdout:setvbuf("no")
local dgram -- set below; the finalizer reaches it as an upvalue
local function never() print("LUA CALLED AFTER CLOSE") end
-- An object with a finalizer: Lua 5.1 and LuaJIT finalize only userdata.
local function finalized(gc)
  if newproxy then
    local u = newproxy(true)
    getmetatable(u).__gc = gc
    return u
  end
  return setmetatable({}, { __gc = gc })
end
EARLY = finalized(function()
  local ok, err = pcall(function()
    %s
  end)
  if ok then
    print("RESULT %s ok")
  elseif getmetatable(err) == dgram.Error and type(err.code) == "string" then
    print("RESULT %s dgram.Error " .. err.code)
  else
    print("RESULT %s BAD " .. tostring(err))
  end
end)
dgram = require "dgram"
SOCK, CLOSED = dgram.createSocket("udp4"), dgram.createSocket("udp4")
SOCK:bind(0, "127.0.0.1", function() PORT = SOCK:address().port end)
CLOSED:bind(0, "127.0.0.1", function() CLOSED:close(function() SHUT = true end) end)
for _ = 1, 100 do
  if PORT and SHUT then break end
  dgram.run("nowait")
end
assert(PORT and SHUT, "bind or close did not complete")
TIMER = dgram.setTimeout(never, 100000)
print("READY")
-- The script ends: lua.c calls lua_close.
]==]

local CASES = {
  { "now", "return dgram.now()" },
  { "run", "return dgram.run()" },
  { "run_nowait", "return dgram.run('nowait')" },
  { "stop", "return dgram.stop()" },
  { "setTimeout_run", "dgram.setTimeout(never, 0) return dgram.run()" },
  { "setInterval_run", "dgram.setInterval(never, 1) return dgram.run()" },
  { "setImmediate_run", "dgram.setImmediate(never) return dgram.run()" },
  { "nextTick_run", "dgram.nextTick(never) return dgram.run()" },
  { "clearTimeout", "dgram.clearTimeout(TIMER)" },
  { "createSocket", "return dgram.createSocket('udp4')" },
  { "createSocket_bind_run", "dgram.createSocket('udp4'):bind(0, '127.0.0.1', never) return dgram.run()" },
  { "send", "return SOCK:send('x', PORT, '127.0.0.1')" },
  { "send_callback_run", "SOCK:send('x', PORT, '127.0.0.1', never) return dgram.run()" },
  { "send_list", "return SOCK:send({ 'x', 'y' }, PORT, '127.0.0.1')" },
  { "send_lookup_run", "SOCK:send('x', PORT, 'localhost', never) return dgram.run()" },
  { "address", "return SOCK:address()" },
  { "setBroadcast", "return SOCK:setBroadcast(true)" },
  { "getSendQueueCount", "return SOCK:getSendQueueCount()" },
  { "unref", "return SOCK:unref()" },
  { "close", "return SOCK:close()" },
  { "send_on_closed", "return CLOSED:send('x', PORT, '127.0.0.1')" },
}

local sanitized = (os.getenv("LD_PRELOAD") or ""):find("asan", 1, true) ~= nil
local asanBuild = h.sanitized
local haveValgrind = h.sh("which valgrind"):match("valgrind") ~= nil

-- The environment of a child under ASan: the runtime preloaded (taken from
-- this process, or found from the compiler when busted was started
-- without it), leaks reported, UBSan fatal.
local function asanEnv()
  local preload = os.getenv("LD_PRELOAD")
  if not sanitized then
    preload = h.sh("cc -print-file-name=libasan.so"):match("(%S+)")
  end
  return ("LD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "
    .. "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "):format(preload)
end

-- Starts the child for one case; :wait() gives output, ok.
local function startChild(name, body, wrapper, seconds)
  return h.startScript(CHILD:format(body, name, name, name), function(path)
    return ('timeout -k 5 %d env -u LD_PRELOAD %s LUA_PATH="./lua/?.lua;;" LUA_CPATH="./%s/?.so;;" %s%s %s')
      :format(seconds or 30, asanBuild and asanEnv() or "", h.build, wrapper or "", h.LUA, path)
  end)
end

local function child(name, body)
  return startChild(name, body):wait()
end

-- Every case under valgrind, two at a time (each takes seconds there),
-- run when the first case asks: name -> { output, ok }.
local VALGRIND_JOBS = 2
local underValgrind
local function valgrindRun(name)
  if not underValgrind then
    underValgrind = {}
    local running = {}
    local function finishOldest()
      local job = table.remove(running, 1)
      local out, ok = job.run:wait()
      underValgrind[job.name] = { out, ok }
    end
    for _, case in ipairs(CASES) do
      if #running == VALGRIND_JOBS then
        finishOldest()
      end
      running[#running + 1] = { name = case[1],
        run = startChild(case[1], case[2], "valgrind -q --error-exitcode=99 ", 120) }
    end
    while #running > 0 do
      finishOldest()
    end
  end
  return underValgrind[name][1], underValgrind[name][2]
end

local function check(name, out, ok, how)
  local where = ("%s (%s):\n%s"):format(name, how, out)
  assert(ok, "the child did not exit with status 0: " .. where)
  assert(not out:find("AddressSanitizer", 1, true), "ASan report: " .. where)
  assert(not out:find("LeakSanitizer", 1, true), "LeakSanitizer report: " .. where)
  assert(not out:find("runtime error:", 1, true), "UBSan report: " .. where)
  assert(not out:find("LUA CALLED AFTER CLOSE", 1, true), "a callback ran after lua_close: " .. where)
  assert(out:find("READY\n", 1, true), "the child's setup failed: " .. where)
  local results = {}
  for line in out:gmatch("RESULT ([^\n]*)") do
    results[#results + 1] = line
  end
  assert(#results == 1, "expected one RESULT line (the finalizer ran once): " .. where)
  local got = results[1]:match("^" .. name .. " (.*)$")
  assert(got, "RESULT of another case: " .. where)
  -- "ok" (returned), or "dgram.Error <code>"; "BAD ..." is any other error
  assert(got == "ok" or got:match("^dgram%.Error %S+$"),
    ("the call neither returned nor raised a dgram.Error (%s): %s"):format(got, where))
end

describe("a finalizer that runs after lua_close closed the module", function()
  for _, case in ipairs(CASES) do
    local name, body = case[1], case[2]
    it("fails cleanly: " .. name, function()
      if asanBuild then
        local out, ok = child(name, body)
        check(name, out, ok, "ASan build")
        return
      end
      local out, ok = child(name, body)
      check(name, out, ok, "plain")
      if haveValgrind then
        out, ok = valgrindRun(name)
        check(name, out, ok, "valgrind")
        assert(not out:find("==%d+== %u"), "valgrind report: " .. out)
      end
    end)
  end
end)
