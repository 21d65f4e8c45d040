-- Port of test/parallel/test-dgram-bind.js: bind() returns the socket, and
-- bind() on a bound socket raises ERR_SOCKET_ALREADY_BOUND.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-bind", function()
  it("bind() returns the socket and a second bind() raises", function()
    local socket = dgram.createSocket("udp4")

    socket:on("listening", common.mustCall(function()
      common.expectsError(function()
        socket:bind()
      end, {
        code = "ERR_SOCKET_ALREADY_BOUND",
        name = "Error",
        message = "^Socket is already bound$",
      })

      socket:close()
    end))

    local result = socket:bind() -- Should not throw.

    assert.equal(socket, result) -- Should have returned itself.
    common.run()
  end)
end)
