-- Replies sent from a receive batch (recvmmsg) leave together in one
-- sendmmsg: they must arrive complete and in order, also when sends with
-- callbacks (which are not batched) are mixed in, and when the socket
-- closes in the middle of a batch.
local dgram = require "dgram"
local h = require "helpers"

local function echoServer(onMessage)
  local server = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024 })
  server:on("message", function(msg, rinfo) onMessage(server, msg, rinfo) end)
  return server
end

local function client(count, port, onAll)
  local c = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024 })
  local got = {}
  c:on("message", function(msg)
    got[#got + 1] = msg
    if #got == count then
      onAll(got)
      c:close()
    end
  end)
  c:bind(0, "127.0.0.1", function()
    for i = 1, math.floor(count / 2) do
      c:send(tostring(i), port, "127.0.0.1")
    end
  end)
end

describe("batched replies", function()
  it("arrive complete and in order, interleaved with sends that have callbacks", function()
    local N = 400
    local server = echoServer(function(s, msg, rinfo)
      s:send("a" .. msg, rinfo.port, rinfo.address)
      s:send("b" .. msg, rinfo.port, rinfo.address, function(err) assert.is_nil(err) end)
    end)
    server:bind(0, "127.0.0.1", function()
      client(N, server:address().port, h.mustCall(function(got)
        for i = 1, math.floor(N / 2) do
          assert.equal("a" .. i, got[2 * i - 1])
          assert.equal("b" .. i, got[2 * i])
        end
        server:close()
      end))
    end)
    h.run(10000)
  end)

  it("more replies than one sendmmsg carries still all arrive", function()
    local N = 600
    local server = echoServer(function(s, msg, rinfo)
      for k = 1, 2 do
        s:send(msg .. "/" .. k, rinfo.port, rinfo.address)
      end
    end)
    server:bind(0, "127.0.0.1", function()
      client(N, server:address().port, h.mustCall(function(got)
        assert.equal(N, #got)
        assert.equal("1/1", got[1])
        assert.equal(("%d/2"):format(N / 2), got[N])
        server:close()
      end))
    end)
    h.run(10000)
  end)

  it("replies batched before close() in the same batch still go out", function()
    local seen = 0
    local c = dgram.createSocket("udp4")
    local server = echoServer(function(s, msg, rinfo)
      seen = seen + 1
      s:send("reply " .. msg, rinfo.port, rinfo.address)
      if seen == 3 then
        s:close()
      end
    end)
    c:on("message", h.mustCall(function(msg)
      if msg == "reply 3" then c:close() end
    end, 3))
    server:bind(0, "127.0.0.1", function()
      c:bind(0, "127.0.0.1", function()
        for i = 1, 10 do c:send(tostring(i), server:address().port, "127.0.0.1") end
      end)
    end)
    h.run(5000)
    assert.equal(3, seen)
  end)
end)
