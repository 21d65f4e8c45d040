-- Port of test/parallel/test-dgram-bind-fd-error.js: bind({fd}) of an fd
-- that a socket already wraps raises `open EEXIST`; bind({fd}) of a TCP fd
-- raises ERR_INVALID_FD_TYPE. Node reads the wrapped fd through its
-- internals (socket[kStateSymbol].handle.fd); the spec reads it through
-- the same kind of internal door here (dgram.core.udp_fileno). Node makes
-- the TCP fd with internalBinding('tcp_wrap'); the spec makes it with
-- LuaSocket (listening on the loopback), and is pending without LuaSocket.
local common = require "common"
local dgram = require "dgram"
local core = require "dgram.core"
local hasLuaSocket, luasocket = pcall(require, "socket")

local TYPE = "udp4"

describe("test-dgram-bind-fd-error", function()
  it("bind({fd}) of an fd already wrapped raises open EEXIST", function()
    local socket = dgram.createSocket(TYPE)

    socket:bind(common.mustCall(function()
      local anotherSocket = dgram.createSocket(TYPE)
      local fd = core.udp_fileno(socket._state.handle)
      assert.is_number(fd)

      common.expectsError(function()
        anotherSocket:bind({ fd = fd })
      end, {
        code = "EEXIST",
        name = "Error",
        message = "^open EEXIST$",
      })

      socket:close()
    end))
    common.run()
  end)

  local tcpCase = hasLuaSocket and it or pending
  tcpCase("bind({fd}) of a TCP fd raises ERR_INVALID_FD_TYPE (needs LuaSocket)", function()
    local handle = assert(luasocket.tcp())
    assert(handle:bind(common.localhostIPv4, 0))
    assert(handle:listen())

    local fd = handle:getfd()
    assert.are_not.equal(-1, fd)

    local socket = dgram.createSocket(TYPE)
    common.expectsError(function()
      socket:bind({ fd = fd })
    end, {
      code = "ERR_INVALID_FD_TYPE",
      name = "TypeError",
      message = "^Unsupported fd type: TCP$",
    })

    handle:close()
    common.run()
  end)
end)
