-- Port of test/parallel/test-dgram-ipv6only.js: with `ipv6Only` a udp6
-- socket bound to '::' leaves the IPv4 side of its port free, so a udp4
-- socket can bind '0.0.0.0' on the same port.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-ipv6only", function()
  it("ipv6Only disables dual-stack", function()
    if not common.hasIPv6 then
      pending("no IPv6 support")
      return
    end

    -- This test ensures that dual-stack support is disabled when
    -- we specify the `ipv6Only` option in `dgram.createSocket()`.
    local socket = dgram.createSocket({
      type = "udp6",
      ipv6Only = true,
    })

    socket:bind({
      port = 0,
      address = "::",
    }, common.mustCall(function()
      local port = socket:address().port
      local client = dgram.createSocket("udp4")

      -- We can still bind to '0.0.0.0'.
      client:bind({
        port = port,
        address = "0.0.0.0",
      }, common.mustCall(function()
        client:close()
        socket:close()
      end))

      client:on("error", common.mustNotCall())
    end))

    common.run()
  end)
end)
