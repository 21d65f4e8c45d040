-- Port of Node's benchmark/dgram/single-buffer.js to this module: one socket
-- sends `len`-byte strings to itself, refilling `n` sends at a time from
-- setImmediate() whenever the send counter crosses a multiple of n.
-- type=send counts sends, type=recv counts 'message' events.
local common = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")
local dgram = require "dgram"

local conf = common.parse({ len = 64, n = 100, type = "send", dur = 1 })
common.deadline(dgram, conf.dur + 10)

local chunk = string.rep("x", conf.len)
local socket = dgram.createSocket("udp4")
local sent, received = 0, 0
local port

local onsend
local function refill()
  for _ = 1, conf.n do
    socket:send(chunk, port, "127.0.0.1", onsend)
  end
end
function onsend()
  local s = sent
  sent = sent + 1
  if s % conf.n == 0 then dgram.setImmediate(refill) end
end

socket:on("message", function() received = received + 1 end)
socket:on("listening", function()
  port = socket:address().port
  local t0 = common.clock()
  onsend()
  dgram.setTimeout(function()
    local ops = conf.type == "send" and sent or received
    common.report("single-buffer", conf, ops, common.clock() - t0, conf.len)
    os.exit(0)
  end, conf.dur * 1000)
end)
socket:bind(0, "127.0.0.1")
dgram.run()
