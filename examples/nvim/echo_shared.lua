-- Neovim, shared mode: dgram's sockets on Neovim's own loop
-- (dgram.useLoop(vim.loop)); nothing to pump. An echo server and a client
-- pass N datagrams (DGRAM_N, 10), then Neovim quits. Run it with
--   nvim --headless -u NONE -c 'luafile examples/nvim/echo_shared.lua'
-- Listeners run inside luv's callback wrapper, as vim.loop callbacks do
-- (vim.in_fast_event() is true: use vim.schedule for Neovim's API); an
-- error one raises goes to dgram.setErrorHandler's handler. Beware:
-- vim.loop.walk() aborts Neovim while dgram's handles are on its loop.
local dgram = require "dgram"
dgram.useLoop(vim.loop)

dgram.setErrorHandler(function(err)
  vim.schedule(function()
    vim.notify("dgram: " .. tostring(err), vim.log.levels.ERROR)
  end)
end)

local N = tonumber(os.getenv("DGRAM_N")) or 10
local server = dgram.createSocket("udp4")
local client = dgram.createSocket("udp4")
local sent, echoed = 0, 0

server:on("message", function(msg, rinfo)
  server:send(msg, rinfo.port, rinfo.address)
end)

local function sendNext()
  if sent < N then
    sent = sent + 1
    client:send("datagram " .. sent, server:address().port, "127.0.0.1")
  end
end

client:on("message", function()
  echoed = echoed + 1
  if echoed < N then
    return sendNext()
  end
  client:close()
  server:close()
  vim.schedule(function()
    print(("echoed %d of %d"):format(echoed, N))
    vim.cmd("qa!")
  end)
end)

server:bind(0, "127.0.0.1", function()
  client:bind(0, "127.0.0.1", function()
    for _ = 1, 16 do -- 16 in flight: a loopback socket drops a long burst
      sendNext()
    end
  end)
end)
