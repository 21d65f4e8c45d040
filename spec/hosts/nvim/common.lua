-- Shared by the Neovim scripts: an echo-to-self socket pair, and a way to
-- end Neovim with a status (0 by :qa!, else :cquit N) from anywhere.
local dgram = require "dgram"

local M = {}

-- A line on stderr (print would go to Neovim's message area).
function M.say(message)
  io.stderr:write(message, "\n")
end

function M.finish(status, message)
  if message then
    io.stderr:write(message, "\n")
  end
  vim.schedule(function()
    vim.cmd(status == 0 and "qa!" or ("cquit " .. status))
  end)
end

function M.check(cond, message)
  if not cond then
    M.finish(4, "check failed: " .. tostring(message))
  end
  return cond
end

-- A socket bound on 127.0.0.1 that sends itself `n` datagrams; onMessage
-- gets (socket, i, msg) for each.
function M.selfSender(n, onMessage)
  local s = dgram.createSocket("udp4")
  local i = 0
  s:on("message", function(msg)
    i = i + 1
    onMessage(s, i, msg)
  end)
  s:bind(0, "127.0.0.1", function()
    for k = 1, n do
      s:send("datagram " .. k, s:address().port, "127.0.0.1")
    end
  end)
  return s
end

return M
