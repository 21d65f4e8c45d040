-- Port of test/parallel/test-dgram-send-callback-buffer.js:
-- send(buf, port, address, callback) calls back with the bytes sent.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-buffer", function()
  it("send(buf, port, address, cb)", function()
    local client = dgram.createSocket("udp4")

    local buf = ("\0"):rep(256) -- Buffer.allocUnsafe(256)

    local onMessage = common.mustSucceed(function(bytes)
      assert.equal(#buf, bytes)
      client:close()
    end)

    client:bind(0, function()
      client:send(buf, client:address().port, common.localhostIPv4, onMessage)
    end)

    common.run()
  end)
end)
