local dgram = require "dgram"; local log = {}
local function push(s) log[#log + 1] = s end
local r = dgram.createSocket("udp4")
r:bind(0, "127.0.0.1", function()
  local port = r:address().port
  r:on("message", function(m) push("message " .. m); if m == "b" then r:close() end end)
  local s = dgram.createSocket("udp4")
  s:on("listening", function() push("listening") end)
  s:send("a", port, "127.0.0.1", function(_, bytesA) push("send cb a " .. bytesA)
    s:send("b", port, "127.0.0.1", function(_, bytesB) push("send cb b " .. bytesB); s:close() end)
    dgram.nextTick(function() push("tick after send b") end)
  end)
  dgram.nextTick(function() push("tick after send a") end)
  push("sent")
end)
dgram.run()
print(table.concat(log, ","))
