-- Neovim, shared mode: dgram's sockets on Neovim's own loop
-- (dgram.useLoop(vim.loop)); nothing to pump. It runs echo.lua. Run it with
--   nvim --headless -u NONE -c 'luafile examples/nvim/echo_shared.lua'
-- Listeners run inside luv's callback wrapper, as vim.loop callbacks do
-- (vim.in_fast_event() is true: use vim.schedule for Neovim's API); an
-- error one raises goes to dgram.setErrorHandler's handler. Beware:
-- vim.loop.walk() aborts Neovim while dgram's handles are on its loop.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "?.lua;" .. package.path
local dgram = require "dgram"
dgram.useLoop(vim.loop)

dgram.setErrorHandler(function(err)
  vim.schedule(function()
    vim.notify("dgram: " .. tostring(err), vim.log.levels.ERROR)
  end)
end)

require "echo"(dgram)
