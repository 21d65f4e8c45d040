-- examples/host.c: a C host that hands the module its own loop (or takes
-- the module's) and drives it with dgram.run("nowait") once per frame.
local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok, code
end

describe("embedding from C", function()
  setup(function()
    local out, ok = sh("make -s host")
    assert(ok, out)
  end)

  local env = 'LUA_PATH="./lua/?.lua;;" LUA_CPATH="./build/?.so;;" '

  it("runs on the host's own uv_loop_t, which closes cleanly after lua_close", function()
    local out, ok = sh(env .. "timeout 30 ./build/host examples/host_script.lua")
    assert(ok, out)
    assert.matches("host: loop of the host", out, 1, true)
    assert.matches("script: received frame datagram 3", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)

  it("lets the host take the module's loop", function()
    local out, ok = sh(env .. "timeout 30 ./build/host --module-loop examples/host_script.lua")
    assert(ok, out)
    assert.matches("host: loop from the module", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)
end)
