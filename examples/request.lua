-- A request with a timeout and retries, written top to bottom in a
-- coroutine: send, wait half a second for the answer, three tries in all.
-- The server here ignores the first request it gets, so the answer comes
-- on the second try.  Run: lua5.4 examples/request.lua (from the
-- repository, after `make`, with LUA_PATH="./lua/?.lua;;"
-- LUA_CPATH="./build/?.so;;").
local dgram = require "dgram"

local server = dgram.createSocket("udp4")
local requests = 0
server:on("message", function(msg, rinfo)
  requests = requests + 1
  if requests > 1 then
    server:send("answer to " .. msg, rinfo.port, rinfo.address)
  end
end)
server:bind(0, "127.0.0.1")

-- request(payload, port, address) -> reply, tries; or nil, why
local function request(payload, port, address)
  local sock = dgram.createSocket("udp4")
  for try = 1, 3 do
    sock:send(payload, port, address)
    local reply, err = sock:receive(500)
    if reply then
      sock:close()
      return reply, try
    elseif err.code ~= "ETIMEDOUT" then
      sock:close()
      return nil, tostring(err)
    end
  end
  sock:close()
  return nil, "no answer after 3 tries"
end

dgram.spawn(function()
  dgram.once(server, "listening")
  local reply, tries = request("the question", server:address().port, "127.0.0.1")
  print(("%s (after %s tries)"):format(tostring(reply), tostring(tries)))
  server:close()
end)
dgram.run()
