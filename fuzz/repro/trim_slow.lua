-- PERFORMANCE: a port given as a long whitespace string took ~2.8 us per
-- character to reject: errors.trim (now js.trim, lua/dgram/js.lua) tried
-- its 25 separators with string.sub at every position. A 64 KiB string cost
-- ~0.18 s per call, 1 MiB ~3 s (linear, with a large constant). Found by
-- fuzz/api_fuzz.c (FUZZ_TIMING=1 reported connect/send taking 0.6 s under
-- ASan).
local dgram = require "dgram"

local s = dgram.createSocket("udp4")
local t = os.clock()
local ok = pcall(s.connect, s, (" "):rep(65536))
local dt = os.clock() - t
s:close()
dgram.run()
print(("connect((' '):rep(65536)) raised=%s in %.3f s"):format(tostring(not ok), dt))
if dt > 0.05 then
  print("SLOW: rejecting a 64 KiB blank port takes longer than 50 ms")
  os.exit(1, true)
end
print("ok")
