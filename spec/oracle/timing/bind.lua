local dgram = require "dgram"; local log = {}
local function push(s) log[#log + 1] = s end
local s = dgram.createSocket("udp4")
s:on("listening", function() push("listening") end)
s:bind(0, "127.0.0.1", function() push("bind cb"); s:close(function() push("close cb") end); push("after close()") end)
dgram.nextTick(function() push("tick") end)
dgram.setImmediate(function() push("immediate") end)
push("sync")
dgram.run()
print(table.concat(log, ","))
