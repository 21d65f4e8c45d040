-- useLoop after the module's first socket (or timer) raises
-- ERR_INVALID_STATE; the module stays on its own loop and works.
local uv = require "luv"
local dgram = require "dgram"
local s = dgram.createSocket("udp4")
local ok, err = pcall(dgram.useLoop, uv)
assert(not ok and getmetatable(err) == dgram.Error, tostring(err))
assert(err.code == "ERR_INVALID_STATE", tostring(err))
assert(err.name == "Error", err.name)
print(tostring(err))
s:bind(0, "127.0.0.1", function() s:close() end)
assert(dgram.run() == false)
print("ok")
