-- LÖVE: a listener's error comes out of dgram.run("nowait") in
-- love.update as raised; a dgram timer then quits with status 7, which is
-- the process's exit status.
local dgram = require "dgram"

local raised = {}
local caught = false

function love.load()
  local s = dgram.createSocket("udp4")
  s:on("message", function()
    s:close()
    error(raised)
  end)
  s:bind(0, "127.0.0.1", function()
    s:send("x", s:address().port, "127.0.0.1")
  end)
end

function love.update()
  local ok, err = pcall(dgram.run, "nowait")
  if not ok then
    assert(err == raised and not caught, tostring(err))
    caught = true
    print("caught the listener's error")
    dgram.setTimeout(function()
      print("quitting with 7")
      love.event.quit(7)
    end, 20)
  end
end
