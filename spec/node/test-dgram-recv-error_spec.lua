-- Port of test/parallel/test-dgram-recv-error.js: a receive error becomes an
-- 'error' event whose string form starts "Error: recvmsg" and whose syscall
-- is 'recvmsg'; no 'message' is emitted.
--
-- Node (--expose-internals) calls the handle's `onmessage(-1, ...)`, the
-- receive callback the C++ layer calls. Here the C core calls the Lua hook
-- `Socket.hooks.recverror(socket, status)` for a negative nread, so the
-- first case calls that hook with -1, as Node does. The second case makes
-- the kernel produce a real receive error instead (ICMP port unreachable
-- on a connected socket gives ECONNREFUSED, which Node 20 also reports as
-- 'error' with syscall 'recvmsg'), so the C half of the path runs too.
local common = require "common"
local dgram = require "dgram"
local Socket = require "dgram.socket"

describe("test-dgram-recv-error", function()
  it("onmessage(-1) emits a recvmsg 'error'", function()
    local s = dgram.createSocket("udp4")

    s:on("error", common.mustCall(function(err)
      s:close()

      -- Don't check the full error message, as the errno is not important here.
      assert.truthy(tostring(err):match("^Error: recvmsg"))
      assert.equal("recvmsg", err.syscall)
    end))

    s:on("message", common.mustNotCall("no message should be received."))
    s:bind(common.mustCall(function() Socket.hooks.recverror(s, -1) end))

    common.run()
  end)

  it("a receive error from the kernel emits a recvmsg 'error'", function()
    local s = dgram.createSocket("udp4")

    s:on("error", common.mustCall(function(err)
      s:close()

      assert.truthy(tostring(err):match("^Error: recvmsg"))
      assert.equal("recvmsg", err.syscall)
    end))

    s:on("message", common.mustNotCall("no message should be received."))
    -- A port nobody listens on: bind one, note it, close it.
    local dead = dgram.createSocket("udp4")
    dead:bind(0, "127.0.0.1", common.mustCall(function()
      local port = dead:address().port
      dead:close(common.mustCall(function()
        s:bind(0, "127.0.0.1", common.mustCall(function()
          s:connect(port, "127.0.0.1", common.mustCall(function()
            s:send("x")
          end))
        end))
      end))
    end))

    common.run()
  end)
end)
