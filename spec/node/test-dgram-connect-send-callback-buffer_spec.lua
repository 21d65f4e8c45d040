-- Port of test/parallel/test-dgram-connect-send-callback-buffer.js: a
-- connected send(buf, callback) reports the buffer's length.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-callback-buffer", function()
  it("connected send(buf, callback)", function()
    local client = dgram.createSocket("udp4")

    local buf = string.rep("\0", 256) -- Buffer.allocUnsafe(256)

    local onMessage = common.mustSucceed(function(bytes)
      assert.equal(#buf, bytes)
      client:close()
    end)

    client:bind(0, common.mustCall(function()
      client:connect(client:address().port, common.mustCall(function()
        client:send(buf, onMessage)
      end))
    end))
    common.run()
  end)
end)
