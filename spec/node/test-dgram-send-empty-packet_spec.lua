-- Port of test/parallel/test-dgram-send-empty-packet.js: a zero-length slice
-- of a one-byte buffer sends an empty datagram; the send callback gets no
-- error (nil, Node's null) and the message is empty.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-empty-packet", function()
  it("send(buf, 0, 0, port, address, cb)", function()
    local client = dgram.createSocket("udp4")

    client:bind(0, common.mustCall(function()
      local interval

      local function callback(firstArg)
        -- If client.send() callback, firstArg should be nil (Node's null).
        -- If client.on('message') listener, firstArg should be a 0-length
        -- string (Node's Buffer).
        if type(firstArg) == "string" then
          assert.equal(0, #firstArg)
          dgram.clearInterval(interval)
          client:close()
        else
          assert.is_nil(firstArg)
        end
      end

      client:on("message", common.mustCall(callback))

      local port = client:address().port
      local buf = "\0"

      interval = dgram.setInterval(common.mustCallAtLeast(function()
        client:send(buf, 0, 0, port, "127.0.0.1", common.mustCall(callback))
      end), 10)
    end))

    common.run()
  end)
end)
