-- Port of test/parallel/test-dgram-connect-send-default-host.js: connect()
-- without an address reaches 127.0.0.1, and every connected send form
-- arrives. Node repeats the four sends with Uint8Arrays; those are strings
-- here too, so the second four sends are the first four again.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-connect-send-default-host", function()
  it("connected sends to the default host", function()
    local client = dgram.createSocket("udp4")
    local server = dgram.createSocket("udp4")

    local toSend = { string.rep("x", 256),
                     string.rep("y", 256),
                     string.rep("z", 256),
                     "hello" }

    local received = {}

    server:on("listening", common.mustCall(function()
      local port = server:address().port
      client:connect(port, common.mustSucceed(function()
        client:send(toSend[1], 0, #toSend[1])
        client:send(toSend[2])
        client:send({ toSend[3] })
        client:send(toSend[4], 0, #toSend[4])

        client:send(toSend[1], 0, #toSend[1])
        client:send(toSend[2])
        client:send({ toSend[3] })
        client:send(toSend[4], 0, #toSend[4])
      end))
    end))

    server:on("message", common.mustCall(function(buf)
      received[#received + 1] = buf

      if #received == #toSend * 2 then
        -- The replies may arrive out of order -> sort them before checking.
        table.sort(received)

        local expected = {}
        for _ = 1, 2 do
          for _, s in ipairs(toSend) do
            expected[#expected + 1] = s
          end
        end
        table.sort(expected)
        assert.same(expected, received)
        client:close()
        server:close()
      end
    end, #toSend * 2))

    server:bind(0)
    common.run()
  end)
end)
