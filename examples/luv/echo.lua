-- luv and dgram on one loop: dgram.useLoop(uv) before the first socket or
-- timer, then uv.run() drives luv's handles and dgram's alike. An echo
-- server and a client pass N datagrams (first argument, 10) while a luv
-- timer ticks beside them; uv.run() returns once both are done.
--   lua5.4 examples/luv/echo.lua 1000
local uv = require "luv"
local dgram = require "dgram"
dgram.useLoop(uv)

-- Errors that listeners raise under uv.run() come here (the default
-- writes them to stderr with a traceback); nothing stops the loop.
dgram.setErrorHandler(function(err, traceback)
  io.stderr:write("dgram: ", tostring(err), "\n", traceback, "\n")
end)

local N = tonumber(arg and arg[1]) or 10
local server = dgram.createSocket("udp4")
local client = dgram.createSocket("udp4")
local sent, echoed, ticks = 0, 0, 0

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
  if echoed == N then
    client:close()
    server:close()
  else
    sendNext()
  end
end)

server:bind(0, "127.0.0.1", function()
  client:bind(0, "127.0.0.1", function()
    for _ = 1, 16 do -- 16 in flight: a loopback socket drops a long burst
      sendNext()
    end
  end)
end)

-- luv's own timer, on the same loop
local timer = uv.new_timer()
timer:start(1, 1, function()
  ticks = ticks + 1
  if echoed == N then
    timer:close()
  end
end)

uv.run()
print(("echoed %d of %d; luv's timer ticked %d times"):format(echoed, N, ticks))
os.exit(echoed == N and 0 or 1, true)
