-- Port of test/parallel/test-dgram-bytes-length.js: the send callback's
-- second argument is the number of bytes sent. Node sends to the fixed port
-- 41234 on 'localhost'; the spec sends to a port it binds (port 0) on the
-- loopback and closes that socket with the client.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-bytes-length", function()
  it("the send callback gets the byte count", function()
    local target = dgram.createSocket("udp4")
    target:bind(0, common.localhostIPv4, common.mustCall(function()
      local port = target:address().port

      local message = "Some bytes"
      local client = dgram.createSocket("udp4")
      client:send(
        message,
        0,
        #message,
        port,
        "localhost",
        common.mustCall(function(err, bytes)
          assert.is_nil(err)
          assert.equal(#message, bytes)
          client:close()
          target:close()
        end)
      )
    end))
    common.run()
  end)
end)
