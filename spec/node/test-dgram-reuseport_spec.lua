-- Port of test/parallel/test-dgram-reuseport.js (with test/common/udp.js):
-- two sockets created with `reusePort` bind the same port. Skipped, as in
-- Node, where the option is not supported.
local common = require "common"
local dgram = require "dgram"

local options = { type = "udp4", reusePort = true }

-- test/common/udp.js checkSupportReusePort(): resolves (calls onOk) when a
-- reusePort socket binds, rejects (calls onFail) on its 'error'.
local function checkSupportReusePort(onOk, onFail)
  local socket = dgram.createSocket(options)
  socket:bind(0)
  socket:on("listening", function()
    socket:close()
    onOk()
  end)
  socket:on("error", function(err)
    print("don not support reusePort flag", err)
    socket:close()
    onFail()
  end)
end

describe("test-dgram-reuseport", function()
  it("two reusePort sockets share a port", function()
    local function test()
      local socket1 = dgram.createSocket(options)
      local socket2 = dgram.createSocket(options)
      socket1:bind(0, common.mustCall(function()
        socket2:bind(socket1:address().port, common.mustCall(function()
          socket1:close()
          socket2:close()
        end))
      end))
    end

    local unsupported = false
    checkSupportReusePort(test, function()
      unsupported = true
    end)
    common.run()
    if unsupported then
      pending("The `reusePort` option is not supported")
    end
  end)
end)
