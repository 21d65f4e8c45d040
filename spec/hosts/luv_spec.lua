-- luv's loop shared (dgram.useLoop(uv)): uv.run() alone drives an echo,
-- dgram's timers, immediates and ticks; errors go to the error handler and
-- luv's own timers keep firing; lua_close is clean with handles of both
-- open. On lua5.4, and on LuaJIT when the module loads there. Each case is
-- a script of spec/hosts/luv/ (or examples/luv/) run by the interpreter.
local hosts = require "hosts.support"

for _, lua in ipairs { "lua5.4", "luajit" } do
  describe("luv's loop shared, on " .. lua, function()
    local why = not hosts.have(lua) and lua .. " is not installed"
      or hosts.unloadable(lua)
      or select(2, hosts.run(lua, lua .. [[ -e 'require "luv"']], 30)) == false
        and "luv (lua-luv) is not installed for " .. lua
    if why then
      pending(why)
      return
    end

    local function run(script, env)
      return hosts.run(lua, lua .. " " .. script, 60, env)
    end

    it("echoes 2000 datagrams with uv.run() alone, beside a luv timer (examples/luv/echo.lua)", function()
      local out, ok = run("examples/luv/echo.lua 2000")
      assert(ok, out)
      assert.matches("echoed 2000 of 2000; luv's timer ticked %d+ times", out)
    end)

    it("runs timers, immediates and ticks; what is queued outside callbacks runs first", function()
      local out, ok = run("spec/hosts/luv/ticks_timers.lua")
      assert(ok, out)
      assert.matches("ok tick,immediate,tick in immediate,timeout,tick from luv,luv again", out, 1, true)
    end)

    it("hands errors to the handler as raised; luv's timers keep firing; nothing stops", function()
      local out, ok = run("spec/hosts/luv/errors.lua")
      assert(ok, out)
      assert.matches("dgram: the error handler raised: [^\n]*the handler raised too", out)
      assert.matches("dgram: uncaught error in a callback: from a timer\nstack traceback:", out)
      assert.matches("ok\n$", out)
    end)

    it("writes each error and its traceback to stderr by default", function()
      local out, ok = run("spec/hosts/luv/errors.lua", "DEFAULT_HANDLER=1")
      assert(ok, out)
      for _, text in ipairs { "the raised table", "nil", "from a timer" } do
        assert.matches("dgram: uncaught error in a callback: " .. text .. "\nstack traceback:\n", out, 1, true)
      end
    end)

    it("useLoop takes luv's module only, once, before the first socket or timer", function()
      local out, ok = run("spec/hosts/luv/useloop.lua")
      assert(ok, out)
      out, ok = run("spec/hosts/luv/too_late.lua")
      assert(ok, out)
      assert.matches("Error [ERR_INVALID_STATE]: Invalid state: dgram.useLoop() must come before", out, 1, true)
    end)

    it("hands what waits for dgram.run() over to uv.run() when that runs the loop next", function()
      local out, ok = run("spec/hosts/luv/handover.lua")
      assert(ok, out)
    end)

    it("closes cleanly at exit with handles of both open, either module loaded first", function()
      for _, first in ipairs { "", "DGRAM_FIRST=1" } do
        local out, ok = run("spec/hosts/luv/exit_open.lua", first)
        assert(ok, out)
        assert.equal("ok\n", out)
      end
    end)

    it("the documented trap: uv.walk() on the shared loop crashes (luv takes every handle for its own)", function()
      local out, ok = run("spec/hosts/luv/walk.lua")
      assert(not ok, out)
      assert.matches("walking", out, 1, true)
      assert.not_matches("walked", out, 1, true)
    end)
  end)
end
