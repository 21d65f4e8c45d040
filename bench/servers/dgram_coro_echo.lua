-- Echo server / sink on this module (dgram) written in the sequential
-- style: a coroutine takes each datagram with sock:receive() and answers
-- it. Same usage and behaviour as dgram_echo.lua (the callback style),
-- which it is measured against.
-- usage: lua5.4 dgram_coro_echo.lua PORT [echo|sink] [MAXCOUNT] [LIFETIME_S]
local dgram = require "dgram"

local port = tonumber(arg[1]) or 0
local mode = arg[2] or "echo"
local maxcount = tonumber(arg[3]) or 0
local lifetime = tonumber(arg[4]) or 900

local s = dgram.createSocket("udp4")

dgram.spawn(function()
  local count, handled = 0, 0
  while true do
    local msg, rinfo = s:receive()
    if msg == nil then return end -- closed
    if mode ~= "sink" then
      s:send(msg, rinfo.port, rinfo.address)
    elseif msg == "STAT?" then
      s:send(tostring(count), rinfo.port, rinfo.address)
    else
      count = count + 1
    end
    handled = handled + 1
    if handled == maxcount then s:close() end
  end
end)

s:bind(port, "127.0.0.1", function()
  io.stdout:write(s:address().port, "\n")
  io.stdout:flush()
end)

dgram.setTimeout(function()
  io.stderr:write("dgram_coro_echo: lifetime over, exiting\n")
  s:close()
end, lifetime * 1000):unref()

dgram.run()
