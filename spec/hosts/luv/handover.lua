-- dgram.run() raised and left datagrams waiting for the next run(); then
-- uv.run() runs the loop instead: the errors still to raise go to the
-- handler and the waiting datagrams are delivered, in order.
local uv = require "luv"
local dgram = require "dgram"
dgram.useLoop(uv)

local s = dgram.createSocket("udp4")
local got = {}
s:on("message", function(msg)
  got[#got + 1] = msg
  if msg == "1" or msg == "2" then
    error("raised at " .. msg, 0)
  end
  if #got == 4 then
    s:close()
  end
end)
s:bind(0, "127.0.0.1", function()
  for i = 1, 4 do
    s:send(tostring(i), s:address().port, "127.0.0.1")
  end
end)

local ok, err = pcall(dgram.run)
assert(not ok and err == "raised at 1", tostring(err))
assert(table.concat(got, ",") == "1")
local handled = {}
dgram.setErrorHandler(function(e) handled[#handled + 1] = e end)
uv.run()
assert(table.concat(got, ",") == "1,2,3,4", table.concat(got, ","))
assert(table.concat(handled, ",") == "raised at 2", table.concat(handled, ","))
print("ok")
