-- Port of test/parallel/test-dgram-udp4.js: an echo through 'localhost';
-- rinfo carries 127.0.0.1 and the server's port; both sockets emit 'close'.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-udp4", function()
  it("echo over udp4", function()
    local message_to_send = "A message to send"

    local server = dgram.createSocket("udp4")
    server:on("message", common.mustCall(function(msg, rinfo)
      assert.equal(common.localhostIPv4, rinfo.address)
      assert.equal(message_to_send, msg)
      server:send(msg, 0, #msg, rinfo.port, rinfo.address)
    end))
    server:on("listening", common.mustCall(function()
      local client = dgram.createSocket("udp4")
      local port = server:address().port
      client:on("message", common.mustCall(function(msg, rinfo)
        assert.equal(common.localhostIPv4, rinfo.address)
        assert.equal(port, rinfo.port)
        assert.equal(message_to_send, msg)
        client:close()
        server:close()
      end))
      client:send(message_to_send,
        0,
        #message_to_send,
        port,
        "localhost")
      client:on("close", common.mustCall())
    end))
    server:on("close", common.mustCall())
    server:bind(0)

    common.run()
  end)
end)
