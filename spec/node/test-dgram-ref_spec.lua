-- Port of test/parallel/test-dgram-ref.js: sockets that are never bound do
-- not keep the loop alive, and ref() on a closed socket does not throw.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-ref", function()
  it("unbound sockets do not hold the loop; ref() after close", function()
    -- Should not hang, see https://github.com/nodejs/node-v0.x-archive/issues/1282
    dgram.createSocket("udp4")
    dgram.createSocket("udp6")

    do
      -- Test the case of ref()'ing a socket with no handle.
      local s = dgram.createSocket("udp4")

      s:close(common.mustCall(function() s:ref() end))
    end

    common.run()
  end)
end)
