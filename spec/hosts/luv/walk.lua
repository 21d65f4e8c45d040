-- The trap: luv's uv.walk() takes every handle on its loop for one of its
-- own; on a loop shared with dgram it aborts the process.
local uv = require "luv"
local dgram = require "dgram"
dgram.useLoop(uv)
local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1")
io.stdout:write("walking\n")
io.stdout:flush()
uv.walk(function() end)
print("walked")
