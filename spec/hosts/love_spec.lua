-- LÖVE 11.4 headless (conf.lua turns the window, graphics, audio and the
-- other SDL modules off: no display needed). dgram.run("nowait") in
-- love.update drives the module; love.event.quit(n) is the exit status.
-- LÖVE loads the module from package.cpath or a directory game, never
-- from a zipped .love.
local hosts = require "hosts.support"

describe("LÖVE", function()
  local lua = hosts.have("love") and hosts.luaOf("love")
  local why = not lua and "love is not installed" or hosts.unloadable(lua)
  if why then
    pending(why)
    return
  end

  local function love(game, env)
    return hosts.run(lua, "love " .. game, 60, env)
  end

  it("echoes 500 datagrams with dgram.run('nowait') in love.update (examples/love)", function()
    local out, ok, code = love("examples/love", "DGRAM_N=500")
    assert(ok, ("exit %s: %s"):format(code, out))
    assert.matches("echoed 500 of 500 in %d+ frames", out)
  end)

  it("gets a listener's error out of run(), and quits with love.event.quit(7)'s status", function()
    local out, ok, code = love("spec/hosts/love/status")
    assert(not ok and code == 7, ("exit %s: %s"):format(code, out))
    assert.matches("caught the listener's error\nquitting with 7", out, 1, true)
  end)
end)
