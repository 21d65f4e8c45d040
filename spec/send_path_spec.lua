-- The send fast path remembers the last socket it found for a Socket
-- object: sends through several sockets in turn, and sends after a close,
-- must still go out of (or fail on) the socket they were made on.
local dgram = require "dgram"
local h = require "helpers"

describe("send on the fast path", function()
  it("sends each datagram from the socket it was sent on, sockets taking turns", function()
    local server = dgram.createSocket("udp4")
    local senders = { dgram.createSocket("udp4"), dgram.createSocket("udp4"), dgram.createSocket("udp4") }
    local count, got = 12, {}
    local senderPorts -- set once every socket is bound
    server:on("message", function(msg, rinfo)
      got[#got + 1] = { msg = msg, port = rinfo.port }
      if #got == count then
        server:close()
        for _, s in ipairs(senders) do s:close() end
      end
    end)
    h.bindServerAndClients("127.0.0.1", server, senders, function(port, ports)
      senderPorts = ports
      for i = 1, count do
        local k = (i - 1) % #senders + 1
        senders[k]:send(tostring(k), port, "127.0.0.1")
      end
    end)
    h.run()
    assert.equal(count, #got)
    for _, g in ipairs(got) do
      assert.equal(senderPorts[tonumber(g.msg)], g.port)
    end
  end)

  it("raises ERR_SOCKET_DGRAM_NOT_RUNNING on a socket closed right after a send", function()
    local server = dgram.createSocket("udp4")
    local a, b = dgram.createSocket("udp4"), dgram.createSocket("udp4")
    server:on("message", h.mustCall(function(msg)
      assert.equal("from b", msg)
      server:close()
      b:close()
    end))
    server:bind(0, "127.0.0.1", function()
      local port = server:address().port
      a:bind(0, "127.0.0.1", function()
        a:send("warm", 9, "127.0.0.1") -- the fast path now knows a
        a:close()
        local ok, err = pcall(a.send, a, "from a", port, "127.0.0.1")
        assert.is_false(ok)
        assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
        assert.equal("Not running", err.message)
        b:bind(0, "127.0.0.1", function()
          b:send("from b", port, "127.0.0.1")
        end)
      end)
    end)
    h.run()
  end)

  it("sends from a new socket made after the last one known was closed and collected", function()
    local server = dgram.createSocket("udp4")
    local rounds, received = 5, 0
    local function round(port, left)
      local s = dgram.createSocket("udp4")
      s:bind(0, "127.0.0.1", function()
        local from = s:address().port
        s:send(tostring(from), port, "127.0.0.1", h.mustSucceed(function()
          s:close()
          s = nil
          collectgarbage()
          collectgarbage()
          if left > 1 then round(port, left - 1) end
        end))
      end)
    end
    server:on("message", h.mustCall(function(msg, rinfo)
      assert.equal(tostring(rinfo.port), msg)
      received = received + 1
      if received == rounds then server:close() end
    end, rounds))
    server:bind(0, "127.0.0.1", function()
      round(server:address().port, rounds)
    end)
    h.run()
  end)
end)
