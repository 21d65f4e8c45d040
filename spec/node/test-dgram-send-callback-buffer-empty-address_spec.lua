-- Port of test/parallel/test-dgram-send-callback-buffer-empty-address.js:
-- send(buf, port, callback) with no address sends to the default host and
-- calls back with the number of bytes sent.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-buffer-empty-address", function()
  it("send(buf, port, cb)", function()
    local client = dgram.createSocket("udp4")

    local buf = ("x"):rep(256)

    local onMessage = common.mustSucceed(function(bytes)
      assert.equal(#buf, bytes)
      client:close()
    end)

    client:bind(0, function() client:send(buf, client:address().port, onMessage) end)

    common.run()
  end)
end)
