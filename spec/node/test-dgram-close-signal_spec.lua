-- Port of test/parallel/test-dgram-close-signal.js: options.signal must be
-- an AbortSignal; aborting closes the socket; an already aborted signal
-- closes it at creation. Node's AbortSignal.abort() (a signal born
-- aborted) is a controller aborted at once here.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-close-signal", function()
  it("validates, closes on abort and on a pre-aborted signal", function()
    do
      -- Test bad signal.
      common.expectsError(function()
        dgram.createSocket({ type = "udp4", signal = {} })
      end, {
        code = "ERR_INVALID_ARG_TYPE",
        name = "TypeError",
      })
    end

    do
      -- Test close.
      local controller = dgram.AbortController()
      local signal = controller.signal
      local server = dgram.createSocket({ type = "udp4", signal = signal })
      server:on("close", common.mustCall())
      controller:abort()
    end

    do
      -- Test close with pre-aborted signal.
      local controller = dgram.AbortController()
      controller:abort()
      local signal = controller.signal
      local server = dgram.createSocket({ type = "udp4", signal = signal })
      server:on("close", common.mustCall())
    end
    common.run()
  end)
end)
