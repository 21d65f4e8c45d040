-- Run by examples/host.c --uv-run (the host runs the loop with uv_run, not
-- dgram.run): an error raised in a spawned coroutine, before and after its
-- first wait, goes to the error handler as raised, with the coroutine's
-- own traceback; the loop carries on.
local dgram = require "dgram"

local raised = setmetatable({}, { __tostring = function() return "the raised table" end })
local handled = {}
dgram.setErrorHandler(function(err, traceback)
  handled[#handled + 1] = err == raised and traceback or "not the value raised: " .. tostring(err)
end)

local function failingWorker(wait)
  if wait then
    wait()
  end
  error(raised) -- the line the tracebacks must name
end
local LINE = 17

local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1", function()
  dgram.spawn(failingWorker) -- inside a callback, before any wait
  dgram.spawn(failingWorker, function() dgram.sleep(1) end)
  local r = dgram.createSocket("udp4")
  r:bind(0, "127.0.0.1", function()
    -- resumed by C with the datagram (the inbox is r's only listener)
    dgram.spawn(failingWorker, function() r:receive() r:close() end)
    s:send("resume", r:address().port, "127.0.0.1")
  end)
  dgram.spawn(function()
    dgram.sleep(20)
    local where = "coro_raise.lua:" .. LINE
    for i, traceback in ipairs(handled) do
      print(("script: handled %d names %s: %s"):format(i, where, tostring(traceback:find(where, 1, true) ~= nil)))
    end
    print(("script: %d handled"):format(#handled))
    s:close()
    done = true
  end)
end)
