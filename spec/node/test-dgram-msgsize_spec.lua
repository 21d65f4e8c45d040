-- Port of test/parallel/test-dgram-msgsize.js: a 256 KiB datagram fails
-- with EMSGSIZE, reported to the send callback with the caller's address
-- and port. Port 12345 as in Node: nothing is ever sent to it (the send
-- fails in the kernel before any packet leaves).
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-msgsize", function()
  it("too big a datagram fails with EMSGSIZE", function()
    -- Send a too big datagram. The destination doesn't matter because it's
    -- not supposed to get sent out anyway.
    local buf = ("\0"):rep(256 * 1024)
    local sock = dgram.createSocket("udp4")
    local function cb(err)
      assert(getmetatable(err) == dgram.Error, "err should be an Error")
      assert.equal("EMSGSIZE", err.code)
      assert.equal("127.0.0.1", err.address)
      assert.equal(12345, err.port)
      assert.equal("send EMSGSIZE 127.0.0.1:12345", err.message)
      sock:close()
    end
    sock:send(buf, 0, #buf, 12345, "127.0.0.1", common.mustCall(cb))

    common.run()
  end)
end)
