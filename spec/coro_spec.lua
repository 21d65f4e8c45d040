-- Coroutines (API.md, "Coroutines (beyond Node)"): spawn, sock:receive,
-- sock:messages, once, AbortSignal.timeout, await and sleep, each in the
-- three places it may be called: a coroutine (suspends), the main thread
-- outside callbacks (runs the loop), a callback (ERR_INVALID_STATE).
local dgram = require "dgram"
local core = require "dgram.core"
local compat = require "dgram.compat"
local h = require "helpers"

local LOOPBACK = "127.0.0.1"

-- A socket (`options`, default udp4) binding to a port of loopback; the
-- bind completes on the loop.
local function loopbackSocket(options)
  local sock = dgram.createSocket(options or "udp4")
  sock:bind(0, LOOPBACK)
  return sock
end

-- A receiver bound to a port of loopback, a sender, and send(msg) from
-- one to the other.
local function pair(options)
  local r = loopbackSocket(options)
  dgram.once(r, "listening") -- on the main thread: runs the loop until bound
  local port = r:address().port
  local s = dgram.createSocket("udp4")
  return r, s, function(msg)
    s:send(msg, port, LOOPBACK)
  end
end

local function assertInvalidState(fn)
  local ok, err = pcall(fn)
  assert.is_false(ok)
  assert.equal(dgram.Error, getmetatable(err), tostring(err))
  assert.equal("ERR_INVALID_STATE", err.code)
end

-- The texts Node 20 gives events.once's AbortError and
-- AbortSignal.timeout's reason, asked at run time.
local nodeTexts
local function node()
  if not nodeTexts then
    local out, ok = h.node([[
      const { once, EventEmitter } = require('events');
      const c = new AbortController();
      once(new EventEmitter(), 'x', { signal: c.signal }).catch((e) => {
        console.log(JSON.stringify([e.name, e.code, e.message, String(e), e.cause]));
        const s = AbortSignal.timeout(1);
        s.addEventListener('abort', () => {
          const r = s.reason;
          console.log(JSON.stringify([r.name, String(r.code), r.message, String(r)]));
        });
      });
      c.abort('why');
      setTimeout(() => {}, 50);
    ]]):wait()
    assert(ok, out)
    local lines = {}
    for line in out:gmatch("[^\n]+") do
      local fields = {}
      for f in line:gmatch('"([^"]*)"') do fields[#fields + 1] = f end
      lines[#lines + 1] = fields
    end
    nodeTexts = { abort = lines[1], timeout = lines[2] }
  end
  return nodeTexts
end

-- Runs fn where a wait inside a pcall or a generic for (sock:messages())
-- works: in a coroutine, or on Lua 5.1 (which cannot yield across either)
-- on the main thread, which waits by running the loop. What ends the wait
-- must be under way already.
local function waiting(fn)
  if compat.noYieldAcrossFor then
    fn()
  else
    dgram.spawn(fn)
  end
end

describe("dgram.spawn", function()
  it("runs fn with its arguments at once, up to its first wait, and returns the coroutine", function()
    local steps = {}
    local co = dgram.spawn(function(a, b, c)
      steps[#steps + 1] = { a, b, c }
      dgram.sleep(1)
      steps[#steps + 1] = "after sleep"
    end, 1, nil, 3)
    assert.equal("thread", type(co))
    assert.same({ { 1, nil, 3 } }, steps)
    assert.equal("suspended", coroutine.status(co))
    h.run()
    assert.same({ { 1, nil, 3 }, "after sleep" }, steps)
    assert.equal("dead", coroutine.status(co))
  end)

  it("refuses what is not a function", function()
    local ok, err = pcall(dgram.spawn, 42)
    assert.is_false(ok)
    assert.equal("ERR_INVALID_ARG_TYPE", err.code)
  end)

  it("raises the coroutine's error out of dgram.run() unchanged, before or after its first wait", function()
    local before = setmetatable({}, { __tostring = function() return "before" end })
    local after = { "after" }
    dgram.spawn(function() error(before) end)
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.equal(before, err)
    dgram.spawn(function()
      dgram.sleep(1)
      error(after)
    end)
    ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.equal(after, err)
    dgram.spawn(function()
      dgram.sleep(1)
      error("a string, kept as it is", 0)
    end)
    ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.equal("a string, kept as it is", err)
    h.run() -- the loop stays usable
  end)

  it("halts the loop on the error as a listener's error does; run() again carries on", function()
    local r, s, send = pair()
    local got = {}
    dgram.spawn(function()
      local msg = r:receive()
      got[#got + 1] = msg
      error("first")
    end)
    r:on("message", function(msg) got[#got + 1] = "listener " .. msg end)
    send("a")
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.matches("first$", err)
    dgram.spawn(function()
      got[#got + 1] = r:receive()
      r:close()
      s:close()
    end)
    send("b")
    h.run()
    assert.same({ "a", "listener a", "b", "listener b" }, got)
  end)
end)

describe("sock:receive", function()
  it("returns datagrams in arrival order, those that came between calls included", function()
    local r, s, send = pair()
    local got = {}
    dgram.spawn(function()
      for _ = 1, 5 do
        local msg, rinfo = r:receive()
        got[#got + 1] = msg
        assert.equal(s:address().port, rinfo.port)
        assert.equal(LOOPBACK, rinfo.address)
        assert.equal("IPv4", rinfo.family)
        assert.equal(#msg, rinfo.size)
        if #got == 2 then
          dgram.sleep(20) -- 3, 4 and 5 wait meanwhile
        end
      end
      r:close()
      s:close()
    end)
    s:bind(0, LOOPBACK, function()
      for i = 1, 5 do send("m" .. i) end
    end)
    h.run()
    assert.same({ "m1", "m2", "m3", "m4", "m5" }, got)
  end)

  it("times out with ETIMEDOUT after about timeout_ms", function()
    local r = loopbackSocket()
    dgram.spawn(h.mustCall(function()
      local t0 = dgram.now()
      local msg, err = r:receive(50)
      local elapsed = dgram.now() - t0
      assert.is_nil(msg)
      assert.equal(dgram.Error, getmetatable(err))
      assert.equal("ETIMEDOUT", err.code)
      assert.equal(core.errno.ETIMEDOUT, err.errno)
      assert.is_true(elapsed >= 49, tostring(elapsed))
      assert.is_true(elapsed < 50 + 500 * h.SLOWDOWN, tostring(elapsed))
      r:close()
    end))
    h.run()
  end)

  it("takes a datagram before its timeout, and the timer then does not fire", function()
    local r, s, send = pair()
    dgram.spawn(h.mustCall(function()
      assert.equal("early", (r:receive(2000)))
      local msg, err = r:receive(30) -- a fresh timeout, not the first one
      assert.is_nil(msg)
      assert.equal("ETIMEDOUT", err.code)
      r:close()
      s:close()
    end))
    send("early")
    h.run()
  end)

  it("ends with ERR_SOCKET_DGRAM_NOT_RUNNING when the socket closes, and says so afterwards", function()
    local r = loopbackSocket()
    dgram.spawn(h.mustCall(function()
      local msg, err = r:receive()
      assert.is_nil(msg)
      assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
      msg, err = r:receive(10)
      assert.is_nil(msg)
      assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
    end))
    dgram.setTimeout(function() r:close() end, 5)
    h.run()
    local fresh = dgram.createSocket("udp4")
    fresh:close()
    local msg, err = fresh:receive()
    assert.is_nil(msg)
    assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
  end)

  it("ends with the socket's 'error'; an error while none waits comes in its turn", function()
    local r, s, send = pair()
    local boom, later = { code = "EBOOM" }, { code = "ELATER" }
    dgram.spawn(h.mustCall(function()
      local msg, err = r:receive()
      assert.is_nil(msg)
      assert.equal(boom, err)
      dgram.sleep(30)
      assert.equal("one", (r:receive()))
      msg, err = r:receive()
      assert.is_nil(msg)
      assert.equal(later, err)
      assert.equal("two", (r:receive()))
      r:close()
      s:close()
    end))
    r:emit("error", boom)
    s:send("one", r:address().port, LOOPBACK, function()
      dgram.setTimeout(function()
        r:emit("error", later)
        send("two")
      end, 5)
    end)
    h.run()
  end)

  it("leaves every datagram to the 'message' listeners too", function()
    local r, s, send = pair()
    local heard, taken = {}, {}
    r:on("message", function(msg) heard[#heard + 1] = msg end)
    dgram.spawn(function()
      for _ = 1, 3 do taken[#taken + 1] = r:receive() end
      r:close()
      s:close()
    end)
    for i = 1, 3 do send("d" .. i) end
    h.run()
    assert.same({ "d1", "d2", "d3" }, heard)
    assert.same({ "d1", "d2", "d3" }, taken)
  end)

  it("leaves datagrams to a listener added while a coroutine waits, and back to receive alone after", function()
    local r, s, send = pair()
    local heard, taken = {}, {}
    local function listener(msg) heard[#heard + 1] = msg end
    dgram.spawn(function()
      for _ = 1, 4 do taken[#taken + 1] = r:receive() end
      r:close()
      s:close()
    end)
    send("alone")
    dgram.setTimeout(function()
      r:on("message", listener)
      send("both")
      dgram.setTimeout(function()
        r:removeListener("message", listener)
        send("alone again")
        send("and again")
      end, 20)
    end, 20)
    h.run()
    assert.same({ "both" }, heard)
    assert.same({ "alone", "both", "alone again", "and again" }, taken)
  end)

  it("refuses a second receive while one waits on the socket", function()
    local r = loopbackSocket()
    dgram.spawn(function() r:receive() end)
    dgram.spawn(h.mustCall(function()
      assertInvalidState(function() r:receive() end)
      r:close()
    end))
    h.run()
  end)

  it("validates timeout_ms", function()
    local r = dgram.createSocket("udp4")
    for _, bad in ipairs({ "10", -1, 1.5, 0 / 0 }) do
      local ok, err = pcall(r.receive, r, bad)
      assert.is_false(ok)
      assert.is_truthy(err.code == "ERR_INVALID_ARG_TYPE" or err.code == "ERR_OUT_OF_RANGE", tostring(err))
    end
    r:close()
    h.run()
  end)

  it("stops reading while too many wait, and reads the rest once they are taken", function()
    local r, s = pair({ type = "udp4", recvBufferSize = 4 * 1024 * 1024 })
    local coro = require "dgram.coro"
    local N = coro.LIMIT * 3
    local got = 0
    local inOrder = true
    dgram.spawn(h.mustCall(function()
      assert.equal("first", (r:receive()))
      -- The sender's burst waits meanwhile: in the inbox up to its limit,
      -- then in the kernel's receive buffer.
      dgram.sleep(100)
      assert.is_true(coro.queued(r) <= coro.LIMIT + 20, "inbox over its limit")
      for i = 1, N do
        local msg = r:receive(1000 * h.SLOWDOWN)
        if msg ~= tostring(i) then
          inOrder = false
          break
        end
        got = got + 1
      end
      r:close()
      s:close()
    end))
    s:bind(0, LOOPBACK, function()
      s:send("first", r:address().port, LOOPBACK)
      for i = 1, N do s:send(tostring(i), r:address().port, LOOPBACK) end
    end)
    h.run(20000)
    assert.is_true(inOrder)
    assert.equal(N, got)
  end)

  it("leaves a waiting coroutine to the collector with its unbound socket, never resuming it", function()
    local weak = setmetatable({}, { __mode = "v" })
    local resumed = false
    do
      local sock = dgram.createSocket("udp4")
      weak.sock = sock
      weak.co = dgram.spawn(function()
        sock:receive()
        resumed = true
      end)
    end
    h.run()
    collectgarbage()
    collectgarbage()
    assert.is_nil(weak.co)
    assert.is_nil(weak.sock)
    assert.is_false(resumed)
  end)

  it("is not resumed twice when the loop stops while it waits", function()
    local r, s, send = pair()
    local resumes = 0
    dgram.spawn(function()
      r:receive()
      resumes = resumes + 1
      r:receive(20)
      resumes = resumes + 1
      r:close()
      s:close()
    end)
    dgram.setTimeout(function() dgram.stop() end, 5)
    dgram.run()
    assert.equal(0, resumes)
    send("x")
    h.run()
    assert.equal(2, resumes)
  end)
end)

describe("sock:messages", function()
  it("iterates every datagram until the socket closes", function()
    local r, s, send = pair()
    local got = {}
    local function consume()
      for msg, rinfo in r:messages() do
        got[#got + 1] = msg
        assert.equal("IPv4", rinfo.family)
        if msg == "stop" then r:close() end
      end
      s:close()
    end
    send("a")
    send("b")
    send("stop")
    waiting(consume)
    h.run()
    assert.same({ "a", "b", "stop" }, got)
  end)

  it("raises the socket's error", function()
    local r = loopbackSocket()
    local boom = { "boom" }
    dgram.setTimeout(function() r:emit("error", boom) end, 5)
    local ok, err = pcall(function()
      for _ in r:messages() do end
    end)
    assert.is_false(ok)
    assert.equal(boom, err)
    r:close()
    h.run()
  end)

  if compat.noYieldAcrossFor then
    it("says in a coroutine on Lua 5.1 that a while loop over receive() is needed", function()
      local r = dgram.createSocket("udp4")
      dgram.spawn(h.mustCall(function()
        local ok, err = pcall(r.messages, r)
        assert.is_false(ok)
        assert.equal("ERR_INVALID_STATE", err.code)
        assert.matches("while", err.message, 1, true)
        r:close()
      end))
      h.run()
    end)
  end
end)

describe("dgram.once", function()
  local EventEmitter = require "dgram.events"

  it("returns the event's arguments as values", function()
    local e = EventEmitter.new()
    dgram.spawn(h.mustCall(function()
      local n, a, b, c = (function(...) return select("#", ...), ... end)(dgram.once(e, "x"))
      assert.same({ 3, 1, nil, 3 }, { n, a, b, c })
      assert.equal(0, e:listenerCount("x"))
      assert.equal(0, e:listenerCount("error"))
    end))
    dgram.setTimeout(function() e:emit("x", 1, nil, 3) end, 1)
    h.run()
  end)

  it("raises the 'error' that comes first", function()
    local e = EventEmitter.new()
    local boom = { "boom" }
    dgram.setTimeout(function() e:emit("error", boom) end, 1)
    waiting(h.mustCall(function()
      local ok, err = pcall(dgram.once, e, "x")
      assert.is_false(ok)
      assert.equal(boom, err)
      assert.equal(0, e:listenerCount("x"))
    end))
    h.run()
  end)

  it("waits for a socket's 'listening'", function()
    local sock = dgram.createSocket("udp4")
    dgram.spawn(h.mustCall(function()
      sock:bind(0, LOOPBACK)
      assert.equal(0, select("#", dgram.once(sock, "listening")))
      assert.is_true(sock:address().port > 0)
      sock:close()
    end))
    h.run()
  end)

  it("aborts with Node's AbortError, the signal's reason as cause", function()
    local texts = node().abort
    local e = EventEmitter.new()
    local c = dgram.AbortController()
    dgram.setTimeout(function() c:abort("why") end, 1)
    waiting(h.mustCall(function()
      local ok, err = pcall(dgram.once, e, "x", { signal = c.signal })
      assert.is_false(ok)
      assert.equal(dgram.Error, getmetatable(err))
      assert.same(texts[1], err.name)
      assert.same(texts[2], err.code)
      assert.same(texts[3], err.message)
      assert.same(texts[4], tostring(err))
      assert.equal(texts[5], err.cause)
      assert.equal(0, e:listenerCount("x"))
      assert.equal(0, e:listenerCount("error"))
    end))
    h.run()
  end)

  it("raises at once for a signal already aborted", function()
    local c = dgram.AbortController()
    c:abort("early")
    waiting(h.mustCall(function()
      local ok, err = pcall(dgram.once, EventEmitter.new(), "x", { signal = c.signal })
      assert.is_false(ok)
      assert.equal("ABORT_ERR", err.code)
      assert.equal("early", err.cause)
    end))
    h.run()
  end)

  it("validates the emitter and options.signal as Node does", function()
    local ok, err = pcall(dgram.once, 5, "x")
    assert.is_false(ok)
    assert.equal('The "emitter" argument must be an instance of EventEmitter. Received type number (5)', err.message)
    ok, err = pcall(dgram.once, EventEmitter.new(), "x", { signal = 5 })
    assert.is_false(ok)
    assert.equal('The "options.signal" property must be an instance of AbortSignal. Received type number (5)',
      err.message)
  end)
end)

describe("dgram.AbortSignal.timeout", function()
  it("aborts after ms with Node's TimeoutError", function()
    local texts = node().timeout
    local signal = dgram.AbortSignal.timeout(10)
    assert.is_false(signal.aborted)
    local keep = dgram.setTimeout(function() end, 200) -- the signal's timer keeps nothing alive
    signal:on("abort", h.mustCall(function()
      local r = signal.reason
      assert.equal(texts[1], r.name)
      assert.equal(tonumber(texts[2]), r.code)
      assert.equal(texts[3], r.message)
      assert.equal(texts[4], tostring(r))
      dgram.clearTimeout(keep)
    end))
    h.run()
  end)

  it("cancels a once() as Node's does: AbortError whose cause is the TimeoutError", function()
    local e = require("dgram.events").new()
    local keep = dgram.setTimeout(function() end, 100)
    waiting(h.mustCall(function()
      local ok, err = pcall(dgram.once, e, "never", { signal = dgram.AbortSignal.timeout(10) })
      assert.is_false(ok)
      assert.equal("ABORT_ERR", err.code)
      assert.equal("TimeoutError", err.cause.name)
      dgram.clearTimeout(keep)
    end))
    h.run()
  end)

  it("does not keep the loop alive", function()
    local signal = dgram.AbortSignal.timeout(50)
    local t0 = dgram.now()
    assert.is_false(dgram.run())
    assert.is_true(dgram.now() - t0 < 40)
    assert.is_false(signal.aborted)
    dgram.setTimeout(function() end, 100) -- now something does
    h.run()
    assert.is_true(signal.aborted)
  end)

  it("validates ms as Node's validateUint32", function()
    local cases = { { -1, "ERR_OUT_OF_RANGE" }, { "a", "ERR_INVALID_ARG_TYPE" }, { 2 ^ 53, "ERR_OUT_OF_RANGE" } }
    for _, case in ipairs(cases) do
      local ok, err = pcall(dgram.AbortSignal.timeout, case[1])
      assert.is_false(ok)
      assert.equal(case[2], err.code)
    end
  end)
end)

describe("dgram.await and dgram.sleep", function()
  it("await returns what the callback got", function()
    local r, s = pair()
    dgram.spawn(h.mustCall(function()
      local err, bytes = dgram.await(s.send, s, "hello", r:address().port, LOOPBACK)
      assert.is_nil(err)
      assert.equal(5, bytes)
      assert.equal("hello", (r:receive()))
      local n, a, b = (function(...) return select("#", ...), ... end)(dgram.await(function(x, cb) cb(x, nil) end, 7))
      assert.same({ 2, 7, nil }, { n, a, b })
      r:close()
      s:close()
    end))
    h.run()
  end)

  it("await ignores a callback called twice", function()
    local calls = 0
    dgram.spawn(h.mustCall(function()
      local v = dgram.await(function(cb)
        dgram.setTimeout(function() cb(1) cb(2) end, 1)
      end)
      calls = calls + 1
      assert.equal(1, v)
    end))
    h.run()
    assert.equal(1, calls)
  end)

  it("sleep suspends for about ms while the loop runs the rest", function()
    local order = {}
    dgram.spawn(function()
      local t0 = dgram.now()
      dgram.sleep(30)
      assert.is_true(dgram.now() - t0 >= 29)
      order[#order + 1] = "slept 30"
    end)
    dgram.spawn(function()
      dgram.sleep(10)
      order[#order + 1] = "slept 10"
    end)
    h.run()
    assert.same({ "slept 10", "slept 30" }, order)
  end)
end)

describe("waiting on the main thread", function()
  it("runs the loop until done, outside any callback", function()
    assert.is_true(coroutine.running() == nil or select(2, coroutine.running()))
    local r, s, send = pair()
    local msg, err = r:receive(20)
    assert.is_nil(msg)
    assert.equal("ETIMEDOUT", err.code)
    send("blocking")
    assert.equal("blocking", (r:receive(1000)))
    local t0 = dgram.now()
    dgram.sleep(20)
    assert.is_true(dgram.now() - t0 >= 19)
    local e, bytes = dgram.await(s.send, s, "xy", r:address().port, LOOPBACK)
    assert.is_nil(e)
    assert.equal(2, bytes)
    assert.equal("xy", (r:receive()))
    r:close()
    s:close()
    assert.equal(0, select("#", dgram.once(r, "close")))
    h.run()
  end)

  it("raises a callback's error out of the wait, which is then over", function()
    local r, s, send = pair()
    dgram.setTimeout(function() error("from a timer") end, 5)
    local ok, err = pcall(r.receive, r)
    assert.is_false(ok)
    assert.matches("from a timer$", err)
    -- The abandoned wait took nothing: the next receive gets the datagram.
    send("kept")
    assert.equal("kept", (r:receive(1000)))
    r:close()
    s:close()
    h.run()
  end)

  it("raises ERR_INVALID_STATE when nothing left on the loop could end the wait", function()
    local unbound = dgram.createSocket("udp4")
    assertInvalidState(function() unbound:receive() end)
    assertInvalidState(function() dgram.once(require("dgram.events").new(), "x") end)
    unbound:close()
    h.run()
  end)

  it("raises ERR_INVALID_STATE inside a callback, where the main thread cannot wait", function()
    local r = loopbackSocket()
    dgram.setTimeout(h.mustCall(function()
      assertInvalidState(function() r:receive() end)
      assertInvalidState(function() r:receive(10) end)
      assertInvalidState(function() dgram.sleep(1) end)
      assertInvalidState(function() dgram.once(r, "close") end)
      assertInvalidState(function() dgram.await(function() end) end)
      if not compat.noYieldAcrossFor then
        assertInvalidState(function() for _ in r:messages() do end end)
      end
      assert.equal(0, r:listenerCount("close")) -- the refused calls added nothing
      r:close()
    end), 1)
    h.run()
  end)
end)

describe("on a loop that something other than dgram.run() runs", function()
  it("hands a spawned coroutine's error to the error handler, with the coroutine's traceback", function()
    local hosts = require "hosts.support"
    local out, ok = h.sh("make -s host LUA=" .. h.LUA .. (h.sanitized and " SANITIZE=1" or ""))
    assert(ok, out)
    out, ok = hosts.run(h.LUA, "./" .. h.build .. "/host --uv-run spec/hosts/c/coro_raise.lua", 30)
    assert(ok, out)
    assert.matches("script: handled 1 names coro_raise.lua:17: true", out, 1, true)
    assert.matches("script: handled 2 names coro_raise.lua:17: true", out, 1, true)
    assert.matches("script: handled 3 names coro_raise.lua:17: true", out, 1, true)
    assert.matches("script: 3 handled", out, 1, true)
  end)
end)
