-- Port of Node's benchmark/dgram/get-send-queue-info.js to this module: the
-- cost of getSendQueueSize() / getSendQueueCount() on a connected socket
-- after 999 sends. There is no "no try-send" switch here, so the queue is
-- whatever the module left pending (usually empty): this measures the call.
local common = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")
local dgram = require "dgram"

local conf = common.parse({ n = 5000000, method = "size" })
common.deadline(dgram, 60)

local server = dgram.createSocket("udp4")
local client = dgram.createSocket("udp4")
server:bind(0, "127.0.0.1", function()
  client:connect(server:address().port, "127.0.0.1", function()
    for _ = 1, 999 do client:send("Hello") end
    local pending = client:getSendQueueCount()
    local t0
    if conf.method == "size" then
      t0 = common.clock()
      for _ = 1, conf.n do client:getSendQueueSize() end
    else
      t0 = common.clock()
      for _ = 1, conf.n do client:getSendQueueCount() end
    end
    local secs = common.clock() - t0
    common.report("get-send-queue-info", conf, conf.n, secs)
    io.stderr:write(("(queued sends while measuring: %d)\n"):format(pending))
    client:close()
    server:close()
  end)
end)
dgram.run()
