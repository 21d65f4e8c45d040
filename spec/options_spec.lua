-- createSocket's options: reuseAddr, reusePort, ipv6Only, buffer sizes,
-- lookup and signal, each as Node applies it.
local dgram = require "dgram"
local h = require "helpers"

describe("createSocket options", function()
  it("reusePort lets two sockets bind the same port (SO_REUSEPORT before bind)", function()
    local a = dgram.createSocket({ type = "udp4", reusePort = true })
    a:bind(0, "127.0.0.1", h.mustCall(function()
      local port = a:address().port
      local b = dgram.createSocket({ type = "udp4", reusePort = true })
      b:bind(port, "127.0.0.1", h.mustCall(function()
        assert.equal(port, b:address().port)
        b:close()
        a:close()
      end))
    end))
    h.run()
  end)

  it("without reusePort or reuseAddr the second bind fails with EADDRINUSE", function()
    local a = dgram.createSocket("udp4")
    a:bind(0, "127.0.0.1", h.mustCall(function()
      local port = a:address().port
      local b = dgram.createSocket("udp4")
      b:on("error", h.mustCall(function(err)
        assert.equal("EADDRINUSE", err.code)
        assert.equal("bind", err.syscall)
        assert.equal("127.0.0.1", err.address)
        assert.equal(port, err.port)
        assert.equal("bind EADDRINUSE 127.0.0.1:" .. port, err.message)
        assert.equal("Error: bind EADDRINUSE 127.0.0.1:" .. port, tostring(err))
        assert.is_true(err.errno < 0)
        b:close()
        a:close()
      end))
      b:bind(port, "127.0.0.1", h.mustNotCall())
    end))
    h.run()
  end)

  it("reuseAddr lets two sockets share a port", function()
    local a = dgram.createSocket({ type = "udp4", reuseAddr = true })
    a:bind(0, h.mustCall(function()
      local b = dgram.createSocket({ type = "udp4", reuseAddr = true })
      b:bind(a:address().port, h.mustCall(function()
        b:close()
        a:close()
      end))
    end))
    h.run()
  end)

  it("ipv6Only leaves the IPv4 port free", function()
    local six = dgram.createSocket({ type = "udp6", ipv6Only = true })
    six:bind(0, "::", h.mustCall(function()
      local four = dgram.createSocket("udp4")
      four:bind(six:address().port, "0.0.0.0", h.mustCall(function()
        four:close()
        six:close()
      end))
    end))
    h.run()
  end)

  it("applies recvBufferSize and sendBufferSize at bind (Linux reports double)", function()
    local s = dgram.createSocket({ type = "udp4", recvBufferSize = 10000, sendBufferSize = 15000 })
    s:bind(0, "127.0.0.1", h.mustCall(function()
      assert.equal(20000, s:getRecvBufferSize())
      assert.equal(30000, s:getSendBufferSize())
      s:close()
    end))
    h.run()
  end)

  it("validates buffer sizes, lookup and type in Node's order", function()
    local cases = {
      { { type = "udp4", recvBufferSize = "invalid" }, "ERR_INVALID_ARG_TYPE",
        'The "options.recvBufferSize" property must be of type number. Received type string (\'invalid\')' },
      { { type = "udp4", sendBufferSize = 1.5 }, "ERR_OUT_OF_RANGE", nil },
      { { type = "nope", lookup = 1 }, "ERR_INVALID_ARG_TYPE",
        'The "lookup" argument must be of type function. Received type number (1)' },
      { { type = "nope" }, "ERR_SOCKET_BAD_TYPE", "Bad socket type specified. Valid types are: udp4, udp6" },
      { "udp5", "ERR_SOCKET_BAD_TYPE", nil },
      { nil, "ERR_SOCKET_BAD_TYPE", nil },
      { { type = "udp4", signal = {} }, "ERR_INVALID_ARG_TYPE", nil },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(dgram.createSocket, c[1])
      assert.is_false(ok)
      assert.equal(c[2], err.code)
      if c[3] then
        assert.equal(c[3], err.message)
      end
    end
  end)

  it("calls a custom lookup for bind, connect and send with Node's arguments", function()
    local calls = {}
    local function lookup(host, family, cb)
      calls[#calls + 1] = host .. "/" .. family
      cb(nil, "127.0.0.1", 4)
    end
    local s = dgram.createSocket({ type = "udp4", lookup = lookup })
    s:on("message", h.mustCall(function(msg)
      assert.equal("via lookup", msg)
      s:close()
    end))
    s:bind(0, "my.server", h.mustCall(function()
      s:send("via lookup", s:address().port, "other.name", h.mustSucceed())
    end))
    h.run()
    assert.same({ "my.server/4", "other.name/4" }, calls)

    calls = {}
    local c = dgram.createSocket({ type = "udp6", lookup = function(host, family, cb)
      calls[#calls + 1] = host .. "/" .. family
      cb(nil, "::1", 6)
    end })
    c:connect(9, h.mustCall(function()
      c:close()
    end))
    h.run()
    assert.same({ "::/6", "::1/6" }, calls)
  end)

  it("a failed look-up goes to the send callback, or to 'error' without one", function()
    local function fail(host, _, cb)
      local e = setmetatable({ code = "ENOTFOUND", message = "getaddrinfo ENOTFOUND " .. host }, dgram.Error)
      cb(e)
    end
    local s = dgram.createSocket({ type = "udp4", lookup = function(host, family, cb)
      if host == "0.0.0.0" then
        cb(nil, "0.0.0.0", 4)
      else
        fail(host, family, cb)
      end
    end })
    s:send("x", 1234, "nowhere.invalid", h.mustCall(function(err)
      assert.equal("ENOTFOUND", err.code)
      s:on("error", h.mustCall(function(err2)
        assert.equal("getaddrinfo ENOTFOUND nowhere.invalid", err2.message)
        s:close()
      end))
      s:send("y", 1234, "nowhere.invalid")
    end))
    h.run()
  end)

  it("an AbortSignal closes the socket; an already aborted one closes it at once", function()
    local c = dgram.AbortController()
    local s = dgram.createSocket({ type = "udp4", signal = c.signal })
    s:on("close", h.mustCall())
    s:bind(0, "127.0.0.1", h.mustCall(function()
      c:abort()
      assert.is_true(c.signal.aborted)
      assert.equal("AbortError", c.signal.reason.name)
    end))
    h.run()

    local pre = dgram.AbortController()
    pre:abort("why")
    local t = dgram.createSocket({ type = "udp4", signal = pre.signal })
    t:on("close", h.mustCall())
    h.run()
    local ok, err = pcall(t.address, t)
    assert.is_false(ok)
    assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
  end)

  it("a signal-like table without methods: closed at once if aborted, else a TypeError", function()
    -- Node: { aborted: false } throws "signal.addEventListener is not a
    -- function", a TypeError with no code; { aborted: true } just closes.
    local t = dgram.createSocket({ type = "udp4", signal = { aborted = true } })
    t:on("close", h.mustCall())
    h.run()
    local ok, err = pcall(dgram.createSocket, { type = "udp4", signal = { aborted = false } })
    assert.is_false(ok)
    assert.equal(dgram.Error, getmetatable(err))
    assert.equal("TypeError", err.name)
    assert.is_nil(err.code)
    assert.equal("signal.once is not a function", err.message)
    collectgarbage()
    h.run()
  end)
end)
