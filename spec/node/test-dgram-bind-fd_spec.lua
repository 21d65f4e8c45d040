-- Port of test/parallel/test-dgram-bind-fd.js: bind({fd}) wraps a UDP
-- socket that was made and bound outside the module: address() matches the
-- fd's own getsockname, the buffer-size options are applied (Linux reads
-- them back doubled), and datagrams go both ways. Node makes the raw
-- handle with internalBinding('udp_wrap'); the spec makes it with LuaSocket
-- (pending without LuaSocket). Once the dgram socket owns the fd, the
-- LuaSocket object is detached from it (setfd(-1)) so that it never closes
-- it a second time.
local common = require "common"
local dgram = require "dgram"
local hasLuaSocket, luasocket = pcall(require, "socket")

local BUFFER_SIZE = 4096

local function createHandle(reuseAddr, udp4, bindAddress)
  local handle = assert(udp4 and luasocket.udp4() or luasocket.udp6())
  if reuseAddr then
    assert(handle:setoption("reuseaddr", true))
  end
  assert(handle:setsockname(bindAddress, 0))
  assert.are_not.equal(-1, handle:getfd())
  return handle
end

local function testWithOptions(reuseAddr, udp4)
  local type_ = udp4 and "udp4" or "udp6"
  local bindAddress = udp4 and common.localhostIPv4 or "::1"

  local fd

  local receiver = dgram.createSocket({
    type = type_,
  })

  receiver:bind({
    port = 0,
    address = bindAddress,
  }, common.mustCall(function()
    local a = receiver:address()
    local port, address = a.port, a.address
    -- Create a handle to reuse its fd.
    local handle = createHandle(reuseAddr, udp4, bindAddress)

    fd = handle:getfd()
    assert.are_not.equal(-1, fd)

    local socket = dgram.createSocket({
      type = type_,
      recvBufferSize = BUFFER_SIZE,
      sendBufferSize = BUFFER_SIZE,
    })

    socket:bind({
      port = 0,
      address = bindAddress,
      fd = fd,
    }, common.mustCall(function()
      -- Test address().
      local rinfoAddress, rinfoPort = handle:getsockname()
      assert.is_not_nil(rinfoAddress)
      local socketRInfo = socket:address()
      assert.equal(rinfoAddress, socketRInfo.address)
      assert.equal(tonumber(rinfoPort), socketRInfo.port)

      -- Test buffer size.
      local recvBufferSize = socket:getRecvBufferSize()
      local sendBufferSize = socket:getSendBufferSize()

      -- note: linux will double the buffer size
      local expectedBufferSize = BUFFER_SIZE * 2
      assert.equal(expectedBufferSize, recvBufferSize)
      assert.equal(expectedBufferSize, sendBufferSize)

      socket:send(tostring(fd), port, address)
    end))
    handle:setfd(-1) -- the fd is the dgram socket's now

    socket:on("message", common.mustCall(function(data)
      assert.equal(tostring(fd), data)
      socket:close()
    end))

    socket:on("error", function(err)
      error(err.message)
    end)

    socket:on("close", common.mustCall())
  end))

  receiver:on("message", common.mustCall(function(data, rinfo)
    assert.equal(tostring(fd), data)
    receiver:send(tostring(fd), rinfo.port, rinfo.address)
    dgram.nextTick(function()
      receiver:close()
    end)
  end))

  receiver:on("error", function(err)
    error(err.message)
  end)

  receiver:on("close", common.mustCall())
end

describe("test-dgram-bind-fd", function()
  local case = hasLuaSocket and it or pending
  case("bind({fd}) wraps a bound UDP fd (needs LuaSocket)", function()
    testWithOptions(true, true)
    testWithOptions(false, true)
    if common.hasIPv6 then
      testWithOptions(false, false)
    end
    common.run()
  end)
end)
