-- Port of test/parallel/test-dgram-connect-send-callback-multi-buffer.js:
-- a connected send of a list reports the total length, and the peer gets
-- the concatenation.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-callback-multi-buffer", function()
  it("connected send([b1, b2], callback)", function()
    local client = dgram.createSocket("udp4")

    local buf1 = string.rep("x", 256)
    local buf2 = string.rep("y", 256)

    local messageSent = common.mustCall(function(err, bytes)
      assert.is_nil(err)
      assert.equal(#buf1 + #buf2, bytes)
    end)

    client:on("listening", common.mustCall(function()
      local port = client:address().port
      client:connect(port, common.mustCall(function()
        client:send({ buf1, buf2 }, messageSent)
      end))
    end))

    client:on("message", common.mustCall(function(buf)
      local expected = buf1 .. buf2
      assert(buf == expected, "message was received correctly")
      client:close()
    end))

    client:bind(0)
    common.run()
  end)
end)
