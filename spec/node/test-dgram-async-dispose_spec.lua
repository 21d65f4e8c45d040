-- Port of test/parallel/test-dgram-async-dispose.mjs. Node's
-- socket[Symbol.asyncDispose]() is the __close metamethod here (API.md):
-- a `<close>` variable, or a direct call of socket:__close(). It is
-- synchronous in Lua, so "the promise resolves" becomes "it returns
-- without raising"; the 'close' event still comes on the next tick.
local common = require "common"
local dgram = require "dgram"

-- `<close>` is Lua 5.4's syntax: the block that uses it is compiled at run
-- time, on 5.4 only (elsewhere it would not parse); other Luas call
-- s:close() where 5.4 leaves the scope.
local CLOSE_BLOCK = [[
  local dgram, common = ...
  local server
  do
    local s <close> = dgram.createSocket({ type = "udp4" })
    server = s
    server:on("close", common.mustCall())
  end
  return server
]]

describe("test-dgram-async-dispose", function()
  it("should close the socket", function()
    if _VERSION ~= "Lua 5.4" then
      pending("`local s <close>` needs Lua 5.4 (" .. _VERSION .. ": s:close())")
      return
    end
    local server = assert(load(CLOSE_BLOCK))(dgram, common)

    common.expectsError(function()
      server:address()
    end, { code = "ERR_SOCKET_DGRAM_NOT_RUNNING" })
    common.run()
  end)

  it("should resolve even if the socket is already closed", function()
    local server = dgram.createSocket({ type = "udp4" })
    server:on("close", common.mustCall())
    local disposed = common.mustCall()
    server:__close()
    disposed()
    local disposedAgain = common.mustCall()
    local ok, err = pcall(server.__close, server)
    assert(ok, tostring(err))
    disposedAgain()
    common.run()
  end)
end)
