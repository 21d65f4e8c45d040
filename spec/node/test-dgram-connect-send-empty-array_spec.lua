-- Port of test/parallel/test-dgram-connect-send-empty-array.js: a
-- connected send([]) sends an empty datagram.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-empty-array", function()
  it("connected send([])", function()
    local client = dgram.createSocket("udp4")

    client:on("message", common.mustCall(function(buf)
      local expected = ""
      assert(buf == expected, "Expected empty message but got " .. tostring(buf))
      client:close()
    end))

    client:on("listening", common.mustCall(function()
      client:connect(client:address().port,
                     common.localhostIPv4,
                     common.mustCall(function() client:send({}) end))
    end))

    client:bind(0)
    common.run()
  end)
end)
