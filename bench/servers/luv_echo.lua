-- Echo server / sink on luv (libuv bindings, Debian lua-luv), written as a
-- luv user would: recv_start callback, try_send with a queued send as the
-- fallback.
-- usage: lua5.4 luv_echo.lua PORT [echo|sink] [MAXCOUNT] [LIFETIME_S]
-- Binds 127.0.0.1:PORT (0: any free port) and prints the port as the first
-- line of stdout. sink counts datagrams and answers "STAT?" with the count.
local ok, uv = pcall(require, "luv")
if not ok then
  io.stderr:write("luv_echo: luv is not available for this Lua: ", tostring(uv), "\n")
  os.exit(77)
end

local port = tonumber(arg[1]) or 0
local mode = arg[2] or "echo"
local maxcount = tonumber(arg[3]) or 0
local lifetime = tonumber(arg[4]) or 900

local s = uv.new_udp()
assert(s:bind("127.0.0.1", port))
local count, handled = 0, 0

local function reply(data, addr)
  if not s:try_send(data, addr.ip, addr.port) then
    s:send(data, addr.ip, addr.port)    -- EAGAIN: let libuv queue it
  end
end

local function done()
  if not s:is_closing() then s:close() end
end

local onrecv
if mode == "sink" then
  onrecv = function(err, data, addr)
    if err then error(err) end
    if not addr then return end         -- libuv's "nothing more to read"
    if data == "STAT?" then
      reply(tostring(count), addr)
    else
      count = count + 1
    end
    if maxcount > 0 then
      handled = handled + 1
      if handled >= maxcount then done() end
    end
  end
elseif maxcount > 0 then
  onrecv = function(err, data, addr)
    if err then error(err) end
    if not addr then return end
    reply(data, addr)
    handled = handled + 1
    if handled >= maxcount then done() end
  end
else
  onrecv = function(err, data, addr)
    if err then error(err) end
    if not addr then return end
    reply(data, addr)
  end
end
assert(s:recv_start(onrecv))

io.stdout:write(s:getsockname().port, "\n")
io.stdout:flush()

local life = uv.new_timer()
life:start(math.floor(lifetime * 1000), 0, function()
  io.stderr:write("luv_echo: lifetime over, exiting\n")
  done()
  life:close()
end)
life:unref()

uv.run()
