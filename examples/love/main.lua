-- LÖVE 11.4: dgram driven from the game loop. love.update calls
-- dgram.run("nowait") once a frame; an echo server and a client pass N
-- datagrams (DGRAM_N, 10) through it, then the game quits with status 0
-- (1 if something went wrong). Run it with `love examples/love`.
--
-- LÖVE loads C modules from package.cpath or from the game's folder
-- (dgram/core.so beside dgram.lua, built with `make LUA=luajit`), never
-- from inside a zipped .love file: ship the module beside the game.
local dgram = require "dgram"

local N = tonumber(os.getenv("DGRAM_N")) or 10
local server, client
local sent, echoed, frames = 0, 0, 0

local function sendNext()
  if sent < N then
    sent = sent + 1
    client:send("datagram " .. sent, server:address().port, "127.0.0.1")
  end
end

function love.load()
  server = dgram.createSocket("udp4")
  client = dgram.createSocket("udp4")
  server:on("message", function(msg, rinfo)
    server:send(msg, rinfo.port, rinfo.address)
  end)
  client:on("message", function()
    echoed = echoed + 1
    if echoed < N then
      return sendNext()
    end
    client:close()
    server:close()
  end)
  server:bind(0, "127.0.0.1", function()
    client:bind(0, "127.0.0.1", function()
      for _ = 1, 16 do -- 16 in flight: a loopback socket drops a long burst
        sendNext()
      end
    end)
  end)
end

function love.update()
  frames = frames + 1
  -- An error a listener raises comes out of run(): the game decides.
  local ok, more = pcall(dgram.run, "nowait")
  if not ok then
    print("dgram: " .. tostring(more))
    love.event.quit(1)
  elseif not more then
    print(("echoed %d of %d in %d frames"):format(echoed, N, frames))
    love.event.quit(echoed == N and 0 or 1)
  end
end
