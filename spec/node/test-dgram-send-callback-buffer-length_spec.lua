-- Port of test/parallel/test-dgram-send-callback-buffer-length.js:
-- send(buf, offset, length, port, address, callback) sends `length` bytes.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-buffer-length", function()
  it("send(buf, offset, length, port, address, cb)", function()
    local client = dgram.createSocket("udp4")

    local buf = ("\0"):rep(256) -- Buffer.allocUnsafe(256)
    local offset = 20
    local len = #buf - offset

    local messageSent = common.mustSucceed(function(bytes)
      assert.not_equal(#buf, bytes)
      assert.equal(#buf - offset, bytes)
      client:close()
    end)

    client:bind(0, function()
      client:send(buf, offset, len, client:address().port, "127.0.0.1", messageSent)
    end)

    common.run()
  end)
end)
