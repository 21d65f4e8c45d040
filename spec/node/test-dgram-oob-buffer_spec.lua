-- Port of test/parallel/test-dgram-oob-buffer.js: in-bounds offset/length
-- pairs (a zero length at the very end included) do not throw; the socket
-- is closed before any look-up completes, so no callback runs.
--
-- Some operating systems report errors when an UDP message is sent to an
-- unreachable host. This error can be reported by sendto() and even by
-- recvfrom(). Node should not propagate this error to the user.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-oob-buffer", function()
  it("in-bounds offsets and lengths are accepted", function()
    local socket = dgram.createSocket("udp4")
    local buf = "\1\2\3\4"
    local portGetter
    portGetter = dgram.createSocket("udp4")
      :bind(0, "localhost", common.mustCall(function()
        local a = portGetter:address()
        local address, port = a.address, a.port
        portGetter:close(common.mustCall(function()
          socket:send(buf, 0, 0, port, address, common.mustNotCall())
          socket:send(buf, 0, 4, port, address, common.mustNotCall())
          socket:send(buf, 1, 3, port, address, common.mustNotCall())
          socket:send(buf, 3, 1, port, address, common.mustNotCall())
          -- Since length of zero means nothing, don't error despite OOB.
          socket:send(buf, 4, 0, port, address, common.mustNotCall())

          socket:close()
        end))
      end))

    common.run()
  end)
end)
