-- Port of test/parallel/test-dgram-send-callback-recursive.js: sending again
-- from each send callback, ten times: the callbacks are never synchronous
-- (a tick has passed by the last one) and every datagram arrives.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-callback-recursive", function()
  it("send callbacks are asynchronous", function()
    local client = dgram.createSocket("udp4")
    local chunk = "abc"
    local received = 0
    local sent = 0
    local limit = 10
    local async = false
    local port

    local function onsend()
      local n = sent
      sent = sent + 1
      if n < limit then
        client:send(chunk, 0, #chunk, port, common.localhostIPv4, onsend)
      else
        assert.equal(true, async)
      end
    end

    client:on("listening", function()
      port = client:address().port

      dgram.nextTick(function()
        async = true
      end)

      onsend()
    end)

    client:on("message", function()
      received = received + 1
      if received == limit then
        client:close()
      end
    end)

    client:on("close", common.mustCall(function()
      assert.equal(limit, received)
    end))

    client:bind(0)

    common.run()
  end)
end)
