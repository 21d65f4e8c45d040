-- Port of Node's benchmark/dgram/get-send-queue-info.js to this module: the
-- cost of getSendQueueSize() / getSendQueueCount() on a connected socket
-- after 999 sends. Like Node's run with --test-udp-no-try-send, it runs
-- with DGRAM_TEST_NO_TRY_SEND=1 (re-running itself with it), so the 999
-- sends wait in libuv's queue while the calls are measured.
if not os.getenv("DGRAM_TEST_NO_TRY_SEND") then
  local args = {}
  for i = 1, #arg do
    args[i] = "'" .. arg[i]:gsub("'", "'\\''") .. "'"
  end
  local ok = os.execute(("DGRAM_TEST_NO_TRY_SEND=1 %s %s %s"):format(arg[-1], arg[0], table.concat(args, " ")))
  os.exit(ok and 0 or 1)
end
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
