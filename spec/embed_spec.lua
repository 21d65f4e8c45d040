-- examples/host.c: a C host that hands the module its own loop (or takes
-- the module's) and drives it with dgram.run("nowait") once per frame.
local h = require "helpers"

describe("embedding from C", function()
  setup(function()
    local out, ok = h.sh("make -s host LUA=" .. h.LUA .. (h.sanitized and " SANITIZE=1" or ""))
    assert(ok, out)
  end)

  local env = ('LUA_PATH="./lua/?.lua;;" LUA_CPATH="./%s/?.so;;" '):format(h.build)
  local host = "./" .. h.build .. "/host"

  it("runs on the host's own uv_loop_t, which closes cleanly after lua_close", function()
    local out, ok = h.sh(env .. "timeout 30 " .. host .. " examples/host_script.lua", true)
    assert(ok, out)
    assert.matches("host: loop of the host", out, 1, true)
    assert.matches("script: received frame datagram 3", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)

  it("lets the host take the module's loop", function()
    local out, ok = h.sh(env .. "timeout 30 " .. host .. " --module-loop examples/host_script.lua", true)
    assert(ok, out)
    assert.matches("host: loop from the module", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)
end)
