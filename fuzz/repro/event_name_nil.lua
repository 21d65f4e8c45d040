-- BUG (error type): EventEmitter:on(nil, fn), and once/prependListener/...,
-- and a NaN name, raise Lua runtime errors ("table index is nil", "table
-- index is NaN") from lua/dgram/events.lua. Node takes undefined as an
-- event name like any other (checked with Node 20: on(undefined, fn) then
-- emit(undefined) calls fn). Found by both libFuzzer harnesses.
local dgram = require "dgram"

local s = dgram.createSocket("udp4")
local called = false
local ok, err = pcall(s.on, s, nil, function() called = true end)
if ok then
  pcall(s.emit, s, nil)
end
local ok2, err2 = pcall(s.on, s, 0 / 0, function() end)
s:close()
dgram.run()
if not ok or not ok2 then
  print("BUG: on(nil, fn): " .. tostring(err) .. "; on(0/0, fn): " .. tostring(err2))
  os.exit(1, true)
end
print("ok: nil names an event; emit(nil) called the listener: " .. tostring(called))
