-- Under uv.run(), an error raised by a listener or callback goes to the
-- handler as raised, with its traceback; the loop goes on, luv's own
-- timers keep firing, and later callbacks still run. A handler that raises
-- loses neither error. DEFAULT_HANDLER=1: the default handler's stderr.
local uv = require "luv"
local dgram = require "dgram"
dgram.useLoop(uv)

local raised = setmetatable({}, { __tostring = function() return "the raised table" end })
local handled, nhandled = {}, 0
if not os.getenv("DEFAULT_HANDLER") then
  dgram.setErrorHandler(function(err, traceback)
    assert(type(traceback) == "string" and traceback:find("stack traceback", 1, true), traceback)
    nhandled = nhandled + 1
    handled[nhandled] = err
    if err == "from a timer" then
      error("the handler raised too")
    end
  end)
end

local luvTicks = 0
local luvTimer = uv.new_timer()
luvTimer:start(1, 1, function()
  luvTicks = luvTicks + 1
end)

local s = dgram.createSocket("udp4")
local received, ticksAtFirst = 0, nil
s:on("message", function()
  received = received + 1
  if received == 1 then
    ticksAtFirst = luvTicks
    error(raised)
  elseif received == 2 then
    error(nil)
  end
  -- the third: wait a little for luv's timer, then finish
  dgram.setTimeout(function()
    s:close()
    luvTimer:close()
    error("from a timer", 0)
  end, 20)
end)
s:bind(0, "127.0.0.1", function()
  for i = 1, 3 do
    s:send("datagram " .. i, s:address().port, "127.0.0.1")
  end
end)

uv.run()
assert(received == 3, received)
assert(luvTicks > ticksAtFirst, "luv's timer stopped firing")
if not os.getenv("DEFAULT_HANDLER") then
  assert(nhandled == 3, nhandled)
  assert(handled[1] == raised, tostring(handled[1]))
  assert(handled[2] == nil and handled[3] == "from a timer")
end
print("ok")
