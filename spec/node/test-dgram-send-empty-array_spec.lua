-- Port of test/parallel/test-dgram-send-empty-array.js: send([]) sends an
-- empty datagram, which is received as an empty message.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-empty-array", function()
  it("an empty list sends an empty datagram", function()
    local client = dgram.createSocket("udp4")

    local interval

    client:on("message", common.mustCall(function(buf)
      local expected = ""
      assert(buf == expected, "Expected empty message but got " .. buf)
      dgram.clearInterval(interval)
      client:close()
    end))

    client:on("listening", common.mustCall(function()
      interval = dgram.setInterval(function()
        client:send({}, client:address().port, common.localhostIPv4)
      end, 10)
    end))

    client:bind(0)

    common.run()
  end)
end)
