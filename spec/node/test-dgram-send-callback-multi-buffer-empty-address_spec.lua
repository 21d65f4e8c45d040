-- Port of test/parallel/test-dgram-send-callback-multi-buffer-empty-address.js:
-- send([buf1, buf2], port, callback) sends one datagram, the concatenation,
-- to the default host; the callback gets the total length.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-multi-buffer-empty-address", function()
  it("send({buf1, buf2}, port, cb)", function()
    local client = dgram.createSocket("udp4")

    local buf1 = ("x"):rep(256)
    local buf2 = ("y"):rep(256)

    local messageSent = common.mustSucceed(function(bytes)
      assert.equal(#buf1 + #buf2, bytes)
    end)

    client:on("listening", function()
      local port = client:address().port
      client:send({ buf1, buf2 }, port, messageSent)
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
