-- Port of test/parallel/test-dgram-close-during-bind.js: a socket closed
-- while its bind look-up runs never binds: no bind at the OS level, no
-- 'listening', and the close callback runs. Node replaces the internal
-- handle's lookup() and bind(); the spec uses the public `lookup` option
-- for the first (it calls the default look-up's answer, the IP literal, on
-- from the close callback) and spies on dgram.core.udp_bind for the second.
local common = require "common"
local dgram = require "dgram"
local core = require "dgram.core"

describe("test-dgram-close-during-bind", function()
  it("close() during the bind look-up stops the bind", function()
    local realBind = core.udp_bind
    core.udp_bind = common.mustNotCall("bind() should not be called.")
    local socket
    socket = dgram.createSocket({
      type = "udp4",
      lookup = common.mustCall(function(address, family, callback)
        socket:close(common.mustCall(function()
          callback(nil, address, family)
        end))
      end),
    })

    socket:bind(common.mustNotCall("Socket should not bind."))
    local ok, err = pcall(common.run)
    core.udp_bind = realBind
    assert(ok, err)
  end)
end)
