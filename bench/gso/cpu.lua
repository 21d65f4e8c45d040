-- cpu.lua: the CPU a datagram costs with and without gro, sender and
-- receiver in one process (so the machine's other load does not enter).
-- usage: lua cpu.lua gro|plain [TOTAL]
-- Sends TOTAL datagrams of 1400 bytes in lists of 46 (one segmented send
-- each) to a socket of its own, never more than 2,000 ahead of what it
-- received; prints the process's CPU time per datagram received.
local dgram = require "dgram"

local gro, total = arg[1] == "gro", tonumber(arg[2]) or 200000
local receiver = dgram.createSocket({ type = "udp4", gro = gro, recvBufferSize = 4 * 1024 * 1024 })
local sender = dgram.createSocket("udp4")
local list = {}
for i = 1, 46 do
  list[i] = ("x"):rep(1400)
end
local got, sent, start = 0, 0, nil

receiver:on("message", function()
  got = got + 1
end)

local function pump()
  if sent < total then
    if sent - got < 2000 then
      sender:sendMany(list, receiver:address().port, "127.0.0.1")
      sent = sent + #list
    end
    dgram.setImmediate(pump)
  else
    local cpu = os.clock() - start
    print(("%s: sent %d, received %d, %.2f us of CPU per datagram"):format(arg[1], sent, got, cpu / got * 1e6))
    receiver:close()
    sender:close()
  end
end

receiver:bind(0, "127.0.0.1", function()
  sender:bind(0, "127.0.0.1", function()
    start = os.clock()
    pump()
  end)
end)
dgram.run()
