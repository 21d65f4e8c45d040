-- Replies sent without a callback from a 'message' listener leave in one
-- sendmmsg at the end of the receive batch (src/batch.c). Nothing may tell
-- that apart from Node, which sends each reply when send() is called (at
-- once when connected, one look-up tick later when not): not disconnect(),
-- connect() or setTTL() later in the same listener, nor close(), an
-- oversized reply or mixed sizes. Also Node's EISCONN for a send with an
-- address right after connect(), and connect() on a closed socket.
-- Every scenario was run under Node 20 first.
local dgram = require "dgram"
local h = require "helpers"
local support = require "hardening.support"

local HOST = "127.0.0.1"

-- Sockets bound on `host`, then fn(...) with them.
local function bound(n, host, fn, sockets)
  sockets = sockets or {}
  if #sockets == n then
    return fn((table.unpack or unpack)(sockets))
  end
  local s = dgram.createSocket(host == "::1" and "udp6" or "udp4")
  sockets[#sockets + 1] = s
  s:bind(0, host, function()
    bound(n, host, fn, sockets)
  end)
end

local function closeAll(...)
  for _, s in ipairs({ ... }) do
    s:close()
  end
end

-- `client` sends "1".."count" back to back, so that `server` gets them in
-- one wake-up (one recvmmsg batch).
local function burst(client, server, count)
  local to = server:address()
  for i = 1, count do
    client:send(tostring(i), to.port, to.address)
  end
end

-- Only the first datagram `server` gets is answered, by onMessage(server,
-- msg, rinfo); the rest of the burst is ignored.
local function onFirst(server, onMessage)
  local seen = false
  server:on("message", function(msg, rinfo)
    if not seen then
      seen = true
      onMessage(server, msg, rinfo)
    end
  end)
end

-- spec/ttl_echo.c: a peer that echoes each datagram and reports the TTL it
-- arrived with. Returns its port and a function that waits for it to
-- exit and returns { payload = ttl }.
local function ttlEcho(count)
  local program = assert(support.program("spec/ttl_echo.c", "ttl-echo"))
  local p = assert(io.popen(("env -u LD_PRELOAD %s %d 3000"):format(support.q(program), count)))
  local first = assert(p:read("*l"), "spec/ttl_echo.c did not start")
  local port = tonumber(first:match("^port (%d+)$"))
  return port, function()
    local ttls = {}
    for line in p:lines() do
      local ttl, payload = line:match("^(%-?%d+) (.*)$")
      ttls[payload] = tonumber(ttl)
    end
    p:close()
    return ttls
  end
end

describe("batched connected replies", function()
  it("reach the peer when disconnect() follows in the same listener", function()
    -- Node sends the connected reply at once; the marker, sent unconnected
    -- after disconnect(), follows it.
    bound(2, HOST, function(server, a)
      local aPort = a:address().port
      local got = {}
      a:on("message", h.mustCall(function(msg)
        got[#got + 1] = msg
        if msg == "marker" then
          assert.same({ "reply 1", "marker" }, got)
          closeAll(a, server)
        end
      end, 2))
      onFirst(server, function(_, msg)
        server:send("reply " .. msg)
        server:disconnect()
        server:send("marker", aPort, HOST)
      end)
      server:connect(aPort, HOST, h.mustCall(function()
        burst(a, server, 5)
      end))
    end)
    h.run(3000)
  end)

  it("reach the first peer, not the one connected next in the same listener", function()
    -- Node: the reply has left for A before connect(B) starts; B's first
    -- datagram is the marker sent once connected to B, and B then tells A
    -- "done", which must come after the reply.
    bound(3, HOST, function(server, a, b)
      local aPort, bPort = a:address().port, b:address().port
      local gotA = {}
      a:on("message", h.mustCall(function(msg)
        gotA[#gotA + 1] = msg
        if msg == "done" then
          assert.same({ "reply 1", "done" }, gotA)
          closeAll(a, b, server)
        end
      end, 2))
      b:on("message", h.mustCall(function(msg)
        assert.equal("marker", msg)
        b:send("done", aPort, HOST)
      end))
      onFirst(server, function(_, msg)
        server:send("reply " .. msg)
        server:disconnect()
        server:connect(bPort, HOST, h.mustCall(function()
          server:send("marker")
        end))
      end)
      server:connect(aPort, HOST, h.mustCall(function()
        burst(a, server, 5)
      end))
    end)
    h.run(3000)
  end)

  it("close() in the listener still sends the replies made before it", function()
    -- Node sends connected replies at once, the one in the closing
    -- listener included.
    bound(2, HOST, function(server, client)
      local got, seen = {}, 0
      client:on("message", h.mustCall(function(msg)
        got[#got + 1] = msg
        if msg == "reply 3" then
          assert.same({ "reply 1", "reply 2", "reply 3" }, got)
          client:close()
        end
      end, 3))
      server:on("message", function(msg)
        seen = seen + 1
        server:send("reply " .. msg)
        if seen == 3 then
          server:close()
        end
      end)
      server:connect(client:address().port, HOST, h.mustCall(function()
        burst(client, server, 5)
      end))
    end)
    h.run(3000)
  end)
end)

describe("batched replies and setTTL() later in the same listener", function()
  -- Each scenario: the server sends "hello" to spec/ttl_echo.c, which
  -- echoes it; the server answers the echo with "first", setTTL(7),
  -- "second", and closes once "second" comes back.
  local function scenario(connected)
    local port, report = ttlEcho(3)
    local server = dgram.createSocket("udp4")
    server:on("message", function(msg, rinfo)
      if msg == "hello" then
        if connected then
          server:send("first")
          server:setTTL(7)
          server:send("second")
        else
          server:send("first", rinfo.port, rinfo.address)
          server:setTTL(7)
          server:send("second", rinfo.port, rinfo.address)
        end
      elseif msg == "second" then
        server:close()
      end
    end)
    server:bind(0, HOST, function()
      if connected then
        server:connect(port, HOST, function()
          server:send("hello")
        end)
      else
        server:send("hello", port, HOST)
      end
    end)
    h.run(3000)
    local ttls = report()
    assert.is_number(ttls.hello)
    assert.are_not.equal(7, ttls.hello)
    return ttls
  end

  it("leave a connected reply made before setTTL() with the default TTL", function()
    -- Node: the connected "first" has left before setTTL(7).
    local ttls = scenario(true)
    assert.same({ hello = ttls.hello, first = ttls.hello, second = 7 }, ttls)
  end)

  it("give unconnected replies made before setTTL() the new TTL, as Node does", function()
    -- Node: unconnected sends wait a tick for dns.lookup, so both leave
    -- after setTTL(7).
    local ttls = scenario(false)
    assert.same({ hello = ttls.hello, first = 7, second = 7 }, ttls)
  end)
end)

describe("batched replies that must arrive intact", function()
  -- `client` sends 5 datagrams to `server`, which answers each with
  -- reply(server, msg, rinfo); the client must get exactly `expected`,
  -- in order, the last one ending the spec.
  local function exchange(host, reply, expected)
    bound(2, host, function(server, client)
      local got = {}
      server:on("message", function(msg, rinfo)
        reply(server, msg, rinfo)
      end)
      client:on("message", h.mustCall(function(msg)
        got[#got + 1] = msg
        if #got == #expected then
          assert.same(expected, got)
          closeAll(client, server)
        end
      end, #expected))
      burst(client, server, 5)
    end)
    h.run(3000)
  end

  it("an oversized reply is dropped, the others arrive", function()
    -- Node: 70000 bytes is over UDP's limit; without a callback the
    -- EMSGSIZE is dropped silently.
    exchange(HOST, function(server, msg, rinfo)
      if msg == "3" then
        server:send(("x"):rep(70000), rinfo.port, rinfo.address)
      end
      server:send("reply " .. msg, rinfo.port, rinfo.address)
    end, { "reply 1", "reply 2", "reply 3", "reply 4", "reply 5" })
  end)

  it("IPv6 replies mixed with 0-byte replies", function()
    local expected = {}
    for i = 1, 5 do
      expected[#expected + 1] = ""
      expected[#expected + 1] = "reply " .. i
    end
    exchange("::1", function(server, msg, rinfo)
      server:send("", rinfo.port, rinfo.address)
      server:send("reply " .. msg, rinfo.port, rinfo.address)
    end, expected)
  end)
end)

describe("connect()", function()
  it("then send() with an address in the same tick calls back EISCONN and sends nothing", function()
    -- Node 20: connect's look-up tick comes first, so the send finds the
    -- socket connected. The marker, sent from another socket after the
    -- callback, must be the first datagram the peer sees.
    bound(3, HOST, function(peer, s, other)
      local port = peer:address().port
      peer:on("message", h.mustCall(function(msg)
        assert.equal("marker", msg)
        closeAll(peer, s, other)
      end))
      s:connect(port, HOST, h.mustCall())
      s:send("m", port, HOST, h.mustCall(function(err, bytes)
        assert.same({
          err = {
            name = "Error", code = "EISCONN", errno = -106, syscall = "send",
            message = "send EISCONN 127.0.0.1:" .. port, address = HOST, port = port,
          },
        }, {
          err = err and {
            name = err.name, code = err.code, errno = err.errno, syscall = err.syscall,
            message = err.message, address = err.address, port = err.port,
          },
          bytes = bytes,
        })
        other:send("marker", port, HOST)
      end))
    end)
    h.run(3000)
  end)

  it("on a socket bound and then closed raises ERR_SOCKET_DGRAM_NOT_RUNNING", function()
    -- Node 20 throws a bare TypeError (state.handle is null); the module
    -- raises NOT_RUNNING, its rule for closed sockets (README).
    local s = dgram.createSocket("udp4")
    s:bind(0, HOST, h.mustCall(function()
      s:close(h.mustCall())
    end))
    h.run(3000)
    local ok, err = pcall(s.connect, s, 9, HOST, h.mustNotCall())
    assert.is_false(ok)
    assert.equal(dgram.Error, getmetatable(err))
    assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
    assert.equal("Not running", err.message)
    h.run(3000)
  end)
end)
