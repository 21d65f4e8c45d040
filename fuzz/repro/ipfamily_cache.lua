-- BUG (memory): lua/dgram/socket.lua caches core.isip() of every address a
-- send or connect sees (ipFamilies), up to 1024 entries whatever their
-- length. 1000 sends to distinct 64 KiB non-IP "addresses" keep ~63 MiB of
-- strings alive until the 1025th; longer strings keep more (1024 x 1 MiB =
-- 1 GiB). Bound the cache by bytes, or cache only strings short enough to
-- be an address (an IPv6 literal with a zone is < 64 bytes).
local dgram = require "dgram"

local s = dgram.createSocket("udp4")
s:on("error", function() end)
s:bind(0, "127.0.0.1")
dgram.run("nowait")
collectgarbage()
collectgarbage()
local before = collectgarbage("count")
for i = 1, 1000 do
  pcall(s.send, s, "x", 29100, ("%d"):format(i) .. ("y"):rep(65536))
  pcall(dgram.run, "nowait")
end
for _ = 1, 100 do pcall(dgram.run, "nowait") end
collectgarbage()
collectgarbage()
local grew = (collectgarbage("count") - before) / 1024
s:close()
pcall(dgram.run)
print(("Lua heap grew by %.1f MiB after 1000 sends to distinct 64 KiB non-IP addresses"):format(grew))
if grew > 8 then
  print("BUG: the address cache keeps every string it saw, however long")
  os.exit(1, true)
end
print("ok")
