-- The script ends with sockets and timers of both open on the shared loop;
-- lua_close closes dgram's before luv's finalizer closes the loop, whatever
-- order the modules were loaded in (DGRAM_FIRST=1: dgram first).
local dgram, uv
if os.getenv("DGRAM_FIRST") then
  dgram = require "dgram"
  uv = require "luv"
else
  uv = require "luv"
  dgram = require "dgram"
end
dgram.useLoop(uv)
local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1")
dgram.setTimeout(function() end, 100000)
dgram.setInterval(function() end, 100000)
local t = uv.new_timer()
t:start(100000, 0, function() end)
uv.run("nowait")
print("ok")
