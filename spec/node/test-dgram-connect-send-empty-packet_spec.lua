-- Port of test/parallel/test-dgram-connect-send-empty-packet.js: connected
-- sends of 0 bytes out of a 1-byte buffer, every 10 ms until one arrives:
-- each send callback gets a nil error, and the datagram is empty.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-empty-packet", function()
  it("connected send(buf, 0, 0, callback)", function()
    local client = dgram.createSocket("udp4")

    client:bind(0, common.mustCall(function()
      client:connect(client:address().port, common.mustCall(function()
        local interval

        -- If client:send() callback, firstArg should be nil.
        -- If client:on('message') listener, firstArg should be a 0-length
        -- string.
        local function callback(firstArg)
          if type(firstArg) == "string" then
            assert.equal(0, #firstArg)
            dgram.clearInterval(interval)
            client:close()
          else
            assert.is_nil(firstArg)
          end
        end

        client:on("message", common.mustCall(callback))
        local buf = "\0"

        interval = dgram.setInterval(common.mustCallAtLeast(function()
          client:send(buf, 0, 0, common.mustCall(callback))
        end), 10)
      end))
    end))
    common.run()
  end)
end)
