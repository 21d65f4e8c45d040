-- Port of test/parallel/test-dgram-send-default-host.js: every form of
-- send() without an address reaches 127.0.0.1; rinfo.size adds up to what
-- was sent.
--
-- Lua mapping: common.getArrayBufferViews(buf) gives one view per
-- TypedArray class plus a DataView over the same bytes (13 in Node 25);
-- every one of them is the same string here, so each is sent as that
-- string, keeping Node's number of sends and messages.
local common = require "common"
local dgram = require "dgram"

local ARRAY_BUFFER_VIEWS = 13

local function getArrayBufferViews(buf)
  local out = {}
  for i = 1, ARRAY_BUFFER_VIEWS do
    out[i] = buf
  end
  return out
end

describe("test-dgram-send-default-host", function()
  it("sends without an address reach 127.0.0.1", function()
    local client = dgram.createSocket("udp4")

    local toSend = { ("x"):rep(256), ("y"):rep(256), ("z"):rep(256), "hello" }

    local received = {}
    local totalBytesSent = 0
    local totalBytesReceived = 0
    local arrayBufferViewsCount = #getArrayBufferViews("")

    client:on("listening", common.mustCall(function()
      local port = client:address().port

      client:send(toSend[1], 0, #toSend[1], port)
      client:send(toSend[2], port)
      client:send({ toSend[3] }, port)
      client:send(toSend[4], 0, #toSend[4], port)

      for _, buf in ipairs(toSend) do
        totalBytesSent = totalBytesSent + #buf
      end

      for _, msgBuf in ipairs(getArrayBufferViews(toSend[1])) do
        client:send(msgBuf, 0, #msgBuf, port)
        totalBytesSent = totalBytesSent + #msgBuf
      end
      for _, msgBuf in ipairs(getArrayBufferViews(toSend[2])) do
        client:send(msgBuf, port)
        totalBytesSent = totalBytesSent + #msgBuf
      end
      for _, msgBuf in ipairs(getArrayBufferViews(toSend[3])) do
        client:send({ msgBuf }, port)
        totalBytesSent = totalBytesSent + #msgBuf
      end
    end))

    client:on("message", common.mustCall(function(buf, info)
      received[#received + 1] = buf
      totalBytesReceived = totalBytesReceived + info.size

      if totalBytesReceived == totalBytesSent then
        client:close()
      end
      -- For every buffer in `toSend`, we send the raw Buffer,
      -- as well as every TypedArray in getArrayBufferViews()
    end, #toSend + (#toSend - 1) * arrayBufferViewsCount))

    client:on("close", common.mustCall(function()
      -- The replies may arrive out of order -> sort them before checking.
      table.sort(received)

      local repeated = { (table.unpack or unpack)(toSend) }
      for _ = 1, arrayBufferViewsCount do
        for j = 1, 3 do
          repeated[#repeated + 1] = toSend[j]
        end
      end

      assert.equal(totalBytesSent, totalBytesReceived)

      table.sort(repeated)
      assert.same(repeated, received)
    end))

    client:bind(0)

    common.run()
  end)
end)
