-- Port of test/parallel/test-dgram-send-callback-multi-buffer.js:
-- send([buf1, buf2], port, address, callback) sends the concatenation; the
-- callback gets the total length.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-multi-buffer", function()
  it("send({buf1, buf2}, port, address, cb)", function()
    local client = dgram.createSocket("udp4")

    local buf1 = ("x"):rep(256)
    local buf2 = ("y"):rep(256)

    local messageSent = common.mustCall(function(err, bytes)
      assert.is_nil(err)
      assert.equal(#buf1 + #buf2, bytes)
    end)

    client:on("listening", function()
      local port = client:address().port
      client:send({ buf1, buf2 }, port, common.localhostIPv4, messageSent)
    end)

    client:on("message", common.mustCall(function(buf)
      local expected = buf1 .. buf2
      assert(buf == expected, "message was received correctly")
      client:close()
    end))

    client:bind(0)

    common.run()
  end)
end)
