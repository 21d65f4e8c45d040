-- The folded mode for Neovim: dgram keeps its own loop, and Neovim's loop
-- watches it. A poll on dgram.backendFd() and a timer set to
-- dgram.backendTimeout() call dgram.run("nowait"); the pump closes both
-- once run() returns false, else Neovim would not exit. Listeners run
-- inside a vim.loop callback: vim.in_fast_event() is true, and calling
-- Neovim's API raises E5560 (use vim.schedule) instead of harming Neovim.
--
--   local pump = require "dgram_pump"   -- this file, in your plugin's lua/
--   ... create sockets, timers ...
--   pump.start()                       -- again after new work, if it stopped
local dgram = require "dgram"

local M = {}

local uv = vim.loop
local poll, timer

-- Errors raised by listeners and callbacks come out of dgram.run(); the
-- callbacks that arrive after one wait for the next run(). Replace this to
-- report them elsewhere.
function M.onError(err)
  vim.schedule(function()
    vim.notify("dgram: " .. tostring(err), vim.log.levels.ERROR)
  end)
end

local function stop()
  if poll then
    poll:close()
    timer:close()
    poll, timer = nil, nil
  end
end

local function step()
  local ok, more = pcall(dgram.run, "nowait")
  if not ok then
    M.onError(more)
    more = true
  end
  if not more then
    return stop()
  end
  local timeout = dgram.backendTimeout()
  timer:stop()
  if timeout >= 0 then
    timer:start(timeout, 0, step)
  end
end

-- Starts watching the module's loop (a no-op while it watches already).
function M.start()
  if poll then
    return
  end
  poll = uv.new_poll(dgram.backendFd())
  timer = uv.new_timer()
  poll:start("r", step)
  timer:start(0, 0, step) -- work queued before start() runs now
end

M.stop = stop

function M.running()
  return poll ~= nil
end

return M
