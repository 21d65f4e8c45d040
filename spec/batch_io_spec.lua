-- Batch I/O beyond Node (API.md, docs/batch-io.md): sock:sendMany(list[,
-- port][, address][, callback]) and createSocket{gro = true}. sendMany's
-- datagrams arrive whole and in order, among the socket's other sends;
-- validation, look-up, errors and callback(err, count) are send()'s; a
-- kernel that refuses segmentation (forced with DGRAM_TEST_GSO_REFUSED)
-- only costs speed. A GRO socket gets, datagram by datagram, what a plain
-- one gets from the same segmenting sender.
local dgram = require "dgram"
local core = require "dgram.core"
local h = require "helpers"

local HOST = "127.0.0.1"

-- Datagrams 1 to n (h.numberedDatagram), each of `size` bytes.
local function datagrams(n, size)
  local list = {}
  for i = 1, n do list[i] = h.numberedDatagram(i, size) end
  return list
end

-- Runs of equal sizes with a shorter last one, single odd sizes, an empty
-- datagram, and a run longer than one segmented send (64 datagrams).
local function mixedList()
  local list, sizes = {}, {}
  for _ = 1, 70 do sizes[#sizes + 1] = 1400 end
  sizes[#sizes + 1] = 300
  for _ = 1, 10 do sizes[#sizes + 1] = 64 end
  sizes[#sizes + 1] = 0
  sizes[#sizes + 1] = 9000
  sizes[#sizes + 1] = 9000
  sizes[#sizes + 1] = 1
  for _ = 1, 5 do sizes[#sizes + 1] = 1200 end
  for i, size in ipairs(sizes) do
    list[i] = h.numberedDatagram(i, size)
  end
  return list
end

-- A receiver (`options`, by default udp4 with BIG_BUFFER) that collects
-- `count` datagrams, then calls done(messages, rinfos).
local BIG_BUFFER = 4 * 1024 * 1024 -- net.core.rmem_max here: nothing dropped

local function receiver(count, done, options)
  local r = dgram.createSocket(options or { type = "udp4", recvBufferSize = BIG_BUFFER })
  local msgs, infos = {}, {}
  r:on("message", function(msg, rinfo)
    msgs[#msgs + 1] = msg
    infos[#infos + 1] = rinfo
    if #msgs == count then
      done(msgs, infos)
    end
  end)
  return r
end

-- From the sender s to a receiver(count, ..., options) bound on `host`
-- (default HOST), and runs the loop: once the receiver is bound,
-- send(port) sends to its port; once it has `count` datagrams, check(msgs,
-- rinfos, receiverSocket) runs, then both sockets close.
local function sendToReceiver(s, count, send, check, options, host)
  local r
  r = receiver(count, h.mustCall(function(msgs, infos)
    check(msgs, infos, r)
    r:close()
    s:close()
  end), options)
  r:bind(0, host or HOST, h.mustCall(function()
    send(r:address().port)
  end))
  h.run()
end

local function assertSame(expected, got)
  assert.equal(#expected, #got)
  for i = 1, #expected do
    if expected[i] ~= got[i] then
      error(("datagram %d differs: %d bytes expected, %d received"):format(i, #expected[i], #got[i]))
    end
  end
end

-- Sources run by h.lua start with this: a receiver r with BIG_BUFFER, a
-- sender s, and expect(expected, done), which asserts that r gets the
-- datagrams of `expected` in order; after the last, done() runs, then both
-- sockets close.
local CHILD_PRELUDE = ([[
local dgram = require "dgram"
local core = require "dgram.core"
local r = dgram.createSocket({ type = "udp4", recvBufferSize = %d })
local s = dgram.createSocket("udp4")
local function expect(expected, done)
  local got = 0
  r:on("message", function(msg)
    got = got + 1
    assert(msg == expected[got], "datagram " .. got)
    if got == #expected then
      done()
      r:close()
      s:close()
    end
  end)
end
]]):format(BIG_BUFFER)

local function errorOf(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok)
  return err
end

describe("sendMany", function()
  it("delivers every datagram whole and in order, and calls back (nil, count) later", function()
    local list = mixedList()
    local s = dgram.createSocket("udp4")
    sendToReceiver(s, #list, function(port)
      local returned = false
      s:sendMany(list, port, HOST, h.mustCall(function(err, count)
        assert.is_true(returned)
        assert.is_nil(err)
        assert.equal(#list, count)
      end))
      returned = true
    end, function(msgs, infos)
      assertSame(list, msgs)
      for i = 1, #list do
        assert.equal(#list[i], infos[i].size)
        assert.equal(s:address().port, infos[i].port)
      end
    end)
  end)

  it("segments equal sizes where the kernel allows it", function()
    local list = datagrams(40, 1000)
    local s = dgram.createSocket("udp4")
    sendToReceiver(s, #list, function(port)
      s:sendMany(list, port, HOST)
    end, function(msgs)
      assertSame(list, msgs)
      assert.equal("on", core.udp_gso_state(s._state.handle))
    end)
  end)

  it("keeps its place among send()s on the same socket", function()
    local s = dgram.createSocket("udp4")
    local expected = { "first", "a1", "a2", "a3", "middle", "b1", "b2", "last" }
    sendToReceiver(s, #expected, function(port)
      s:send("first", port, HOST)
      s:sendMany({ "a1", "a2", "a3" }, port, HOST)
      s:send("middle", port, HOST, h.mustCall())
      s:sendMany({ "b1", "b2" }, port, HOST, h.mustCall())
      s:send("last", port, HOST)
    end, function(msgs)
      assertSame(expected, msgs)
    end)
  end)

  it("binds an unbound socket first, and sends to the connected peer", function()
    local list = { "x1", "x2", "x3" }
    local s = dgram.createSocket("udp4")
    sendToReceiver(s, #list, function(port)
      s:connect(port, HOST, h.mustCall(function()
        assert.equal(port, s:remoteAddress().port)
        s:sendMany(list, h.mustCall(function(err, count)
          assert.is_nil(err)
          assert.equal(3, count)
        end))
      end))
    end, function(msgs)
      assertSame(list, msgs)
    end)
  end)

  it("asks the socket's lookup for a host name", function()
    local list = { "l1", "l2" }
    local asked = {}
    local s = dgram.createSocket({ type = "udp4", lookup = function(name, family, cb)
      asked[#asked + 1] = name .. "/" .. family
      cb(nil, HOST, 4)
    end })
    sendToReceiver(s, #list, function(port)
      s:sendMany(list, port, "peer.invalid", h.mustSucceed())
    end, function(msgs)
      assertSame(list, msgs)
      assert.equal("peer.invalid/4", asked[#asked])
    end)
  end)

  it("an empty list calls back (nil, 0)", function()
    local s = dgram.createSocket("udp4")
    s:sendMany({}, 9, HOST, h.mustCall(function(err, count)
      assert.is_nil(err)
      assert.equal(0, count)
      s:close()
    end))
    h.run()
  end)

  it("validates as send() does", function()
    local s = dgram.createSocket("udp4")
    local err = errorOf(s.sendMany, s, "text", 9, HOST)
    assert.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.equal('The "list" argument must be an instance of Array. Received type string (\'text\')', err.message)
    err = errorOf(s.sendMany, s, { "a", 5 }, 9, HOST)
    assert.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.equal('The "list[2]" argument must be of type string. Received type number (5)', err.message)
    err = errorOf(s.sendMany, s, { "a" }, 0, HOST)
    assert.equal("ERR_SOCKET_BAD_PORT", err.code)
    assert.equal("Port should be > 0 and < 65536. Received type number (0).", err.message)
    err = errorOf(s.sendMany, s, { "a" }, nil)
    assert.equal("ERR_SOCKET_BAD_PORT", err.code)
    err = errorOf(s.sendMany, s, { "a" }, 9, 42)
    assert.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.equal('The "address" argument must be of type string. Received type number (42)', err.message)
    s:close()
    err = errorOf(s.sendMany, s, { "a" }, 9, HOST)
    assert.equal("ERR_SOCKET_DGRAM_NOT_RUNNING", err.code)
    h.run()
  end)

  it("refuses a port or an address on a connected socket", function()
    local r = dgram.createSocket("udp4")
    local s = dgram.createSocket("udp4")
    r:bind(0, HOST, h.mustCall(function()
      s:connect(r:address().port, HOST, h.mustCall(function()
        local err = errorOf(s.sendMany, s, { "a" }, r:address().port)
        assert.equal("ERR_SOCKET_DGRAM_IS_CONNECTED", err.code)
        assert.equal("Already connected", err.message)
        err = errorOf(s.sendMany, s, { "a" }, nil, HOST)
        assert.equal("ERR_SOCKET_DGRAM_IS_CONNECTED", err.code)
        r:close()
        s:close()
      end))
    end))
    h.run()
  end)

  it("reports the first failure and how many left before it", function()
    local list = { "one", "two", ("x"):rep(70000), "after" }
    local s = dgram.createSocket("udp4")
    sendToReceiver(s, 3, function(port)
      s:sendMany(list, port, HOST, h.mustCall(function(err, count)
        assert.equal("EMSGSIZE", err.code)
        assert.equal("send", err.syscall)
        assert.equal(HOST, err.address)
        assert.equal(port, err.port)
        assert.equal("send EMSGSIZE " .. HOST .. ":" .. port, err.message)
        assert.equal(2, count)
        s:send("next", port, HOST)
      end))
    end, function(msgs)
      -- "after" is not sent: what follows "two" is the datagram sent next.
      assertSame({ "one", "two", "next" }, msgs)
    end)
  end)

  it("an address of the other family fails as send()'s does", function()
    local s = dgram.createSocket("udp4")
    s:sendMany({ "a" }, 1234, "::1", h.mustCall(function(err, count)
      assert.equal("EINVAL", err.code)
      assert.equal("send EINVAL ::1:1234", err.message)
      assert.equal(0, count)
      s:close()
    end))
    h.run()
  end)

  it("a failed look-up without a callback is an 'error' event", function()
    local s = dgram.createSocket({ type = "udp4", lookup = function(name, _, cb)
      if name == "nowhere.invalid" then
        cb({ code = "ENOTFOUND" })
      else
        cb(nil, "0.0.0.0", 4)
      end
    end })
    s:on("error", h.mustCall(function(err)
      assert.equal("ENOTFOUND", err.code)
      s:close()
    end))
    s:sendMany({ "a" }, 9, "nowhere.invalid")
    h.run()
  end)

  it("queued behind libuv's queue, still in order, calls back with the count", function()
    local out, ok = h.lua(CHILD_PRELUDE .. [[
      expect({ "s1", "m1", "m2", "m3", "m4", "s2" }, function()
        print("s1 to s2 in order")
      end)
      r:bind(0, "127.0.0.1", function()
        local port = r:address().port
        s:send("s1", port, "127.0.0.1")
        s:sendMany({ "m1", "m2", "m3", "m4" }, port, "127.0.0.1", function(err, count)
          print("callback", err, count)
        end)
        s:send("s2", port, "127.0.0.1")
      end)
      dgram.run()
    ]], "DGRAM_TEST_NO_TRY_SEND=1")
    assert(ok, out)
    assert.equal("callback\tnil\t4\ns1 to s2 in order\n", out)
  end)

  it("falls back for good where the kernel refuses segmentation (DGRAM_TEST_GSO_REFUSED)", function()
    local source = CHILD_PRELUDE .. [[
      local list, expected = {}, {}
      for i = 1, 100 do list[i] = ("%04d"):format(i):rep(300) end
      for i = 1, 200 do expected[i] = list[(i - 1) % 100 + 1] end -- the list, sent twice
      expect(expected, function()
        print(core.udp_gso_state(s._state.handle), #expected)
      end)
      r:bind(0, "127.0.0.1", function()
        s:sendMany(list, r:address().port, "127.0.0.1", function(err, n)
          assert(err == nil and n == 100)
          print(core.udp_gso_state(s._state.handle))
          s:sendMany(list, r:address().port, "127.0.0.1")
        end)
      end)
      dgram.run()
    ]]
    local out, ok = h.lua(source, "DGRAM_TEST_GSO_REFUSED=1")
    assert(ok, out)
    assert.equal("off\noff\t200\n", out)
    out, ok = h.lua(source)
    assert(ok, out)
    assert.equal("on\non\t200\n", out)
  end)
  it("a refused run of wide segments goes unsegmented without turning segmentation off", function()
    -- Segments wider than 1232 bytes may not fit the path: EINVAL for them
    -- is no proof that the kernel lacks segmentation.
    local out, ok = h.lua(CHILD_PRELUDE .. [[
      local wide = { ("w"):rep(9000), ("v"):rep(9000) }
      local narrow = {}
      for i = 1, 10 do narrow[i] = ("%02d"):format(i):rep(500) end
      local expected = { wide[1], wide[2], wide[1], wide[2] }
      for i = 1, 10 do expected[#expected + 1] = narrow[i] end
      expect(expected, function()
        print(core.udp_gso_state(s._state.handle))
      end)
      r:bind(0, "127.0.0.1", function()
        local port = r:address().port
        s:sendMany(wide, port, "127.0.0.1", function()
          print(core.udp_gso_state(s._state.handle))
          local list = { wide[1], wide[2] }
          for i = 1, #narrow do list[#list + 1] = narrow[i] end
          s:sendMany(list, port, "127.0.0.1")
        end)
      end)
      dgram.run()
    ]], "DGRAM_TEST_GSO_REFUSED=1")
    assert(ok, out)
    assert.equal("unknown\noff\n", out)
  end)
end)

describe("createSocket{gro = true}", function()
  it("a GRO socket and a plain one get the same datagrams from one segmenting sender", function()
    local list = mixedList()
    for i = 1, 200 do list[#list + 1] = h.numberedDatagram(1000 + i, 1400) end
    local s = dgram.createSocket("udp4")
    local results = {}
    local plain, gro
    local function finish(name, sock)
      return function(msgs, infos)
        local rows = {}
        for i, msg in ipairs(msgs) do
          rows[i] = ("%d %d %d"):format(i, infos[i].size, h.adler32(msg))
        end
        results[name] = rows
        if name == "gro" then
          results.coalesced = core.udp_gro_coalesced(sock._state.handle)
        end
        sock:close()
        if results.plain and results.gro then
          s:close()
        end
      end
    end
    plain = receiver(#list, h.mustCall(function(...) finish("plain", plain)(...) end),
      { type = "udp4", recvBufferSize = BIG_BUFFER })
    gro = receiver(#list, h.mustCall(function(...) finish("gro", gro)(...) end),
      { type = "udp4", gro = true, recvBufferSize = BIG_BUFFER })
    plain:bind(0, HOST, h.mustCall(function()
      gro:bind(0, HOST, h.mustCall(function()
        s:sendMany(list, plain:address().port, HOST)
        s:sendMany(list, gro:address().port, HOST)
      end))
    end))
    h.run()
    local expected = {}
    for i, msg in ipairs(list) do
      expected[i] = ("%d %d %d"):format(i, #msg, h.adler32(msg))
    end
    assert.same(expected, results.plain)
    assert.same(expected, results.gro)
    -- Reading with GRO here (Linux), the kernel did coalesce.
    assert.is_true(results.coalesced > 0, "coalesced buffers: " .. tostring(results.coalesced))
  end)

  it("works on udp6 over ::1 too", function()
    local list = datagrams(49, 1200)
    list[50] = h.numberedDatagram(50, 10)
    local s = dgram.createSocket("udp6")
    sendToReceiver(s, #list, function(port)
      s:sendMany(list, port, "::1", h.mustSucceed())
    end, function(msgs, infos, r)
      assertSame(list, msgs)
      assert.equal("IPv6", infos[1].family)
      assert.equal("::1", infos[1].address)
      assert.is_true(core.udp_gro_coalesced(r._state.handle) > 0)
    end, { type = "udp6", gro = true, recvBufferSize = BIG_BUFFER }, "::1")
  end)

  it("datagrams sent one at a time arrive one at a time", function()
    local list = { "p1", "p2", "", "p4" }
    local s = dgram.createSocket("udp4")
    sendToReceiver(s, #list, function(port)
      for _, msg in ipairs(list) do
        s:send(msg, port, HOST)
      end
    end, function(msgs, infos)
      assertSame(list, msgs)
      assert.equal(0, infos[3].size)
    end, { type = "udp4", gro = true })
  end)

  it("an error raised by a listener comes out of run(), and the rest of the buffer follows in order", function()
    local list = datagrams(30, 500)
    local s = dgram.createSocket("udp4")
    local r = dgram.createSocket({ type = "udp4", gro = true })
    local got = {}
    r:on("message", function(msg)
      got[#got + 1] = msg
      if #got == 3 then
        error("raised at 3")
      elseif #got == #list then
        r:close()
        s:close()
      end
    end)
    r:bind(0, HOST, function()
      s:sendMany(list, r:address().port, HOST)
    end)
    local ok, err = pcall(dgram.run)
    assert.is_false(ok)
    assert.matches("raised at 3", tostring(err))
    assert.equal(3, #got)
    h.run()
    assertSame(list, got)
  end)

  it("closing inside a listener stops the rest of a coalesced buffer", function()
    local list = datagrams(30, 500)
    local s = dgram.createSocket("udp4")
    local r = dgram.createSocket({ type = "udp4", gro = true })
    r:on("message", h.mustCall(function()
      r:close()
      s:close()
    end))
    r:bind(0, HOST, h.mustCall(function()
      s:sendMany(list, r:address().port, HOST)
    end))
    h.run()
  end)

  it("an unref'd GRO socket does not keep the loop running", function()
    local r = dgram.createSocket({ type = "udp4", gro = true })
    r:bind(0, HOST, h.mustCall(function()
      r:unref()
    end))
    local timedOut = false
    local watchdog = dgram.setTimeout(function()
      timedOut = true
      dgram.stop()
    end, 3000 * h.SLOWDOWN)
    watchdog:unref()
    dgram.run()
    dgram.clearTimeout(watchdog)
    assert.is_false(timedOut)
    assert.is_false(core.udp_is_closed(r._state.handle))
    r:close()
    h.run()
  end)

  it("validates the option as Node validates booleans", function()
    local err = errorOf(dgram.createSocket, { type = "udp4", gro = 1 })
    assert.equal("ERR_INVALID_ARG_TYPE", err.code)
    assert.equal('The "options.gro" property must be of type boolean. Received type number (1)', err.message)
    err = errorOf(dgram.createSocket, { type = "udp4", gro = "yes" })
    assert.equal("ERR_INVALID_ARG_TYPE", err.code)
    dgram.createSocket({ type = "udp4", gro = false }):close()
    h.run()
  end)
end)

describe("replies batched at the end of a receive batch", function()
  it("leave segmented to one peer with one size, each still its own datagram", function()
    local list = datagrams(40, 700)
    local server = dgram.createSocket("udp4")
    local client
    server:on("message", function(msg, rinfo)
      server:send(msg, rinfo.port, rinfo.address)
    end)
    client = receiver(#list, h.mustCall(function(msgs, infos)
      assertSame(list, msgs)
      for i = 1, #list do assert.equal(700, infos[i].size) end
      assert.equal("on", core.udp_gso_state(server._state.handle))
      client:close()
      server:close()
    end))
    server:bind(0, HOST, h.mustCall(function()
      client:bind(0, HOST, h.mustCall(function()
        client:sendMany(list, server:address().port, HOST)
      end))
    end))
    h.run()
  end)
end)
