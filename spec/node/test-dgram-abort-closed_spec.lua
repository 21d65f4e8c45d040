-- Port of test/parallel/test-dgram-abort-closed.js: aborting the signal of
-- a socket that was already closed is a no-op (no second close, no throw).
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-abort-closed", function()
  it("aborting after close() does not throw", function()
    local controller = dgram.AbortController()
    local socket = dgram.createSocket({ type = "udp4", signal = controller.signal })

    socket:close()

    controller:abort()
    common.run()
  end)
end)
