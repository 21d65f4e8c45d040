local dgram = require "dgram"; local log = {}
local function push(s) log[#log + 1] = s end
local s = dgram.createSocket("udp4")
s:on("listening", function() push("listening") end)
s:on("close", function() push("close event") end)
s:send("a", 9, "127.0.0.1", function(err) push("send cb a " .. (err and err.code or "ok")) end)
s:send("b", 9, "127.0.0.1", function(err) push("send cb b " .. (err and err.code or "ok")) end)
s:close(function() push("close cb") end)
push("sync")
dgram.run()
print(table.concat(log, ","))
