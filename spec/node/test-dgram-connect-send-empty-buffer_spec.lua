-- Port of test/parallel/test-dgram-connect-send-empty-buffer.js: a
-- connected send of an empty buffer with offset 0 and length 0 succeeds and
-- delivers an empty datagram.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-empty-buffer", function()
  it("connected send(empty, 0, 0, callback)", function()
    local client = dgram.createSocket("udp4")

    client:bind(0, common.mustCall(function()
      local port = client:address().port
      client:connect(port, common.mustCall(function()
        local buf = ""
        client:send(buf, 0, 0, common.mustSucceed())
      end))

      client:on("message", common.mustCall(function(buffer)
        assert.equal(0, #buffer)
        client:close()
      end))
    end))
    common.run()
  end)
end)
