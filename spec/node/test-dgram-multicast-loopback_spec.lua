-- Port of test/parallel/test-dgram-multicast-loopback.js:
-- setMulticastLoopback() fails with EBADF on an unbound socket and returns
-- its argument on a bound one.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-multicast-loopback", function()
  it("setMulticastLoopback on unbound and bound sockets", function()
    do
      local socket = dgram.createSocket("udp4")

      local ok, err = pcall(function()
        socket:setMulticastLoopback(16)
      end)
      assert.is_false(ok)
      assert.equal("Error: setMulticastLoopback EBADF", tostring(err))
    end

    do
      local socket = dgram.createSocket("udp4")

      socket:bind(0)
      socket:on("listening", common.mustCall(function()
        assert.equal(16, socket:setMulticastLoopback(16))
        assert.equal(0, socket:setMulticastLoopback(0))
        socket:close()
      end))
    end

    common.run()
  end)
end)
