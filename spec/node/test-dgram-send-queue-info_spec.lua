-- Port of test/parallel/test-dgram-send-queue-info.js (run by Node with
-- --test-udp-no-try-send): a fresh socket has an empty send queue; two
-- connected sends of 'hello' with try-send off are both queued, 10 bytes
-- in 2 requests.
--
-- The module's counterpart of Node's flag is DGRAM_TEST_NO_TRY_SEND=1,
-- read when the module loads, so the body runs in a child lua5.4 with it.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local socket = dgram.createSocket("udp4")
assert(socket:getSendQueueSize() == 0)
assert(socket:getSendQueueCount() == 0)
socket:close()

local server = dgram.createSocket("udp4")
local client = dgram.createSocket("udp4")

server:bind(0, common.mustCall(function()
  client:connect(server:address().port, common.mustCall(function()
    local data = "hello"
    client:send(data)
    client:send(data)
    -- See uv__send in win/udp.c (Windows reports 0 bytes; this is Linux)
    local size, count = client:getSendQueueSize(), client:getSendQueueCount()
    assert(size == #data * 2, "getSendQueueSize() = " .. tostring(size))
    assert(count == 2, "getSendQueueCount() = " .. tostring(count))
    client:close()
    server:close()
  end))
end))

common.run()
]==]

describe("test-dgram-send-queue-info", function()
  it("getSendQueueSize/Count with try-send off", function()
    common.checkChild(common.luaChild(BODY, { env = { DGRAM_TEST_NO_TRY_SEND = "1" } }))
  end)
end)
