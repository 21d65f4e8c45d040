-- Port of test/parallel/test-dgram-connect.js: connect() with its callback
-- and remoteAddress(); connect() while connecting or connected raises
-- ERR_SOCKET_DGRAM_IS_CONNECTED; disconnect() while not connected (and
-- twice) and remoteAddress() after disconnect() raise
-- ERR_SOCKET_DGRAM_NOT_CONNECTED; a second connect() after disconnect()
-- emits 'connect'; bad ports raise ERR_SOCKET_BAD_PORT. Node connects to
-- the fixed port 12345; the spec takes a free port by binding a socket to
-- port 0 on the loopback (nothing is sent to it), and closes it at the end.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect", function()
  it("connect, disconnect, remoteAddress and their errors", function()
    local portHolder = dgram.createSocket("udp4")
    portHolder:bind(0, common.localhostIPv4, common.mustCall(function()
      local PORT = portHolder:address().port

      local client = dgram.createSocket("udp4")
      client:connect(PORT, common.mustCall(function()
        local remoteAddr = client:remoteAddress()
        assert.equal(PORT, remoteAddr.port)
        common.expectsError(function()
          client:connect(PORT, common.mustNotCall())
        end, {
          name = "Error",
          message = "Already connected",
          code = "ERR_SOCKET_DGRAM_IS_CONNECTED",
        })

        client:disconnect()
        common.expectsError(function()
          client:disconnect()
        end, {
          name = "Error",
          message = "Not connected",
          code = "ERR_SOCKET_DGRAM_NOT_CONNECTED",
        })

        common.expectsError(function()
          client:remoteAddress()
        end, {
          name = "Error",
          message = "Not connected",
          code = "ERR_SOCKET_DGRAM_NOT_CONNECTED",
        })

        client:once("connect", common.mustCall(function()
          client:close()
          portHolder:close()
        end))
        client:connect(PORT)
      end))

      common.expectsError(function()
        client:connect(PORT)
      end, {
        name = "Error",
        message = "Already connected",
        code = "ERR_SOCKET_DGRAM_IS_CONNECTED",
      })

      common.expectsError(function()
        client:disconnect()
      end, {
        name = "Error",
        message = "Not connected",
        code = "ERR_SOCKET_DGRAM_NOT_CONNECTED",
      })

      -- Node's list is [0, null, 78960, undefined]: null and undefined are
      -- both nil here.
      local ports = { 0, nil, 78960, nil, n = 4 }
      for i = 1, ports.n do
        local port = ports[i]
        common.expectsError(function()
          client:connect(port)
        end, {
          name = "RangeError",
          message = "^Port should be > 0 and < 65536",
          code = "ERR_SOCKET_BAD_PORT",
        })
      end
    end))
    common.run()
  end)
end)
