-- Run by examples/host.c: a socket sends itself datagrams while the host
-- steps the loop one frame at a time; `done` tells the host to stop.
local dgram = require "dgram"

local s = dgram.createSocket("udp4")
local received = 0
s:on("message", function(msg)
  received = received + 1
  if received == 3 then
    print("script: received " .. msg)
    s:close(function()
      done = true
    end)
  end
end)
s:bind(0, "127.0.0.1", function()
  for i = 1, 3 do
    s:send("frame datagram " .. i, s:address().port, "127.0.0.1")
  end
end)
