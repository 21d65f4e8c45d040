-- Neovim 0.7 headless (nvim --headless -u NONE), both ways to run the
-- module in it: folded (dgram's own loop, pumped from vim.loop by
-- examples/nvim/pump.lua) and shared (dgram.useLoop(vim.loop)). Each echoes
-- datagrams, surfaces a listener's error, and Neovim exits by itself.
local hosts = require "hosts.support"

describe("Neovim", function()
  local lua = hosts.have("nvim") and hosts.luaOf("nvim")
  local why = not lua and "nvim is not installed" or hosts.unloadable(lua)
  if why then
    pending(why)
    return
  end

  -- Runs a script in Neovim, which must end by itself (:qa! or :cquit N).
  local function nvim(script, env)
    local cmd = ([[nvim --headless -u NONE -i NONE -c %s </dev/null]]):format(hosts.quote(
      ("lua local ok, e = pcall(dofile, %q) if not ok then io.stderr:write(tostring(e), '\\n') vim.cmd('cquit 3') end")
      :format(script)))
    return hosts.run(lua, cmd, 60, env)
  end

  it("folded: echoes 500 datagrams, the pump stops, Neovim exits (examples/nvim/echo_folded.lua)", function()
    local out, ok = nvim("examples/nvim/echo_folded.lua", "DGRAM_N=500")
    assert(ok, out)
    assert.matches("echoed 500 of 500", out, 1, true)
  end)

  it("shared: echoes 500 datagrams on vim.loop, Neovim exits (examples/nvim/echo_shared.lua)", function()
    local out, ok = nvim("examples/nvim/echo_shared.lua", "DGRAM_N=500")
    assert(ok, out)
    assert.matches("echoed 500 of 500", out, 1, true)
  end)

  it("folded: a listener's error comes out of dgram.run() into the pump; Neovim's API raises E5560", function()
    local out, ok = nvim("spec/hosts/nvim/errors_folded.lua")
    assert(ok, out)
    assert.matches("api in a listener: [^\n]*E5560: nvim_buf_set_lines must not be called in a lua loop callback", out)
    assert.matches("pump stopped, 2 errors out of dgram.run()", out, 1, true)
  end)

  it("shared: listeners are fast events (the API raises E5560, no abort); errors reach the handler", function()
    local out, ok = nvim("spec/hosts/nvim/errors_shared.lua")
    assert(ok, out)
    assert.matches("api in a listener: E5560: nvim_buf_set_lines must not be called in a lua loop callback",
      out, 1, true)
    assert.matches("handled 2 errors", out, 1, true)
  end)
end)
