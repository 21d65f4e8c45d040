-- uv.run() alone drives dgram's timers, immediates and ticks: work queued
-- outside any callback runs on the loop's first iteration, ticks queued in
-- a luv callback run before the loop polls again, an unref'd timer keeps
-- nothing alive.
local uv = require "luv"
local dgram = require "dgram"
dgram.useLoop(uv)

local order = {}
local function log(what)
  order[#order + 1] = what
end

dgram.setTimeout(log, 50, "timeout")
dgram.setImmediate(function()
  log("immediate")
  dgram.nextTick(log, "tick in immediate")
end)
dgram.nextTick(log, "tick")
local n = 0
local interval
interval = dgram.setInterval(function()
  n = n + 1
  if n == 3 then
    dgram.clearInterval(interval)
  end
end, 2)
dgram.setTimeout(log, 60000, "unref'd timer"):unref()

-- A tick queued in one of luv's own callbacks runs before luv's next one.
local luvTimer = uv.new_timer()
local luvFired = 0
luvTimer:start(100, 1, function()
  luvFired = luvFired + 1
  if luvFired == 1 then
    dgram.nextTick(log, "tick from luv")
  elseif luvFired == 2 then
    log("luv again")
    luvTimer:close()
  end
end)

local started = uv.hrtime()
uv.run()
local ms = (uv.hrtime() - started) / 1e6
local got = table.concat(order, ",")
assert(got == "tick,immediate,tick in immediate,timeout,tick from luv,luv again", got)
assert(n == 3, n)
assert(ms < 5000, "the unref'd timer kept uv.run() going")
print("ok " .. got)
