-- Neovim, folded mode (recommended): dgram keeps its own loop, which
-- pump.lua folds into Neovim's. It runs echo.lua, then Neovim exits by
-- itself: every socket is closed and the pump has stopped. Run it with
--   nvim --headless -u NONE -c 'luafile examples/nvim/echo_folded.lua'
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = here .. "?.lua;" .. package.path
local pump = require "pump"
local dgram = require "dgram"

require "echo"(dgram)
pump.start()
