-- Port of test/parallel/test-dgram-send-empty-buffer.js: an empty buffer
-- sent with offset 0 and length 0 calls back and arrives as an empty
-- message.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-empty-buffer", function()
  it("send(empty, 0, 0, port, address, cb)", function()
    local client = dgram.createSocket("udp4")

    client:bind(0, common.mustCall(function()
      local port = client:address().port
      local interval

      client:on("message", common.mustCall(function(buffer)
        assert.equal(0, #buffer)
        dgram.clearInterval(interval)
        client:close()
      end))

      local buf = ""
      interval = dgram.setInterval(common.mustCallAtLeast(function()
        client:send(buf, 0, 0, port, "127.0.0.1", common.mustCall())
      end), 10)
    end))

    common.run()
  end)
end)
