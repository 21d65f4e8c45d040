-- Echo server / sink on LuaSocket (Debian lua-socket): the plain blocking
-- receivefrom/sendto loop, no event loop.
-- usage: lua5.4 socket_echo.lua PORT [echo|sink] [MAXCOUNT] [LIFETIME_S]
-- Binds 127.0.0.1:PORT (0: any free port) and prints the port as the first
-- line of stdout. sink counts datagrams and answers "STAT?" with the count.
local ok, socket = pcall(require, "socket")
if not ok then
  io.stderr:write("socket_echo: LuaSocket is not available: ", tostring(socket), "\n")
  os.exit(77)
end

local port = tonumber(arg[1]) or 0
local mode = arg[2] or "echo"
local maxcount = tonumber(arg[3]) or 0
local lifetime = tonumber(arg[4]) or 900

local u = assert(socket.udp())
assert(u:setsockname("127.0.0.1", port))
local _, myport = u:getsockname()
io.stdout:write(myport, "\n")
io.stdout:flush()

-- A receive timeout keeps the loop bounded in time; LuaSocket tries the
-- recvfrom first and only waits (poll) when nothing is queued, so the fast
-- path is the same as with a blocking socket.
u:settimeout(1)
local deadline = socket.gettime() + lifetime
local sink = mode == "sink"
local count, handled, tick = 0, 0, 0

while true do
  local data, ip, rport = u:receivefrom()
  if data then
    if not sink then
      u:sendto(data, ip, rport)
    elseif data == "STAT?" then
      u:sendto(tostring(count), ip, rport)
    else
      count = count + 1
    end
    if maxcount > 0 then
      handled = handled + 1
      if handled >= maxcount then break end
    end
    tick = tick + 1
    if tick >= 8192 then
      tick = 0
      if socket.gettime() > deadline then break end
    end
  elseif ip == "timeout" then
    if socket.gettime() > deadline then break end
  else
    error("receivefrom: " .. tostring(ip))
  end
end
u:close()
