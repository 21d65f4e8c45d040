-- BUG: an error raised while C looks up the socket's 'message' listener
-- (udp_recv_cb: lua_getfield(owner, "_events"), then lua_getfield(...,
-- "message"), outside dg_pcall) unwinds through libuv's uv_run. The loop is
-- left marked as running (ctx->running stays 1), so every later
-- dgram.run() raises "the loop is already running": the process can no
-- longer run its loop at all, and nothing it closes is ever released.
-- A script gets there by giving the socket's _events a metatable whose
-- __index raises, or a non-table _events (in Node the same emit would throw
-- inside the 'message' dispatch, an uncaught exception, not a dead loop).
local dgram = require "dgram"

local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1", function()
  s._events = setmetatable({}, { __index = function() error("hostile __index", 0) end })
  local c = dgram.createSocket("udp4")
  c:send("hi", s:address().port, "127.0.0.1", function() c:close() end)
end)
local ok1, err1 = pcall(dgram.run)
s._events = {}
s:close()
local ok2, err2 = pcall(dgram.run)
print("first run():", ok1, tostring(err1))
print("run() after the error:", ok2, tostring(err2))
if not ok2 and tostring(err2):find("already running", 1, true) then
  print("BUG: the loop is wedged after an error raised outside a protected call in udp_recv_cb")
  os.exit(1, true)
end
print("ok: the loop still runs after an error in the message dispatch")
