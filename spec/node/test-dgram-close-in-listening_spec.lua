-- Port of test/parallel/test-dgram-close-in-listening.js: close() from a
-- 'listening' listener while a send waits in the bind queue does not crash.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-close-in-listening", function()
  it("close() in 'listening' with a queued send", function()
    local buf = string.rep("\42", 1024)

    local socket = dgram.createSocket("udp4")

    socket:on("listening", function()
      socket:close()
    end)

    local portGetter
    portGetter = dgram.createSocket("udp4")
      :bind(0, "localhost", common.mustCall(function()
        -- Adds a listener to 'listening' to send the data when
        -- the socket is available
        socket:send(buf, 0, #buf,
                    portGetter:address().port,
                    portGetter:address().address)

        portGetter:close()
      end))
    common.run()
  end)
end)
