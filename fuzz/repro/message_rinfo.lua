-- BUG: with two 'message' listeners (or one added with once()), every
-- listener gets a broken rinfo: rinfo.address is a table, family and port
-- are nil. src/udp.c's udp_recv_cb calls the message hook with (owner, msg,
-- rinfo), but lua/dgram/socket.lua's onMessage still takes (self, msg,
-- address, family, port, truncated) and builds rinfo from those.
-- Found by fuzz/api_fuzz.c (fixtures.lua check_message).
local dgram = require "dgram"

local got = {}
local s = dgram.createSocket("udp4")
local function listener(_, rinfo)
  got[#got + 1] = rinfo
  if #got == 2 then s:close() end
end
s:on("message", listener)
s:on("message", listener)
s:bind(0, "127.0.0.1", function()
  local c = dgram.createSocket("udp4")
  c:send("hi", s:address().port, "127.0.0.1", function() c:close() end)
end)
dgram.run()

local r = got[1]
if type(r.address) ~= "string" or r.family ~= "IPv4" or math.type(r.port) ~= "integer" then
  print(("BUG: rinfo with two listeners: address=%s family=%s port=%s size=%s")
    :format(tostring(r.address), tostring(r.family), tostring(r.port), tostring(r.size)))
  os.exit(1, true)
end
print("ok: rinfo is whole with two 'message' listeners")
