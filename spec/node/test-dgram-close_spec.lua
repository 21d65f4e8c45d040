-- Port of test/parallel/test-dgram-close.js: close() while a send waits
-- for the implicit bind returns the socket; both the close callback and a
-- later 'close' listener run. Node then reads the internal handle's fd
-- after the close (it must not throw); the spec reads the internal handle
-- after the close through dgram.core.udp_is_closed.
local common = require "common"
local dgram = require "dgram"
local core = require "dgram.core"

describe("test-dgram-close", function()
  it("close() with a queued send", function()
    local buf = string.rep("\42", 1024)

    local socket = dgram.createSocket("udp4")
    local handle = socket._state.handle

    local portGetter
    portGetter = dgram.createSocket("udp4")
      :bind(0, "localhost", common.mustCall(function()
        socket:send(buf, 0, #buf,
                    portGetter:address().port,
                    portGetter:address().address)

        assert.equal(socket, socket:close(common.mustCall()))
        socket:on("close", common.mustCall())
        socket = nil

        -- Verify that accessing handle after closure doesn't throw
        dgram.setImmediate(function()
          dgram.setImmediate(common.mustCall(function()
            assert.is_true(core.udp_is_closed(handle))
          end))
        end)

        portGetter:close()
      end))
    common.run()
  end)
end)
