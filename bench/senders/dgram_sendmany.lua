-- Bulk sender on this module: sock:sendMany (API.md, "Batch I/O"), written as
-- a user would: each call hands over a list of datagrams, and its callback
-- hands over the next one, with a few calls in flight.
-- usage: lua5.4 dgram_sendmany.lua PORT [SIZE] [LIFETIME_S]
-- Sends SIZE-byte datagrams (default 1400) to 127.0.0.1:PORT until
-- LIFETIME_S (default 30) is over. A module without sendMany prints
-- "n/a (module lacks sendMany)" and exits with 77.
local dgram = require "dgram"

local port = tonumber(arg[1]) or 0
local size = tonumber(arg[2]) or 1400
local lifetime = tonumber(arg[3]) or 30
local PER_CALL = 64        -- datagrams in one sendMany list
local IN_FLIGHT = 2        -- sendMany calls awaiting their callback

local s = dgram.createSocket("udp4")
if not s.sendMany then
  io.stdout:write("n/a (module lacks sendMany)\n")
  os.exit(77)
end

local payload = string.rep("x", size)
local lists = {}
for i = 1, IN_FLIGHT do
  local list = {}
  for j = 1, PER_CALL do list[j] = payload end
  lists[i] = list
end

local running = true

-- Each list goes out again once its previous send is done, so a list is
-- never handed over twice at the same time. The next send waits for the
-- next loop turn (setImmediate): a send callback runs as a nextTick, as in
-- Node, and sending again straight from it would never let the loop reach
-- its timers, the lifetime's included.
local send
local function sendAgain(list)
  dgram.setImmediate(function()
    if running then send(list) end
  end)
end

send = function(list)
  s:sendMany(list, port, "127.0.0.1", function(err)
    if not running then return end
    if err then
      io.stderr:write("dgram_sendmany: ", tostring(err.code or err), "\n")
      running = false
      s:close()
    else
      sendAgain(list)
    end
  end)
end

for i = 1, IN_FLIGHT do send(lists[i]) end

dgram.setTimeout(function()
  running = false
  s:close()
end, lifetime * 1000):unref()

dgram.run()
