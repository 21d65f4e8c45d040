-- Port of test/sequential/test-dgram-implicit-bind-failure.js: each send()
-- on an unbound socket starts an implicit bind; when the bind's look-up
-- fails, errorMonitor listeners still see the queued send, 'error'
-- listeners see the queue dropped; three sends, three errors.
--
-- Node monkey-patches dns.lookup(); here the socket's `lookup` option is
-- the failing look-up (it is called for the bind's '0.0.0.0' as Node's
-- dns.lookup is). Node reads the queue through kStateSymbol
-- (--expose-internals); the Lua socket keeps it in `socket._state.queue`.
-- common.PORT is never reached: every look-up fails before a send.
local common = require "common"
local dgram = require "dgram"
local EventEmitter = require "dgram.events"

local PORT = 12346 -- common.PORT

describe("test-dgram-implicit-bind-failure", function()
  it("a failed implicit bind drops its queue", function()
    local mockError = { message = "fake DNS" }

    -- Monkey patch dns.lookup() so that it always fails.
    local function lookup(_, _, callback)
      dgram.nextTick(function() callback(mockError) end)
    end

    local socket = dgram.createSocket({ type = "udp4", lookup = lookup })

    socket:on(EventEmitter.errorMonitor, common.mustCall(function(err)
      -- The DNS lookup should fail since it is monkey patched. At that point in
      -- time, the send queue should be populated with the send() operation.
      assert.equal(mockError, err)
      assert.equal("table", type(socket._state.queue))
      assert.equal(1, #socket._state.queue)
    end, 3))

    socket:on("error", common.mustCall(function(err)
      assert.equal(mockError, err)
      assert.is_nil(socket._state.queue)
    end, 3))

    -- Initiate a few send() operations, which will fail.
    socket:send("foobar", PORT, "localhost")

    dgram.nextTick(function()
      socket:send("foobar", PORT, "localhost")
    end)

    dgram.setImmediate(function()
      socket:send("foobar", PORT, "localhost")
    end)

    common.run()
    -- The socket was never bound, so it holds no OS socket; Node's process
    -- exits with it unclosed, the spec closes it.
    socket:close()
    common.run()
  end)
end)
