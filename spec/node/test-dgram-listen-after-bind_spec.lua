-- Port of test/parallel/test-dgram-listen-after-bind.js: bind() is
-- asynchronous, so a 'listening' listener added right after bind() still
-- sees the event.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-listen-after-bind", function()
  it("'listening' fires after bind() returns", function()
    local socket = dgram.createSocket("udp4")

    socket:bind()

    local fired = false
    local timer = dgram.setTimeout(function()
      socket:close()
    end, 100)

    socket:on("listening", common.mustCall(function()
      dgram.clearTimeout(timer)
      fired = true
      socket:close()
    end))

    socket:on("close", common.mustCall(function()
      assert(fired, "listening should fire after bind")
    end))

    common.run()
  end)
end)
