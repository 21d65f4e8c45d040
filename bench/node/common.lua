-- Shared by bench/node/*.lua: key=value arguments and the result line, in
-- the same format as bench/node/common.js, so the Lua ports and Node's
-- originals can be compared line for line.
local M = {}

-- parse(defaults): arg key=value pairs over the defaults; numbers stay
-- numbers when the default is a number.
function M.parse(defaults)
  local conf = {}
  for k, v in pairs(defaults) do conf[k] = v end
  for _, a in ipairs(arg) do
    local k, v = a:match("^([^=]+)=(.*)$")
    if not k then error("bad argument " .. a .. " (want key=value)") end
    if defaults[k] == nil then error("unknown parameter " .. k) end
    if type(defaults[k]) == "number" then
      v = tonumber(v) or error("not a number: " .. a)
    end
    conf[k] = v
  end
  return conf
end

-- A wall clock in seconds: LuaSocket's gettime() when it is there (it is a
-- Debian package next to this one), else dgram.now() (milliseconds, cached
-- per loop iteration), else os.clock() (CPU time: fine for busy loops).
do
  local ok, socket = pcall(require, "socket")
  if ok and socket.gettime then
    M.clock = socket.gettime
  else
    local okd, dgram = pcall(require, "dgram")
    if okd and dgram.now then
      M.clock = function() return dgram.now() / 1000 end
      M.coarse = true
    else
      M.clock = os.clock
    end
  end
end

local function fmt(v)
  if math.type(v) == "float" and v == math.floor(v) and v < 2^53 then
    return string.format("%d", v)
  end
  return tostring(v)
end

function M.report(name, conf, ops, secs, bytes_per_op)
  local keys = {}
  for k in pairs(conf) do keys[#keys + 1] = k end
  table.sort(keys)
  for i, k in ipairs(keys) do keys[i] = k .. "=" .. fmt(conf[k]) end
  local line = string.format("nodebench name=%s impl=lua params=%s ops=%d secs=%.3f rate=%.0f",
    name, table.concat(keys, ","), ops, secs, ops / secs)
  if bytes_per_op then
    line = line .. string.format(" gbits=%.4f", ops * bytes_per_op * 8 / 2^30 / secs)
  end
  io.stdout:write(line, "\n")
  io.stdout:flush()
end

-- Backstop: no benchmark process outlives this, whatever it does.
function M.deadline(dgram, secs)
  local t = dgram.setTimeout(function()
    io.stderr:write("benchmark over its deadline, exiting\n")
    os.exit(2)
  end, secs * 1000)
  if t and t.unref then t:unref() end
end

return M
