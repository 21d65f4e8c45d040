-- Port of test/parallel/test-dgram-setTTL.js: setTTL() returns its
-- argument, refuses a non-number and fails with EINVAL out of range.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-setTTL", function()
  it("setTTL", function()
    local socket = dgram.createSocket("udp4")

    socket:bind(0)
    socket:on("listening", common.mustCall(function()
      local result = socket:setTTL(16)
      assert.equal(16, result)

      common.expectsError(function()
        socket:setTTL("foo")
      end, {
        code = "ERR_INVALID_ARG_TYPE",
        name = "TypeError",
        message = "The \"ttl\" argument must be of type number. Received type string" ..
          " ('foo')",
      })

      -- TTL must be a number from > 0 to < 256
      local ok, err = pcall(function()
        socket:setTTL(1000)
      end)
      assert.is_false(ok)
      assert.equal("Error: setTTL EINVAL", tostring(err))

      socket:close()
    end))

    common.run()
  end)
end)
