-- Port of test/parallel/test-dgram-send-multi-string-array.js: a list of
-- strings is sent as one datagram, their concatenation.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-multi-string-array", function()
  it("send({'foo', 'bar', 'baz'}, port, 'localhost')", function()
    local socket = dgram.createSocket("udp4")
    local data = { "foo", "bar", "baz" }

    socket:on("message", common.mustCall(function(msg)
      socket:close()
      assert.same(table.concat(data), msg)
    end))

    socket:bind(function() socket:send(data, socket:address().port, "localhost") end)

    common.run()
  end)
end)
