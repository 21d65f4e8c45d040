-- Port of test/parallel/test-dgram-connect-send-multi-buffer-copy.js: a
-- connected send of a list reports the total length and the peer gets the
-- concatenation.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-multi-buffer-copy", function()
  it("connected send of a list", function()
    local client = dgram.createSocket("udp4")

    local buf1 = string.rep("x", 256)
    local buf2 = string.rep("y", 256)

    local onMessage = common.mustCall(common.mustSucceed(function(bytes)
      assert.equal(#buf1 + #buf2, bytes)
    end))

    client:on("listening", common.mustCall(function()
      local toSend = { buf1, buf2 }
      client:connect(client:address().port, common.mustCall(function()
        client:send(toSend, onMessage)
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
