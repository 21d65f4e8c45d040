-- Port of test/parallel/test-dgram-send-error.js: a failed look-up becomes
-- 'error' (no callback) or goes to the send callback, as the very same
-- error value; a send that fails in the kernel calls back with an error
-- carrying code, errno, syscall 'send', the caller's address and port.
--
-- Node reaches into the socket's handle (--expose-internals): it replaces
-- `handle.lookup` after the bind, and makes `handle.send` return
-- UV_UNKNOWN. Here the look-up is the `lookup` option, which fails from the
-- moment the bind is done; and the failing send is a real one: a datagram
-- to 255.255.255.255 without setBroadcast(true) fails with EACCES before
-- anything leaves the machine (Node 20 reports it the same way:
-- `send EACCES 255.255.255.255:<port>`).
local common = require "common"
local dgram = require "dgram"
local core = require "dgram.core"

describe("test-dgram-send-error", function()
  it("look-up errors and send errors", function()
    local mockError = { message = "mock DNS error" }

    local function getSocket(callback)
      local failing = false
      local socket = dgram.createSocket({
        type = "udp4",
        lookup = function(address, family, cb)
          if failing then
            dgram.nextTick(cb, mockError)
          else
            dgram.nextTick(cb, nil, address, family)
          end
        end,
      })

      socket:on("message", common.mustNotCall("Should not receive any messages."))
      socket:bind(common.mustCall(function()
        failing = true -- socket[kStateSymbol].handle.lookup = ... mockError

        callback(socket)
      end))
      return socket
    end

    getSocket(common.mustCall(function(socket)
      socket:on("error", common.mustCall(function(err)
        socket:close()
        assert.equal(mockError, err)
      end))

      socket:send("foo", socket:address().port, "localhost")
    end))

    getSocket(common.mustCall(function(socket)
      local callback = common.mustCall(function(err)
        socket:close()
        assert.equal(mockError, err)
      end)

      socket:send("foo", socket:address().port, "localhost", callback)
    end))

    do
      local socket = dgram.createSocket("udp4")
      local address = "255.255.255.255"

      socket:on("message", common.mustNotCall("Should not receive any messages."))

      socket:bind(common.mustCall(function()
        local port = socket:address().port
        local callback = common.mustCall(function(err)
          socket:close()
          assert.equal("EACCES", err.code)
          assert.equal(core.errno.EACCES, err.errno)
          assert.equal("send", err.syscall)
          assert.equal(address, err.address)
          assert.equal(port, err.port)
          assert.equal(
            ("%s %s %s:%s"):format(err.syscall, err.code, err.address, err.port),
            err.message
          )
        end)

        socket:send("foo", port, address, callback)
      end))
    end

    common.run()
  end)
end)
