-- close() from inside every kind of callback: 'listening', the bind
-- callback, 'message' (one listener and several), 'connect' and the
-- connect callback, 'error' (ICMP, bind, look-up), send callbacks (fast
-- path, queued path, failed, connected), a custom look-up, timers,
-- immediates, nextTick and 'newListener'. Each time 'close' is emitted
-- exactly once, nothing is emitted after it, and the loop ends with no
-- handle left open. Runs in-process so that `make test SANITIZE=1` checks
-- the C side under ASan/UBSan. SOAK=1 repeats every case
-- HARDEN_CLOSE_ROUNDS times (default 200).
local h = require "helpers"
local dgram = require "dgram"
local support = require "hardening.support"

local ROUNDS = support.size("HARDEN_CLOSE_ROUNDS", 1, 200)

-- Watches a socket: 'close' must come exactly once, and no 'message',
-- 'listening', 'connect' or 'error' may follow the close() call; an
-- 'error' the case does not expect (opts.allow.error) fails the test.
local function watch(s, opts)
  opts = opts or {}
  local closed = false
  local orig = s.close
  s.close = function(self, ...)
    closed = true
    return orig(self, ...)
  end
  s:on("close", h.mustCall())
  for _, ev in ipairs({ "message", "listening", "connect" }) do
    s:on(ev, function()
      assert(not closed, ("'%s' emitted after close()"):format(ev))
    end)
  end
  if not (opts.allow and opts.allow.error) then
    s:on("error", function(err)
      error(err, 0)
    end)
  end
  return s
end

-- A bound receiver on 127.0.0.1; calls fn(port) once it listens.
local function withReceiver(fn)
  local r = dgram.createSocket("udp4")
  r:bind(0, "127.0.0.1", function()
    fn(r:address().port, r)
  end)
  return r
end

-- A port nobody listens on.
local function deadPort(fn)
  local d = dgram.createSocket("udp4")
  d:bind(0, "127.0.0.1", function()
    local port = d:address().port
    d:close(function()
      fn(port)
    end)
  end)
end

local cases = {}
local function case(name, fn)
  cases[#cases + 1] = { name = name, fn = fn }
end

case("'listening' listener", function()
  local s = watch(dgram.createSocket("udp4"))
  s:on("listening", h.mustCall(function()
    s:close(h.mustCall())
  end))
  s:bind(0, "127.0.0.1")
end)

case("bind callback", function()
  local s = watch(dgram.createSocket("udp4"))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    s:close(h.mustCall())
  end))
end)

case("bind callback with a datagram already waiting", function()
  local s = watch(dgram.createSocket("udp4"))
  local peer = dgram.createSocket("udp4")
  s:on("message", h.mustNotCall("message after close"))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    peer:send("early", s:address().port, "127.0.0.1", h.mustSucceed(function()
      peer:close()
    end))
    s:close(h.mustCall())
  end))
end)

case("'message' listener, a flood still arriving", function()
  local r = watch(dgram.createSocket("udp4"))
  local sender = dgram.createSocket("udp4")
  local got = 0
  r:on("message", function()
    got = got + 1
    if got == 1 then
      r:close(h.mustCall(function()
        assert.equal(1, got)
        sender:close()
      end))
    end
  end)
  r:bind(0, "127.0.0.1", h.mustCall(function()
    for i = 1, 200 do
      sender:send("flood " .. i, r:address().port, "127.0.0.1")
    end
  end))
end)

case("one of several 'message' listeners (the emit path)", function()
  local r = watch(dgram.createSocket("udp4"))
  local sender = dgram.createSocket("udp4")
  local first, second = 0, 0
  r:on("message", function()
    first = first + 1
    if first == 1 then
      r:close(h.mustCall(function()
        -- the second listener still saw the datagram being emitted
        assert.equal(1, first)
        assert.equal(1, second)
        sender:close()
      end))
    end
  end)
  r:on("message", function()
    second = second + 1
  end)
  r:bind(0, "127.0.0.1", h.mustCall(function()
    for i = 1, 100 do
      sender:send("flood " .. i, r:address().port, "127.0.0.1")
    end
  end))
end)

case("'message' listener of a connected socket", function()
  local sender = dgram.createSocket("udp4")
  sender:bind(0, "127.0.0.1", h.mustCall(function()
    local r = watch(dgram.createSocket("udp4"))
    r:on("message", h.mustCall(function()
      r:close(h.mustCall(function()
        sender:close()
      end))
    end))
    r:connect(sender:address().port, "127.0.0.1", h.mustCall(function()
      for i = 1, 50 do
        sender:send("to connected " .. i, r:address().port, "127.0.0.1")
      end
    end))
  end))
end)

case("'connect' listener", function()
  local r = withReceiver(function(port, r)
    local s = watch(dgram.createSocket("udp4"))
    s:on("connect", h.mustCall(function()
      s:close(h.mustCall(function()
        r:close()
      end))
    end))
    s:connect(port, "127.0.0.1")
  end)
  local _ = r
end)

case("connect callback on a bound socket", function()
  withReceiver(function(port, r)
    local s = watch(dgram.createSocket("udp4"))
    s:bind(0, "127.0.0.1", h.mustCall(function()
      s:connect(port, "127.0.0.1", h.mustCall(function()
        s:close(h.mustCall(function()
          r:close()
        end))
      end))
    end))
  end)
end)

case("failed connect callback (look-up error)", function()
  local s = watch(dgram.createSocket({
    type = "udp4",
    lookup = function(host, _, cb)
      if host == "nowhere" then
        dgram.setImmediate(cb, { code = "EFAKE" })
      else
        dgram.nextTick(cb, nil, "127.0.0.1", 4)
      end
    end,
  }))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    s:connect(9, "nowhere", h.mustCall(function(err)
      assert.equal("EFAKE", err.code)
      s:close(h.mustCall())
    end))
  end))
end)

-- One datagram at a time, as Node's oracle does: sends in a burst take
-- the pending ICMP error themselves (every other send fails with
-- ECONNREFUSED, in Node as here) and no 'error' comes.
case("'error' listener: ECONNREFUSED (recvmsg) on a connected socket", function()
  deadPort(function(port)
    local s = watch(dgram.createSocket("udp4"), { allow = { error = true } })
    local errors, closed, pinger = 0, false, nil
    s:on("error", function(err)
      assert(not closed, "'error' after close()")
      errors = errors + 1
      assert.equal("ECONNREFUSED", err.code)
      assert.equal("recvmsg", err.syscall)
      closed = true
      dgram.clearInterval(pinger)
      s:close(h.mustCall(function()
        assert.equal(1, errors)
      end))
    end)
    s:connect(port, "127.0.0.1", h.mustCall(function()
      s:send("ping")
      pinger = dgram.setInterval(function()
        s:send("ping")
      end, 20)
    end))
  end)
end)

case("'error' listener: bind EADDRINUSE", function()
  withReceiver(function(port, r)
    local s = watch(dgram.createSocket("udp4"), { allow = { error = true } })
    s:on("error", h.mustCall(function(err)
      assert.equal("EADDRINUSE", err.code)
      s:close(h.mustCall(function()
        r:close()
      end))
    end))
    s:bind(port, "127.0.0.1")
    s:send("queued", port, "127.0.0.1", h.mustNotCall("a send queued behind a failed bind"))
  end)
end)

case("'error' listener: look-up error of a send without callback", function()
  local s = watch(dgram.createSocket({
    type = "udp4",
    lookup = function(host, _, cb)
      if host == "nowhere" then
        dgram.setTimeout(cb, 1, { code = "ENOTFOUND" })
      else
        dgram.nextTick(cb, nil, "127.0.0.1", 4)
      end
    end,
  }), { allow = { error = true } })
  s:on("error", h.mustCall(function(err)
    assert.equal("ENOTFOUND", err.code)
    s:close(h.mustCall())
  end))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    s:send("x", 9, "nowhere")
  end))
end)

-- Five sends, close() in the first callback: as Node 20, the callbacks of
-- the sends that already went out are still called, each once.
local function sendCallbackCase(connected)
  withReceiver(function(port, r)
    local s = watch(dgram.createSocket("udp4"))
    local calls = {}
    local function go()
      for i = 1, 5 do
        local cb = h.mustCall(function(err, bytes)
          assert.is_nil(err)
          assert.equal(2, bytes)
          calls[#calls + 1] = i
          if i == 1 then
            s:close(h.mustCall())
          end
          if i == 5 then
            assert.same({ 1, 2, 3, 4, 5 }, calls)
            r:close()
          end
        end)
        if connected then
          s:send("x" .. i, cb)
        else
          s:send("x" .. i, port, "127.0.0.1", cb)
        end
      end
    end
    if connected then
      s:connect(port, "127.0.0.1", h.mustCall(go))
    else
      s:bind(0, "127.0.0.1", h.mustCall(go))
    end
  end)
end

case("send callback (fast path)", function()
  sendCallbackCase(false)
end)

case("send callback of a connected socket", function()
  sendCallbackCase(true)
end)

-- Every send queued in libuv (DGRAM_TEST_NO_TRY_SEND=1, Node's
-- --test-udp-no-try-send): the callbacks of the sends already written come
-- after 'close', each once, as in Node 20 ("cb1:2 close cb2:2 ... cb5:2").
local QUEUED_BODY = [==[
local dgram = require "dgram"
local ev = {}
local r = dgram.createSocket("udp4")
r:bind(0, "127.0.0.1", function()
  local s = dgram.createSocket("udp4")
  s:bind(0, "127.0.0.1", function()
    for i = 1, 5 do
      s:send("x" .. i, r:address().port, "127.0.0.1", function(err, n)
        ev[#ev + 1] = ("cb%d:%s"):format(i, err and err.code or n)
        if i == 1 then
          assert(s:getSendQueueCount() == 4, "queue " .. s:getSendQueueCount())
          s:close(function() ev[#ev + 1] = "close" end)
        end
      end)
    end
    dgram.setTimeout(function() r:close() end, 50)
  end)
end)
dgram.run()
print(table.concat(ev, " "))
]==]

case("send callback with an error (EMSGSIZE)", function()
  withReceiver(function(port, r)
    local s = watch(dgram.createSocket("udp4"))
    s:bind(0, "127.0.0.1", h.mustCall(function()
      s:send(("x"):rep(65508), port, "127.0.0.1", h.mustCall(function(err)
        assert.equal("EMSGSIZE", err.code)
        s:close(h.mustCall(function()
          r:close()
        end))
      end))
    end))
  end)
end)

case("inside the custom look-up of bind", function()
  local s
  s = watch(dgram.createSocket({
    type = "udp4",
    lookup = h.mustCall(function(_, _, cb)
      s:close(h.mustCall())
      cb(nil, "127.0.0.1", 4)
    end),
  }))
  s:bind(0, "somewhere")
end)

case("inside an asynchronous look-up answer of bind", function()
  local s
  s = watch(dgram.createSocket({
    type = "udp4",
    lookup = h.mustCall(function(_, _, cb)
      dgram.setTimeout(function()
        s:close(h.mustCall())
        cb(nil, "127.0.0.1", 4)
      end, 5)
    end),
  }))
  s:bind(0, "somewhere")
end)

case("inside the custom look-up of a send", function()
  withReceiver(function(port, r)
    local s
    s = watch(dgram.createSocket({
      type = "udp4",
      lookup = function(host, _, cb)
        if host == "peer" then
          s:close(h.mustCall(function()
            r:close()
          end))
        end
        cb(nil, "127.0.0.1", 4)
      end,
    }))
    s:bind(0, "127.0.0.1", h.mustCall(function()
      s:send("x", port, "peer", h.mustNotCall("send callback after close() in its look-up"))
    end))
  end)
end)

case("setTimeout", function()
  local s = watch(dgram.createSocket("udp4"))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    dgram.setTimeout(h.mustCall(function()
      s:close(h.mustCall())
    end), 2)
  end))
end)

case("setInterval", function()
  local s = watch(dgram.createSocket("udp4"))
  local n = 0
  local t
  t = dgram.setInterval(h.mustCall(function()
    n = n + 1
    if n == 3 then
      dgram.clearInterval(t)
      s:close(h.mustCall())
    end
  end, 3), 1)
  s:bind(0, "127.0.0.1")
end)

case("setTimeout on a socket never bound", function()
  local s = watch(dgram.createSocket("udp4"))
  dgram.setTimeout(h.mustCall(function()
    s:close(h.mustCall())
  end), 1)
end)

case("setImmediate", function()
  local s = watch(dgram.createSocket("udp4"))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    dgram.setImmediate(h.mustCall(function()
      s:close(h.mustCall())
    end))
  end))
end)

case("setImmediate between bind() and 'listening'", function()
  local s = watch(dgram.createSocket("udp4"))
  s:on("listening", h.mustCall())
  s:bind(0, "127.0.0.1")
  dgram.setImmediate(h.mustCall(function()
    -- the literal's look-up answered on the next tick: already listening
    s:close(h.mustCall())
  end))
end)

case("nextTick right after bind()", function()
  local s = watch(dgram.createSocket("udp4"))
  s:bind(0, "127.0.0.1")
  dgram.nextTick(h.mustCall(function()
    s:close(h.mustCall())
  end))
end)

case("nextTick queued by a 'message' listener", function()
  local r = watch(dgram.createSocket("udp4"))
  local sender = dgram.createSocket("udp4")
  local ticks = 0
  r:on("message", function()
    if ticks == 0 then
      ticks = 1
      dgram.nextTick(h.mustCall(function()
        r:close(h.mustCall(function()
          sender:close()
        end))
      end))
    end
  end)
  r:bind(0, "127.0.0.1", h.mustCall(function()
    for i = 1, 100 do
      sender:send("m" .. i, r:address().port, "127.0.0.1")
    end
  end))
end)

case("'newListener' listener", function()
  local s = watch(dgram.createSocket("udp4"))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    -- called for 'message', then for the 'close' listener close() adds
    s:on("newListener", h.mustCall(function(event)
      if event == "message" then
        s:close(h.mustCall())
      end
    end, 2))
    s:on("message", h.mustNotCall("message after close() in newListener"))
  end))
end)

case("'close' listener (a second close raises NOT_RUNNING out of run())", function()
  local s = dgram.createSocket("udp4")
  s:on("close", h.mustCall(function()
    local ok, err = pcall(s.close, s)
    assert.is_false(ok)
    assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
  end))
  s:bind(0, "127.0.0.1", h.mustCall(function()
    s:close()
  end))
end)

describe("close() inside a callback", function()
  it("send callback, every send queued in libuv (as Node 20)", function()
    for _ = 1, ROUNDS do
      local out = support.check(support.child(QUEUED_BODY, { env = { DGRAM_TEST_NO_TRY_SEND = "1" } }))
      assert.equal("cb1:2 close cb2:2 cb3:2 cb4:2 cb5:2\n", out)
    end
  end)

  for _, c in ipairs(cases) do
    it(c.name .. (ROUNDS > 1 and (" (x%d)"):format(ROUNDS) or ""), function()
      for _ = 1, ROUNDS do
        c.fn()
        h.run(10000)
      end
    end)
  end
end)
