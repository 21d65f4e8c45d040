-- Port of test/parallel/test-dgram-implicit-bind.js: two sends from an
-- unbound socket: the second one (made while the implicit bind is under
-- way) does not raise ERR_SOCKET_ALREADY_BOUND, and both arrive.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-implicit-bind", function()
  it("two sends during the implicit bind", function()
    local source = dgram.createSocket("udp4")
    local target = dgram.createSocket("udp4")
    local messages = 0

    target:on("message", common.mustCall(function(buf)
      if buf == "abc" then messages = messages + 1 end
      if buf == "def" then messages = messages + 1 end
      if messages == 2 then
        source:close()
        target:close()
      end
    end, 2))

    target:on("listening", common.mustCall(function()
      -- Second :send() call should not throw a bind error.
      local port = target:address().port
      source:send("abc", 0, 3, port, "127.0.0.1")
      source:send("def", 0, 3, port, "127.0.0.1")
    end))

    target:bind(0)
    common.run()
  end)
end)
