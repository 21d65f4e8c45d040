-- Empty and maximum datagrams. "", {} and {"", ""} each arrive as one
-- datagram with msg == "" and rinfo.size == 0, never dropped: in lock-step
-- rounds and in bursts that share a receive batch, over udp4 and udp6,
-- connected or not. The largest payloads (65,507 bytes over udp4, 65,527
-- over udp6, whole or as a list of pieces) arrive intact, in receive
-- batches mixed with empty ones. HARDEN_EMPTY_ROUNDS / HARDEN_MAX_COUNT
-- (SOAK=1: 100,000 rounds, 5,000 payloads) make it longer.
local h = require "helpers"
local dgram = require "dgram"
local support = require "hardening.support"

local ROUNDS = support.size("HARDEN_EMPTY_ROUNDS", 2000, 100000)
local MAX_COUNT = support.size("HARDEN_MAX_COUNT", 200, 5000)
local RUN_MS = support.SOAK and 600000 or 20000

local FAMILIES = {
  { type = "udp4", host = "127.0.0.1", max = 65507 },
  { type = "udp6", host = "::1", max = 65527 },
}

-- A payload of `size` bytes that differs for every `seq`.
local function payload(seq, size)
  local head = ("%08d:"):format(seq)
  local unit = head .. string.char(seq % 251, (seq * 7) % 256, (seq * 13 + 1) % 256)
  local body = unit:rep(math.floor(size / #unit) + 1)
  return body:sub(1, size)
end

-- Receiver: counts empties between markers; calls onMarker(n, empties).
local function receiver(fam, onMarker, onOther)
  local r = dgram.createSocket({ type = fam.type, recvBufferSize = 4 * 1024 * 1024 })
  local empties = 0
  r:on("message", function(msg, rinfo)
    assert(rinfo.truncated == nil, "a datagram was truncated")
    assert.equal(#msg, rinfo.size)
    if msg == "" then
      empties = empties + 1
    elseif msg:sub(1, 7) == "marker " then
      local n = empties
      empties = 0
      onMarker(tonumber(msg:sub(8)), n)
    else
      onOther(msg, rinfo)
    end
  end)
  return r
end

describe("empty and maximum datagrams", function()
  for _, fam in ipairs(FAMILIES) do
    for _, connected in ipairs({ false, true }) do
      local how = connected and "connected" or "unconnected"
      it(("%s %s: \"\", {} and {\"\", \"\"} arrive as empty datagrams, %d rounds"):format(fam.type, how, ROUNDS),
        function()
          local s = dgram.createSocket(fam.type)
          local round = 0
          local send
          local r = receiver(fam, function(n, empties)
            assert.equal(round, n)
            assert(empties == 3, ("round %d: %d empty datagrams of 3"):format(n, empties))
            if round == ROUNDS then
              s:close()
              return -- the receiver closes on the sender's 'close'
            end
            send()
          end, function(msg)
            error("unexpected datagram of " .. #msg .. " bytes")
          end)
          s:on("close", function() r:close() end)
          -- The marker goes once the three empty sends called back, so it
          -- cannot overtake them (see the ordering case below).
          local callbacks, pending = 0, 0
          local function cb(err, bytes)
            assert.is_nil(err)
            callbacks = callbacks + 1
            if bytes == 0 then
              pending = pending - 1
              if pending == 0 then
                if connected then
                  s:send("marker " .. round, cb)
                else
                  s:send("marker " .. round, r:address().port, fam.host, cb)
                end
              end
            end
          end
          function send()
            round = round + 1
            pending = 3
            if connected then
              s:send("", cb)
              s:send({}, cb)
              s:send({ "", "" }, cb)
            else
              local port = r:address().port
              s:send("", port, fam.host, cb)
              s:send({}, port, fam.host, cb)
              s:send({ "", "" }, port, fam.host, cb)
            end
          end
          r:bind(0, fam.host, h.mustCall(function()
            if connected then
              s:connect(r:address().port, fam.host, h.mustCall(send))
            else
              s:bind(0, fam.host, h.mustCall(send))
            end
          end))
          h.run(RUN_MS)
          assert.equal(4 * ROUNDS, callbacks)
        end)
    end

    it(fam.type .. ": bursts of 300 empty datagrams, one receive batch after another, none dropped", function()
      local BURST, BURSTS = 300, 20
      local s = dgram.createSocket(fam.type)
      local sent = 0
      local function burst()
        sent = sent + 1
        local port = s._peerPort
        for i = 1, BURST do
          -- the three forms and the offset/length form of an empty message
          local k = i % 4
          if k == 0 then
            s:send("", port, fam.host)
          elseif k == 1 then
            s:send({}, port, fam.host)
          elseif k == 2 then
            s:send({ "", "" }, port, fam.host)
          else
            s:send("abc", 3, 0, port, fam.host)
          end
        end
        -- the marker after the last of them went out
        s:send("", port, fam.host, function()
          s:send("marker " .. sent, port, fam.host)
        end)
      end
      local r = receiver(fam, function(n, empties)
        assert.equal(sent, n)
        assert(empties == BURST + 1, ("burst %d: %d empty datagrams of %d"):format(n, empties, BURST + 1))
        if n == BURSTS then
          s:close()
        else
          burst()
        end
      end, function(msg)
        error("unexpected datagram of " .. #msg .. " bytes")
      end)
      s:on("close", function() r:close() end)
      r:bind(0, fam.host, h.mustCall(function()
        s._peerPort = r:address().port
        s:bind(0, fam.host, h.mustCall(burst))
      end))
      h.run(RUN_MS)
    end)

    it(("%s: %d payloads of %d bytes (whole and in pieces) arrive intact"):format(fam.type, MAX_COUNT, fam.max),
      function()
        local s = dgram.createSocket({ type = fam.type, sendBufferSize = 1024 * 1024 })
        local WINDOW = 8
        local sent, received, intact = 0, 0, 0
        local r
        local function sendOne()
          sent = sent + 1
          local data = payload(sent, fam.max)
          local port = r:address().port
          if sent % 3 == 0 then
            -- as a list of pieces of different sizes
            s:send({ data:sub(1, 1), data:sub(2, 40000), data:sub(40001) }, port, fam.host,
              h.mustSucceed(function(n) assert.equal(fam.max, n) end))
          else
            s:send(data, port, fam.host, h.mustSucceed(function(n) assert.equal(fam.max, n) end))
          end
          s:send("", port, fam.host) -- an empty one in the same batch
        end
        r = receiver(fam, function() end, function(msg, rinfo)
          received = received + 1
          assert.equal(fam.max, rinfo.size)
          local seq = tonumber(msg:sub(1, 8))
          if seq and msg == payload(seq, fam.max) then
            intact = intact + 1
          end
          if sent < MAX_COUNT then
            sendOne()
          elseif received == MAX_COUNT then
            s:close()
            r:close()
          end
        end)
        r:bind(0, fam.host, h.mustCall(function()
          s:bind(0, fam.host, h.mustCall(function()
            for _ = 1, math.min(WINDOW, MAX_COUNT) do
              sendOne()
            end
          end))
        end))
        h.run(RUN_MS)
        support.report(fam.type .. " maximum payloads", { payloads = received, intact = intact, size = fam.max })
        assert.equal(MAX_COUNT, received)
        assert.equal(MAX_COUNT, intact)
      end)
  end

  -- Node sends every datagram after its look-up (a tick for an IP
  -- literal), so datagrams from one socket leave in the order of the send()
  -- calls, whatever their form. Checked with node on this machine:
  -- "1 2 3 4 5 6".
  it("datagrams of every form sent in one tick arrive in the order sent, as in Node", function()
    local r = dgram.createSocket("udp4")
    local got = {}
    r:on("message", function(msg)
      got[#got + 1] = msg
      if #got == 6 then
        r:close()
      end
    end)
    r:bind(0, "127.0.0.1", h.mustCall(function()
      local s = dgram.createSocket("udp4")
      s:bind(0, "127.0.0.1", h.mustCall(function()
        local port = r:address().port
        s:send({ "1" }, port, "127.0.0.1")
        s:send("x2x", 1, 1, port, "127.0.0.1")
        s:send("3", port, "127.0.0.1")
        s:send({ "", "4" }, port, "127.0.0.1")
        s:send("5", port, "127.0.0.1", function() end)
        s:send("6", port)
        dgram.setTimeout(function() s:close() end, 20)
      end))
    end))
    h.run()
    assert.same({ "1", "2", "3", "4", "5", "6" }, got)
  end)
end)
