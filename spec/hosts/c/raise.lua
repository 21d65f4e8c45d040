-- Run by examples/host.c --uv-run (the host runs the loop with uv_run, not
-- dgram.run): listeners raise, the handler gets each error as raised, and
-- the loop carries on. DEFAULT_HANDLER=1 keeps the default handler.
local dgram = require "dgram"

local raised = setmetatable({}, { __tostring = function() return "the raised table" end })
local seen = {}
if not os.getenv("DEFAULT_HANDLER") then
  dgram.setErrorHandler(function(err, traceback)
    assert(err == raised, "not the very value raised: " .. tostring(err))
    assert(type(traceback) == "string" and traceback:find("stack traceback", 1, true), traceback)
    seen[#seen + 1] = err
  end)
end

local ticked = false
dgram.nextTick(function() ticked = true end) -- queued outside any callback

local s = dgram.createSocket("udp4")
local received = 0
s:on("message", function()
  received = received + 1
  if received < 3 then
    error(raised)
  end
  assert(ticked, "the top-level tick did not run")
  s:close(function()
    print(("script: %d raised, %d handled"):format(2, #seen))
    done = true
  end)
end)
s:bind(0, "127.0.0.1", function()
  for i = 1, 3 do
    s:send("datagram " .. i, s:address().port, "127.0.0.1")
  end
end)
