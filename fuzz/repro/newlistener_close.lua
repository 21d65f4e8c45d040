-- BUG (error type, minor): a 'newListener' listener that closes the socket
-- runs in the middle of bind(): bind(options, callback) adds its own
-- 'listening'/'error' listeners after its health check, the socket closes,
-- and bind goes on with a nil handle: core.udp_open raises the plain string
-- "bad argument #1 to 'udp_open' (dgram.udp expected, got nil)"
-- (bind({fd=...}); other paths give other texts). Node would throw a bare
-- TypeError here too; a dgram.Error (ERR_SOCKET_DGRAM_NOT_RUNNING) would
-- be better. Found by fuzz/api_fuzz.c in strict mode.
local dgram = require "dgram"
local socket = require "socket" -- LuaSocket, for a UDP fd to hand over

local s = dgram.createSocket("udp4")
s:on("newListener", function() if s._state.handle then s:close() end end)
local u = socket.udp()
assert(u:setsockname("127.0.0.1", 0)) -- makes the fd
local ok, err = pcall(s.bind, s, { fd = u:getfd() }, function() end)
u:close()
dgram.run()
if not ok and type(err) == "string" then
  print("BUG: bind raised a string: " .. err)
  os.exit(1, true)
end
print("ok: " .. tostring(ok) .. " " .. tostring(err))
