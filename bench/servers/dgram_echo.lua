-- Echo server / sink on this module (dgram), written as a user would, with
-- the Node-shaped API.
-- usage: lua5.4 dgram_echo.lua PORT [echo|sink] [MAXCOUNT] [LIFETIME_S] [FLAGS]
-- Binds 127.0.0.1:PORT (0: any free port) and prints the port as the first
-- line of stdout. sink counts datagrams and answers "STAT?" with the count.
-- MAXCOUNT > 0: close after that many datagrams (callgrind runs);
-- LIFETIME_S (default 900): close after that long, whatever happens.
-- FLAGS, a comma list: reuseport (createSocket's reusePort, several
-- processes on one port), gro (UDP GRO receive), bigbuf (a 4 MB receive
-- buffer, as the C sink of the same test has).
local dgram = require "dgram"

local port = tonumber(arg[1]) or 0
local mode = arg[2] or "echo"
local maxcount = tonumber(arg[3]) or 0
local lifetime = tonumber(arg[4]) or 900
local flags = arg[5] or ""

local options = { type = "udp4" }
if flags:find("reuseport", 1, true) then options.reusePort = true end
if flags:find("gro", 1, true) then options.gro = true end
if flags:find("bigbuf", 1, true) then options.recvBufferSize = 4 * 1024 * 1024 end

local s = dgram.createSocket(options)
-- gro and sendMany come together (API.md, "Batch I/O"); a module without
-- sendMany would ignore gro and measure a plain sink under the GRO label
if options.gro and not s.sendMany then
  io.stdout:write("n/a (module lacks gro)\n")
  os.exit(77)
end
local count, handled = 0, 0

if mode == "sink" then
  s:on("message", function(msg, rinfo)
    if msg == "STAT?" then
      s:send(tostring(count), rinfo.port, rinfo.address)
    else
      count = count + 1
    end
    if maxcount > 0 then
      handled = handled + 1
      if handled >= maxcount then s:close() end
    end
  end)
elseif maxcount > 0 then
  s:on("message", function(msg, rinfo)
    s:send(msg, rinfo.port, rinfo.address)
    handled = handled + 1
    if handled >= maxcount then s:close() end
  end)
else
  s:on("message", function(msg, rinfo)
    s:send(msg, rinfo.port, rinfo.address)
  end)
end

s:bind(port, "127.0.0.1", function()
  io.stdout:write(s:address().port, "\n")
  io.stdout:flush()
end)

dgram.setTimeout(function()
  io.stderr:write("dgram_echo: lifetime over, exiting\n")
  s:close()
end, lifetime * 1000):unref()

dgram.run()
