-- Port of Node's benchmark/dgram/array-vs-concat.js to this module: send
-- throughput of a sequence of `chunks` strings (type=multi) against
-- table.concat of the same sequence on every send (type=concat).
local common = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")
local dgram = require "dgram"

local conf = common.parse({ len = 256, n = 100, chunks = 4, type = "multi", dur = 1 })
common.deadline(dgram, conf.dur + 10)

local list = {}
local piece = string.rep("x", math.floor(conf.len / conf.chunks + 0.5))
for i = 1, conf.chunks do list[i] = piece end
local socket = dgram.createSocket("udp4")
local sent = 0
local port

local onsend_concat, onsend_multi
local function refill_concat()
  for _ = 1, conf.n do
    socket:send(table.concat(list), port, "127.0.0.1", onsend_concat)
  end
end
local function refill_multi()
  for _ = 1, conf.n do
    socket:send(list, port, "127.0.0.1", onsend_multi)
  end
end
function onsend_concat()
  local s = sent
  sent = sent + 1
  if s % conf.n == 0 then dgram.setImmediate(refill_concat) end
end
function onsend_multi()
  local s = sent
  sent = sent + 1
  if s % conf.n == 0 then dgram.setImmediate(refill_multi) end
end
local onsend = conf.type == "concat" and onsend_concat or onsend_multi

socket:on("listening", function()
  port = socket:address().port
  local t0 = common.clock()
  onsend()
  dgram.setTimeout(function()
    common.report("array-vs-concat", conf, sent, common.clock() - t0, conf.len)
    os.exit(0)
  end, conf.dur * 1000)
end)
socket:bind(0, "127.0.0.1")
dgram.run()
