-- Port of test/parallel/test-dgram-address.js: address() after a bind to
-- the loopback address, for udp4 and udp6, and address() on an unbound
-- socket.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-address", function()
  it("reports the bound address", function()
    do
      -- IPv4 Test
      local socket = dgram.createSocket("udp4")

      socket:on("listening", common.mustCall(function()
        local address = socket:address()

        assert.equal(common.localhostIPv4, address.address)
        assert.equal("number", type(address.port))
        assert.is_true(address.port == address.port and math.abs(address.port) ~= math.huge)
        assert.is_true(address.port > 0)
        assert.equal("IPv4", address.family)
        socket:close()
      end))

      socket:on("error", function(err)
        socket:close()
        error("Unexpected error on udp4 socket. " .. tostring(err))
      end)

      socket:bind(0, common.localhostIPv4)
    end

    if common.hasIPv6 then
      -- IPv6 Test
      local socket = dgram.createSocket("udp6")
      local localhost = "::1"

      socket:on("listening", common.mustCall(function()
        local address = socket:address()

        assert.equal(localhost, address.address)
        assert.equal("number", type(address.port))
        assert.is_true(address.port == address.port and math.abs(address.port) ~= math.huge)
        assert.is_true(address.port > 0)
        assert.equal("IPv6", address.family)
        socket:close()
      end))

      socket:on("error", function(err)
        socket:close()
        error("Unexpected error on udp6 socket. " .. tostring(err))
      end)

      socket:bind(0, localhost)
    end

    do
      -- Verify that address() throws if the socket is not bound.
      local socket = dgram.createSocket("udp4")

      local err = common.expectsError(function()
        socket:address()
      end, {})
      assert.equal("Error: getsockname EBADF", tostring(err))
    end

    common.run()
  end)
end)
