-- Port of test/parallel/test-dgram-bind-socket-close-before-lookup.js: a
-- socket closed while its bind look-up is pending gets no 'error' when the
-- look-up fails afterwards. Node binds the fixed port 12345 (the bind never
-- happens); the spec binds port 0.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-bind-socket-close-before-lookup", function()
  it("a look-up failing after close() emits no error", function()
    local socket = dgram.createSocket({
      type = "udp4",
      lookup = common.mustCall(function(...)
        local args = { n = select("#", ...), ... }
        -- Call lookup callback after 1s
        dgram.setTimeout(function()
          args[args.n](setmetatable({ name = "Error", message = "an error" }, dgram.Error))
        end, 1000)
      end),
    })

    socket:on("error", common.mustNotCall())
    socket:bind(0, "localhost")
    socket:close()
    common.run()
  end)
end)
