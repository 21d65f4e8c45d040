-- The loop driver: run modes and their return values, errors raised by
-- callbacks coming out of run() intact, and the loop staying usable.
local dgram = require "dgram"
local h = require "helpers"

describe("dgram.run", function()
  it("returns false when nothing is left, and runs pending nextTicks first", function()
    local ran = false
    dgram.nextTick(function() ran = true end)
    assert.is_false(dgram.run())
    assert.is_true(ran)
  end)

  it("'nowait' returns true while a referenced timer is pending", function()
    local fired = false
    local t = dgram.setTimeout(function() fired = true end, 50)
    assert.is_true(dgram.run("nowait"))
    assert.is_false(fired)
    assert.is_false(dgram.run())
    assert.is_true(fired)
    assert.is_false(t:hasRef() == nil)
  end)

  it("'once' returns after handling at least one event", function()
    local n = 0
    local t = dgram.setInterval(function() n = n + 1 end, 5)
    assert.is_true(dgram.run("once"))
    assert.equal(1, n)
    dgram.clearInterval(t)
    assert.is_false(dgram.run())
  end)

  it("rejects an unknown mode", function()
    local ok, err = pcall(dgram.run, "forever")
    assert.is_false(ok)
    assert.equal("ERR_INVALID_ARG_VALUE", err.code)
  end)

  it("raises a table raised in a callback as the very same value, and carries on", function()
    local boom = { "boom" }
    local later = false
    dgram.setTimeout(function() error(boom) end, 1)
    dgram.setTimeout(function() later = true end, 20)
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.equal(boom, err)
    assert.is_false(later)
    assert.is_false(dgram.run())
    assert.is_true(later)
  end)

  it("raises a string unchanged, without position or traceback", function()
    dgram.setImmediate(function() error("plain text", 0) end)
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.equal("plain text", err)
    dgram.setImmediate(function() error("with position") end)
    ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.matches("loop_spec.lua:%d+: with position$", err)
  end)

  it("raises an 'error' event with no listener out of run()", function()
    local s = dgram.createSocket("udp4")
    s:bind(0, "127.0.0.1", function()
      s:emit("error", setmetatable({ code = "X" }, dgram.Error))
    end)
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.equal("X", err.code)
    s:close()
    h.run()
  end)

  it("keeps delivering datagrams after a listener raised", function()
    local s = dgram.createSocket("udp4")
    local got = {}
    s:on("message", function(msg)
      got[#got + 1] = msg
      if msg == "1" then
        error("first")
      end
      if #got == 2 then
        s:close()
      end
    end)
    s:bind(0, "127.0.0.1", function()
      local port = s:address().port
      s:send("1", port, "127.0.0.1", function()
        s:send("2", port, "127.0.0.1")
      end)
    end)
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.matches("first$", err)
    h.run()
    assert.same({ "1", "2" }, got)
  end)

  it("is not reentrant", function()
    dgram.setImmediate(function()
      local ok, err = pcall(dgram.run)
      assert.is_false(ok)
      assert.matches("already running", err)
    end)
    h.run()
  end)

  it("dgram.stop() makes run() return with work left", function()
    local t = dgram.setInterval(function() dgram.stop() end, 1)
    assert.is_true(dgram.run())
    dgram.clearInterval(t)
    assert.is_false(dgram.run())
  end)

  it("dgram.now() is the loop's clock in milliseconds", function()
    local before = dgram.now()
    local after
    dgram.setTimeout(function() after = dgram.now() end, 20)
    h.run()
    assert.is_true(after - before >= 19)
  end)
end)

-- What a host that folds the module's loop into its own poll loop reads
-- (examples/host.c --fold and examples/nvim/pump.lua watch the descriptor).
describe("dgram.backendFd and dgram.backendTimeout", function()
  it("give the loop's descriptor, and how long run('nowait') has nothing to do", function()
    assert.is_true(dgram.backendFd() % 1 == 0 and dgram.backendFd() >= 0)
    assert.equal(dgram.backendFd(), dgram.backendFd())

    local s = dgram.createSocket("udp4")
    s:bind(0, "127.0.0.1")
    assert.equal(0, dgram.backendTimeout()) -- 'listening' waits as a tick
    assert.is_true(dgram.run("nowait"))
    assert.equal(-1, dgram.backendTimeout()) -- a socket, no timer

    local t = dgram.setTimeout(function() end, 500)
    local ms = dgram.backendTimeout()
    assert.is_true(ms > 400 and ms <= 500, ms)

    local im = dgram.setImmediate(function() end)
    assert.equal(0, dgram.backendTimeout())
    dgram.clearImmediate(im)
    dgram.nextTick(function() end)
    assert.equal(0, dgram.backendTimeout())
    assert.is_true(dgram.run("nowait"))

    dgram.clearTimeout(t)
    s:close()
    h.run()
  end)

  it("is 0 after a raise, until the next run() carries on with what waits", function()
    local s = dgram.createSocket("udp4")
    local n = 0
    s:on("message", function()
      n = n + 1
      if n == 1 then error("first", 0) end
      if n == 2 then s:close() end
    end)
    s:bind(0, "127.0.0.1", function()
      s:send("a", s:address().port, "127.0.0.1")
      s:send("b", s:address().port, "127.0.0.1")
    end)
    local ok, err
    repeat -- until the first datagram raised; the second waits (held, or
      -- in the kernel while the socket stops reading until the next run())
      ok, err = pcall(dgram.run, "once")
    until not ok
    assert.equal("first", err)
    assert.equal(1, n)
    assert.equal(0, dgram.backendTimeout())
    h.run()
    assert.equal(2, n)
  end)
end)
