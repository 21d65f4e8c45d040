-- The server/client example of Node's dgram docs, in Lua: a server prints
-- what it receives, a client sends it a few datagrams, then both close.
local dgram = require "dgram"

local server = dgram.createSocket("udp4")

server:on("error", function(err)
  print("server error:\n" .. tostring(err))
  server:close()
end)

server:on("message", function(msg, rinfo)
  print(("server got: %s from %s:%d"):format(msg, rinfo.address, rinfo.port))
  if msg == "bye" then
    server:close()
  end
end)

server:on("listening", function()
  local address = server:address()
  print(("server listening %s:%d"):format(address.address, address.port))

  local client = dgram.createSocket("udp4")
  local lines = { "Some bytes", "from a Lua client", "bye" }
  local i = 0
  local function sendNext()
    i = i + 1
    client:send(lines[i], address.port, "localhost", function(err)
      if err then
        print("client error: " .. tostring(err))
        client:close()
      elseif i < #lines then
        sendNext()
      else
        client:close()
      end
    end)
  end
  sendNext()
end)

-- Port 41234 as in Node's docs; PORT=0 picks a free one.
server:bind(tonumber(os.getenv("PORT") or "41234"))
dgram.run()
