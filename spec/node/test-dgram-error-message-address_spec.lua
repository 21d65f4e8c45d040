-- Port of test/parallel/test-dgram-error-message-address.js: a bind to an
-- address that no interface has fails with an error carrying the address
-- and no port. As in Node, the addresses are 1.1.1.1 and 111::1: the
-- kernel refuses the bind (EADDRNOTAVAIL) and nothing is sent anywhere.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-error-message-address", function()
  it("bind errors name the address", function()
    local socket_ipv4 = dgram.createSocket("udp4")

    socket_ipv4:on("listening", common.mustNotCall())

    socket_ipv4:on("error", common.mustCall(function(e)
      assert.is_nil(e.port)
      assert.equal("bind EADDRNOTAVAIL 1.1.1.1", e.message)
      assert.equal("1.1.1.1", e.address)
      assert.equal("EADDRNOTAVAIL", e.code)
      socket_ipv4:close()
    end))

    socket_ipv4:bind(0, "1.1.1.1")

    local socket_ipv6 = dgram.createSocket("udp6")

    socket_ipv6:on("listening", common.mustNotCall())

    socket_ipv6:on("error", common.mustCall(function(e)
      -- EAFNOSUPPORT or EPROTONOSUPPORT means IPv6 is disabled on this system.
      local allowed = { EADDRNOTAVAIL = true, EAFNOSUPPORT = true, EPROTONOSUPPORT = true }
      assert(allowed[e.code], ("'%s' was not one of EADDRNOTAVAIL,EAFNOSUPPORT,EPROTONOSUPPORT."):format(
        tostring(e.code)))
      assert.is_nil(e.port)
      assert.equal(("bind %s 111::1"):format(e.code), e.message)
      assert.equal("111::1", e.address)
      socket_ipv6:close()
    end))

    socket_ipv6:bind(0, "111::1")
    common.run()
  end)
end)
