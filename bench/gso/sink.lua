-- sink.lua: a Lua bulk receiver, gro's figure.
-- usage: lua sink.lua gro|plain SECONDS
-- Binds 127.0.0.1 on an ephemeral port (4 MiB receive buffer, UDP GRO
-- with gro), prints "port P", then counts 'message' events for SECONDS
-- from the first, or until 2 s pass without one; prints
-- "received N in T s = R/s, C us of CPU per datagram".
local dgram = require "dgram"

local gro, seconds = arg[1] == "gro", tonumber(arg[2])
local s = dgram.createSocket({ type = "udp4", gro = gro, recvBufferSize = 4 * 1024 * 1024 })
local got, start, last = 0, nil, nil

local function finish()
  local elapsed = (last - start) / 1000
  print(("received %d in %.2f s = %.0f/s, %.2f us of CPU per datagram"):format(got, elapsed, got / elapsed,
    os.clock() / got * 1e6))
  s:close()
end

s:on("message", function()
  got = got + 1
  last = dgram.now()
  if start == nil then
    start = last
    dgram.setTimeout(finish, seconds * 1000)
  end
end)
s:bind(0, "127.0.0.1", function()
  print("port " .. s:address().port)
  io.stdout:flush()
end)
dgram.run()
