-- Port of test/parallel/test-dgram-send-multi-buffer-copy.js: emptying the
-- caller's list right after send(list) does not change what is sent.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-multi-buffer-copy", function()
  it("send() copies the list", function()
    local client = dgram.createSocket("udp4")

    local buf1 = ("x"):rep(256)
    local buf2 = ("y"):rep(256)

    local onMessage = common.mustCall(function(err, bytes)
      assert.is_nil(err)
      assert.equal(#buf1 + #buf2, bytes)
    end)

    client:on("listening", function()
      local toSend = { buf1, buf2 }
      client:send(toSend, client:address().port, common.localhostIPv4, onMessage)
      -- toSend.splice(0, 2)
      table.remove(toSend, 1)
      table.remove(toSend, 1)
    end)

    client:on("message", common.mustCall(function(buf)
      local expected = buf1 .. buf2
      assert(buf == expected, "message was received correctly")
      client:close()
    end))

    client:bind(0)

    common.run()
  end)
end)
