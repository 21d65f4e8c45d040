-- BUG (memory safety): a socket's or timer's userdata whose __gc never ran
-- (Lua skips a finalizer that fails, e.g. with "C stack overflow" when the
-- collection runs deep in nested calls, and frees the userdata anyway)
-- stayed known to the C side, which kept a pointer into it: core.close_all
-- (and the state's teardown) then wrote through it, a heap-use-after-free
-- in udp_close_now (src/udp.c). Found by fuzz/api_fuzz.c (ASan), after
-- 889,227 inputs; its input does not replay alone, as it needs the Lua
-- heap the run had built up. Run it under ASan (SANITIZE=1 run.sh) or
-- valgrind: without them a write into freed memory may go unseen.
local dgram = require "dgram"
local core = require "dgram.core"
-- Only 5.4 skips a failing finalizer (and says so with a warning); the
-- script runs on the other Luas too, where nothing may crash either.
if warn then warn("@on") end
for depth = 150, 200 do
  do
    local _ = dgram.createSocket("udp4"), core.timer_new()
  end
  local function deep(n)
    if n == 0 then collectgarbage() collectgarbage() else pcall(deep, n - 1) end
  end
  deep(depth)
end
collectgarbage()
collectgarbage()
core.close_all()
dgram.run()
print("ok: no crash (a crash or an ASan report is the bug); handles left: " .. core.open_handles())
