-- BUG (error type): a custom lookup that answers a non-string address makes
-- dgram.core's luaL_checkstring raise a plain Lua string out of
-- dgram.run() ("bad argument #2 to 'udp_bind' (string expected, got
-- table)"), from bind, connect and send alike. Node converts the value to a
-- string and reports a system error: 'error' event "bind EINVAL [object
-- Object]" (checked with Node 20). Found by fuzz/api_fuzz.c in strict mode
-- (fuzz/repro/lookup_nonstring.api_fuzz is the input).
local dgram = require "dgram"

local s = dgram.createSocket({
  type = "udp4",
  lookup = function(_, _, cb) dgram.nextTick(cb, nil, {}, 4) end,
})
local event
s:on("error", function(err) event = err end)
local ok, err = pcall(s.bind, s, 0)
if ok then
  ok, err = pcall(dgram.run, "nowait")
end
if s._state.handle then s:close() end
pcall(dgram.run)
if not ok then
  print("BUG: " .. type(err) .. " raised: " .. tostring(err))
  os.exit(1, true)
end
print("ok: 'error' event: " .. tostring(event))
