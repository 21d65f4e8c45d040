-- Port of test/parallel/test-dgram-connect-send-callback-buffer-length.js:
-- a connected send(buf, offset, length, callback) reports `length` bytes.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-callback-buffer-length", function()
  it("connected send with offset and length", function()
    local client = dgram.createSocket("udp4")

    local buf = string.rep("\0", 256) -- Buffer.allocUnsafe(256)
    local offset = 20
    local len = #buf - offset

    local messageSent = common.mustSucceed(function(bytes)
      assert.are_not.equal(#buf, bytes)
      assert.equal(#buf - offset, bytes)
      client:close()
    end)

    client:bind(0, common.mustCall(function()
      client:connect(client:address().port, common.mustCall(function()
        client:send(buf, offset, len, messageSent)
      end))
    end))
    common.run()
  end)
end)
