-- Port of test/parallel/test-dgram-multicast-setTTL.js: setMulticastTTL()
-- returns its argument, fails with EINVAL out of range and refuses a
-- non-number.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-multicast-setTTL", function()
  it("setMulticastTTL", function()
    local socket = dgram.createSocket("udp4")

    socket:bind(0)
    socket:on("listening", common.mustCall(function()
      local result = socket:setMulticastTTL(16)
      assert.equal(16, result)

      -- Try to set an invalid TTL (valid ttl is > 0 and < 256)
      local ok, err = pcall(function()
        socket:setMulticastTTL(1000)
      end)
      assert.is_false(ok)
      assert.equal("Error: setMulticastTTL EINVAL", tostring(err))

      common.expectsError(function()
        socket:setMulticastTTL("foo")
      end, {
        code = "ERR_INVALID_ARG_TYPE",
        name = "TypeError",
        message = "The \"ttl\" argument must be of type number. Received type string" ..
          " ('foo')",
      })

      -- Close the socket
      socket:close()
    end))

    common.run()
  end)
end)
