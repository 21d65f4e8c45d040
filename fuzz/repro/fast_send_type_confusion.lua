-- BUG (memory safety; a segmentation fault here, a heap-buffer-overflow
-- report under ASan: SANITIZE=1 sh fuzz/repro/run.sh): the C
-- fast path of Socket:send (src/udp_send.c socket_send) takes
-- self._state.handle as a dgram.udp box after checking only that it is a
-- full userdata. Any other userdata there (a timer's handle, io.stdout) is
-- read and written as a dg_udp: ASan reports a heap-buffer-overflow in
-- socket_send (reading u->closed past the dg_timer), and dg_udp_dest then
-- writes u->dest into that memory. Every other C entry point checks the
-- metatable (dg_udp_check).
local dgram = require "dgram"

local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1")
dgram.run("nowait")                      -- 'listening': the fast path is on
local t = dgram.setTimeout(function() end, 100000)
s._state.handle = t._handle              -- a dgram.timer userdata
local ok, err = pcall(s.send, s, "x", 9, "127.0.0.1")
print("send with a timer as handle:", ok, tostring(err))
ok, err = pcall(dgram.run, "nowait")     -- a fixed module's general path complains here
print("then run():", ok, tostring(err))
dgram.clearTimeout(t)
print("ok: no crash (a crash or an ASan report is the bug)")
