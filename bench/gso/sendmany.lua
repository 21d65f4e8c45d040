-- sendmany.lua: a Lua bulk sender, sendMany's figure.
-- usage: lua sendmany.lua PORT SIZE SECONDS
-- Sends lists of 64 SIZE-byte datagrams to 127.0.0.1:PORT for SECONDS,
-- 32 lists per turn of the loop, waiting while libuv's queue holds any;
-- prints "sent N in T s = R/s, C us of CPU per datagram".
local dgram = require "dgram"

local port, size, seconds = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])
local list = {}
for i = 1, 64 do
  list[i] = ("x"):rep(size)
end
local s = dgram.createSocket("udp4")
local sent, start = 0, nil

local function burst()
  if start == nil then
    start = dgram.now()
  end
  if s:getSendQueueCount() == 0 then
    for _ = 1, 32 do
      s:sendMany(list, port, "127.0.0.1")
    end
    sent = sent + 32 * #list
  end
  local elapsed = (dgram.now() - start) / 1000
  if elapsed >= seconds then
    print(("sent %d in %.2f s = %.0f/s, %.2f us of CPU per datagram"):format(sent, elapsed, sent / elapsed,
      os.clock() / sent * 1e6))
    s:close()
  else
    dgram.setImmediate(burst)
  end
end

s:bind(0, "127.0.0.1", function()
  dgram.setImmediate(burst)
end)
dgram.run()
