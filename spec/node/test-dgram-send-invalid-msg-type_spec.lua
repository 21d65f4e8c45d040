-- Port of test/parallel/test-dgram-send-invalid-msg-type.js: a message that
-- is not a string (Node: not a Buffer) raises a TypeError and does not
-- crash. Node's second assertion is on the legacy `sendto()`, which is not
-- part of this module's API (API.md), so it is left out.
--
-- https://github.com/nodejs/node-v0.x-archive/issues/4496
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-invalid-msg-type", function()
  it("send(true, ...) raises a TypeError", function()
    -- Should throw but not crash.
    local socket = dgram.createSocket("udp4")
    common.expectsError(function() socket:send(true, 0, 1, 1, "host") end, { name = "TypeError" })
    socket:close()

    common.run()
  end)
end)
