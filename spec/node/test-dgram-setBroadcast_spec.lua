-- Port of test/parallel/test-dgram-setBroadcast.js: setBroadcast() fails
-- with EBADF on a socket that was never bound and works once bound.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-setBroadcast", function()
  it("setBroadcast on unbound and bound sockets", function()
    do
      -- Should throw EBADF if the socket is never bound.
      local socket = dgram.createSocket("udp4")

      local ok, err = pcall(function()
        socket:setBroadcast(true)
      end)
      assert.is_false(ok)
      assert.equal("Error: setBroadcast EBADF", tostring(err))
    end

    do
      -- Can call setBroadcast() after binding the socket.
      local socket = dgram.createSocket("udp4")

      socket:bind(0, common.mustCall(function()
        socket:setBroadcast(true)
        socket:setBroadcast(false)
        socket:close()
      end))
    end

    common.run()
  end)
end)
