-- Port of test/parallel/test-dgram-connect-send-multi-string-array.js: a
-- connected send of a list of strings delivers their concatenation.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-multi-string-array", function()
  it("connected send({'foo', 'bar', 'baz'})", function()
    local socket = dgram.createSocket("udp4")
    local data = { "foo", "bar", "baz" }

    socket:on("message", common.mustCall(function(msg)
      socket:close()
      assert.equal(table.concat(data), msg)
    end))

    socket:bind(0, common.mustCall(function()
      socket:connect(socket:address().port, common.mustCall(function()
        socket:send(data)
      end))
    end))
    common.run()
  end)
end)
