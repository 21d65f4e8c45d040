-- Port of test/parallel/test-dgram-send-callback-buffer-length-empty-address.js:
-- send(buf, offset, length, port, callback) with no address sends `length`
-- bytes to the default host.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-buffer-length-empty-address", function()
  it("send(buf, offset, length, port, cb)", function()
    local client = dgram.createSocket("udp4")

    local buf = ("x"):rep(256)
    local offset = 20
    local len = #buf - offset

    local onMessage = common.mustSucceed(function(bytes)
      assert.not_equal(#buf, bytes)
      assert.equal(#buf - offset, bytes)
      client:close()
    end)

    client:bind(0, function()
      client:send(buf, offset, len, client:address().port, onMessage)
    end)

    common.run()
  end)
end)
