-- dgram.errors: Node's error objects, built in Lua from the libuv codes that
-- the C core returns. Every text below was checked against Node 20; the
-- message templates live in TEXT, the class of each ERR_* code in CLASS.
-- Values inside messages are rendered by JavaScript's rules, which live in
-- dgram.js (String(v), util.inspect, Node's determineSpecificType).

local js = require "dgram.js"
local compat = require "dgram.compat"
local tointeger, format = compat.tointeger, compat.format
local jsstring, inspect, describe, truthy = js.string, js.inspect, js.describe, js.truthy

local errors = {}

-- The core is loaded at first use, not at load time: the message texts
-- and the metatable work before dgram.core is built.
local core
local function uv()
  if not core then core = require "dgram.core" end
  return core
end

---------------------------------------------------------------------------
-- Message texts: every text of every error in one place.

local TEXT = {
  ERR_SOCKET_BAD_TYPE = "Bad socket type specified. Valid types are: udp4, udp6",
  ERR_SOCKET_ALREADY_BOUND = "Socket is already bound",
  ERR_SOCKET_DGRAM_IS_CONNECTED = "Already connected",
  ERR_SOCKET_DGRAM_NOT_CONNECTED = "Not connected",
  ERR_SOCKET_DGRAM_NOT_RUNNING = "Not running",
  ERR_SOCKET_BAD_BUFFER_SIZE = "Buffer size must be a positive integer",
  -- name, '>=' or '>', describe(port)
  ERR_SOCKET_BAD_PORT = "%s should be %s 0 and < 65536. Received %s.",
  -- syscall, libuv code name, libuv message
  ERR_SOCKET_BUFFER_SIZE = "Could not get or set buffer size: %s returned %s (%s)",
  -- name, range, received
  ERR_OUT_OF_RANGE = 'The value of "%s" is out of range. It must be %s. Received %s',
  ERR_BUFFER_OUT_OF_BOUNDS = '"%s" is outside of buffer bounds',
  ERR_BUFFER_OUT_OF_BOUNDS_ANY = "Attempt to access memory outside buffer bounds",
  ERR_INVALID_FD_TYPE = "Unsupported fd type: %s",
  ERR_UNHANDLED_ERROR = "Unhandled error. (%s)",
  ERR_INVALID_STATE = "Invalid state: %s",
  -- Node's text, then how to call the method, and where it was called:
  -- class, object, method, object, method, file:line
  ERR_INVALID_THIS = 'Value of "this" must be of type %s; call it as %s:%s(...), not %s.%s(...) (%s)',
  -- 'argument' or 'property', name, reason, inspect(value)
  ERR_INVALID_ARG_VALUE = "The %s '%s' %s. Received %s",
  ERR_INVALID_ARG_VALUE_REASON = "is invalid",
  -- ERR_INVALID_ARG_TYPE is assembled from these pieces
  ARG_TYPE_HEAD = "The %s must be %s. Received %s",
  ARG_TYPE_NAMED = '"%s" %s',            -- name, 'argument' or 'property'
  ARG_TYPE_OF_TYPE = "of type %s",
  ARG_TYPE_ONE_OF_TYPE = "one of type %s",
  ARG_TYPE_INSTANCE = "an instance of %s",
  ARG_TYPE_ONE_OF = "one of %s",
  -- ERR_MISSING_ARGS: the quoted names, then one of these
  MISSING_ONE = "The %s argument must be specified",
  MISSING_MANY = "The %s arguments must be specified",
  -- system errors
  SYSCALL = "%s %s",                      -- syscall, code
}

-- Node's class for each ERR_* code (the `name` field).
local CLASS = {
  ERR_SOCKET_BAD_TYPE = "TypeError",
  ERR_SOCKET_ALREADY_BOUND = "Error",
  ERR_SOCKET_DGRAM_IS_CONNECTED = "Error",
  ERR_SOCKET_DGRAM_NOT_CONNECTED = "Error",
  ERR_SOCKET_DGRAM_NOT_RUNNING = "Error",
  ERR_SOCKET_BAD_BUFFER_SIZE = "TypeError",
  ERR_SOCKET_BAD_PORT = "RangeError",
  ERR_SOCKET_BUFFER_SIZE = "SystemError",
  ERR_OUT_OF_RANGE = "RangeError",
  ERR_BUFFER_OUT_OF_BOUNDS = "RangeError",
  ERR_INVALID_FD_TYPE = "TypeError",
  ERR_UNHANDLED_ERROR = "Error",
  ERR_INVALID_STATE = "Error",
  ERR_INVALID_THIS = "TypeError",
  ERR_INVALID_ARG_VALUE = "TypeError",
  ERR_INVALID_ARG_TYPE = "TypeError",
  ERR_MISSING_ARGS = "TypeError",
}

---------------------------------------------------------------------------
-- The error metatable.

local Error = { __name = "dgram.Error" }
Error.__index = Error
errors.Error = Error

-- Node prints its own errors (kIsNodeError) as `name [code]: message` and
-- every other error with Error.prototype.toString.
function Error.__tostring(e)
  local name, code, message = e.name, e.code, e.message
  if type(code) == "string" and code:sub(1, 4) == "ERR_" then
    return format("%s [%s]: %s", jsstring(name), code, jsstring(message))
  end
  name = name == nil and "Error" or jsstring(name)
  message = message == nil and "" or jsstring(message)
  if name == "" then return message end
  if message == "" then return name end
  return name .. ": " .. message
end

---------------------------------------------------------------------------
-- Where an error was made: `stack`, as Node's err.stack, names the user's
-- frames, not the module's own (core.user_frames walks them).

local STACK_LIMIT = 10 -- Node's Error.stackTraceLimit

-- The chunk names of the module's own files: lua/dgram.lua and lua/dgram/*.
local OWN_DIR = debug.getinfo(1, "S").source:match("^(@.*[/\\])errors%.lua$")
local OWN_FRONT = OWN_DIR and OWN_DIR:sub(1, -2) .. ".lua"

-- `file:line` of the first frame outside the module.
function errors.where()
  local _, where = uv().user_frames(1, OWN_DIR, OWN_FRONT)
  return where
end

-- Node's stack: the `Name [CODE]: message` line, then up to ten frames,
-- from the user's frame that made the error (or, from inside a callback
-- of the module's own, from where it was made).
function errors.new(name, code, message)
  local e = setmetatable({ name = name, code = code, message = message }, Error)
  local frames = uv().user_frames(STACK_LIMIT, OWN_DIR, OWN_FRONT)
  e.stack = frames == "" and tostring(e) or tostring(e) .. "\n" .. frames
  return e
end

function errors.is(v)
  return type(v) == "table" and getmetatable(v) == Error
end

local function node_error(code, message)
  return errors.new(CLASS[code], code, message)
end

---------------------------------------------------------------------------
-- ERR_* constructors: each returns a new error object.

function errors.ERR_SOCKET_BAD_TYPE()
  return node_error("ERR_SOCKET_BAD_TYPE", TEXT.ERR_SOCKET_BAD_TYPE)
end

function errors.ERR_SOCKET_ALREADY_BOUND()
  return node_error("ERR_SOCKET_ALREADY_BOUND", TEXT.ERR_SOCKET_ALREADY_BOUND)
end

function errors.ERR_SOCKET_DGRAM_IS_CONNECTED()
  return node_error("ERR_SOCKET_DGRAM_IS_CONNECTED",
    TEXT.ERR_SOCKET_DGRAM_IS_CONNECTED)
end

function errors.ERR_SOCKET_DGRAM_NOT_CONNECTED()
  return node_error("ERR_SOCKET_DGRAM_NOT_CONNECTED",
    TEXT.ERR_SOCKET_DGRAM_NOT_CONNECTED)
end

function errors.ERR_SOCKET_DGRAM_NOT_RUNNING()
  return node_error("ERR_SOCKET_DGRAM_NOT_RUNNING",
    TEXT.ERR_SOCKET_DGRAM_NOT_RUNNING)
end

function errors.ERR_SOCKET_BAD_BUFFER_SIZE()
  return node_error("ERR_SOCKET_BAD_BUFFER_SIZE", TEXT.ERR_SOCKET_BAD_BUFFER_SIZE)
end

-- (port, name = 'Port', allowZero = true): Node's (name, port, allowZero)
-- reordered to match validate.port.
function errors.ERR_SOCKET_BAD_PORT(port, name, allowZero)
  if name == nil then name = "Port" end
  local op = allowZero == false and ">" or ">="
  return node_error("ERR_SOCKET_BAD_PORT",
    format(TEXT.ERR_SOCKET_BAD_PORT, jsstring(name), op, describe(port)))
end

-- Splits Node's expected-type names into primitive types, class names and
-- anything else, the way the message groups them.
local PRIMITIVES = {
  string = true, ["function"] = true, number = true, object = true,
  Function = true, Object = true, boolean = true, bigint = true, symbol = true,
}

local function is_class(s)
  -- /^([A-Z][a-z0-9]*)+$/
  return s:match("^[A-Z]") ~= nil and s:gsub("[A-Z][a-z0-9]*", "") == ""
end

-- 'X', 'X or Y', 'X, Y, or Z'
local function either(list)
  if #list <= 2 then return table.concat(list, " or ") end
  return table.concat(list, ", ", 1, #list - 1) .. ", or " .. list[#list]
end

local function expected_text(expected)
  if type(expected) ~= "table" then expected = { expected } end
  local types, instances, other = {}, {}, {}
  for _, v in ipairs(expected) do
    v = tostring(v)
    if PRIMITIVES[v] then types[#types + 1] = v:lower()
    elseif is_class(v) then instances[#instances + 1] = v
    else other[#other + 1] = v end
  end
  -- 'object' beside class names reads better as one more class, 'Object'
  if #instances > 0 then
    for i, v in ipairs(types) do
      if v == "object" then
        table.remove(types, i)
        instances[#instances + 1] = "Object"
        break
      end
    end
  end
  local parts = {}
  if #types > 0 then
    parts[#parts + 1] = format(#types == 1 and TEXT.ARG_TYPE_OF_TYPE
      or TEXT.ARG_TYPE_ONE_OF_TYPE, either(types))
  end
  if #instances > 0 then
    parts[#parts + 1] = format(TEXT.ARG_TYPE_INSTANCE, either(instances))
  end
  if #other == 1 then
    -- 'an' before a capitalised name that is not a plain class name
    parts[#parts + 1] = (other[1]:lower() ~= other[1] and "an " or "") .. other[1]
  elseif #other > 1 then
    parts[#parts + 1] = format(TEXT.ARG_TYPE_ONE_OF, either(other))
  end
  return table.concat(parts, " or ")
end

-- 'The "x" argument', 'The "a.b" property', or 'The first argument'
local function arg_label(name)
  name = jsstring(name)
  if name:sub(-9) == " argument" then return name end
  return format(TEXT.ARG_TYPE_NAMED, name,
    name:find(".", 1, true) and "property" or "argument")
end

-- expected: one name or a list, e.g. {"string", "Buffer", "TypedArray",
-- "DataView"}; lower-case primitive names, capitalised class names.
function errors.ERR_INVALID_ARG_TYPE(name, expected, actual)
  return node_error("ERR_INVALID_ARG_TYPE", format(TEXT.ARG_TYPE_HEAD,
    arg_label(name), expected_text(expected), describe(actual)))
end

-- Node's addNumericalSeparator, applied to whatever String(x) gave (so
-- 1e21 becomes '1e_+21', as in Node).
local function separate(s)
  local start = s:sub(1, 1) == "-" and 1 or 0
  local i, tail = #s, ""
  while i >= start + 4 do
    tail = "_" .. s:sub(i - 2, i) .. tail
    i = i - 3
  end
  return s:sub(1, i) .. tail
end

-- received: integers beyond ±2^32 get '_' separators, the rest util.inspect.
function errors.ERR_OUT_OF_RANGE(name, range, received)
  local text
  if js.isinteger(received) and (received > 2 ^ 32 or received < -2 ^ 32) then
    text = separate(jsstring(received))
  else
    text = inspect(received)
  end
  return node_error("ERR_OUT_OF_RANGE",
    format(TEXT.ERR_OUT_OF_RANGE, jsstring(name), jsstring(range), text))
end

-- Each argument is a name or a list of alternative names.
function errors.ERR_MISSING_ARGS(...)
  local n = select("#", ...)
  local names = {}
  for i = 1, n do
    local a = select(i, ...)
    if type(a) == "table" then
      local alt = {}
      for j, v in ipairs(a) do alt[j] = '"' .. jsstring(v) .. '"' end
      names[i] = table.concat(alt, " or ")
    else
      names[i] = '"' .. jsstring(a) .. '"'
    end
  end
  local text
  if n <= 1 then
    text = format(TEXT.MISSING_ONE, names[1] or "")
  elseif n == 2 then
    text = format(TEXT.MISSING_MANY, names[1] .. " and " .. names[2])
  else
    text = format(TEXT.MISSING_MANY,
      table.concat(names, ", ", 1, n - 1) .. ", and " .. names[n])
  end
  return node_error("ERR_MISSING_ARGS", text)
end

function errors.ERR_BUFFER_OUT_OF_BOUNDS(name)
  local text = truthy(name)
    and format(TEXT.ERR_BUFFER_OUT_OF_BOUNDS, jsstring(name))
    or TEXT.ERR_BUFFER_OUT_OF_BOUNDS_ANY
  return node_error("ERR_BUFFER_OUT_OF_BOUNDS", text)
end

function errors.ERR_INVALID_FD_TYPE(fdtype)
  return node_error("ERR_INVALID_FD_TYPE",
    format(TEXT.ERR_INVALID_FD_TYPE, jsstring(fdtype)))
end

-- What EventEmitter#emit('error', v) raises for a v that is not an error:
-- Node inspects v once and keeps it as `context`.
function errors.ERR_UNHANDLED_ERROR(v)
  local e = node_error("ERR_UNHANDLED_ERROR",
    format(TEXT.ERR_UNHANDLED_ERROR, inspect(v)))
  e.context = v
  return e
end

-- A method called with `.` instead of `:`: `class` names the receiver's
-- type, `object` the variable in the hint (sock:send(...)).
function errors.ERR_INVALID_THIS(class, object, method)
  return node_error("ERR_INVALID_THIS", format(TEXT.ERR_INVALID_THIS,
    class, object, method, object, method, errors.where()))
end

function errors.ERR_INVALID_STATE(reason)
  return node_error("ERR_INVALID_STATE", TEXT.ERR_INVALID_STATE:format(reason))
end

-- reason defaults to 'is invalid'; the inspected value is cut at 128 units.
function errors.ERR_INVALID_ARG_VALUE(name, value, reason)
  local text, length = js.slice(inspect(value), 128)
  if length > 128 then text = text .. "..." end
  name = jsstring(name)
  return node_error("ERR_INVALID_ARG_VALUE", format(TEXT.ERR_INVALID_ARG_VALUE,
    name:find(".", 1, true) and "property" or "argument", name,
    reason == nil and TEXT.ERR_INVALID_ARG_VALUE_REASON or jsstring(reason),
    text))
end

---------------------------------------------------------------------------
-- System errors, from a negative libuv code.

-- Node names codes it does not know 'Unknown system error <n>'; the core
-- (and so this module) says 'UNKNOWN', libuv's own name for UV_UNKNOWN.
local function errname(err)
  local n = tointeger(err)
  local name = n and uv().errname(n)
  return type(name) == "string" and name or "UNKNOWN"
end

local function strerror(err)
  local n = tointeger(err)
  local msg = n and uv().strerror(n)
  return type(msg) == "string" and msg or "unknown error"
end

-- SystemError; `errno` and `syscall` (getters onto `info` in Node) are
-- plain copies here.
function errors.ERR_SOCKET_BUFFER_SIZE(errno, syscall)
  local code = errname(errno)
  local info = { errno = errno, code = code, message = strerror(errno),
    syscall = syscall }
  local e = node_error("ERR_SOCKET_BUFFER_SIZE", format(TEXT.ERR_SOCKET_BUFFER_SIZE,
    jsstring(syscall), code, info.message))
  e.info, e.errno, e.syscall = info, errno, syscall
  return e
end

-- ErrnoException: message '<syscall> <CODE>'.
function errors.errno(err, syscall)
  local code = errname(err)
  local e = errors.new("Error", code, format(TEXT.SYSCALL, jsstring(syscall), code))
  e.errno, e.syscall = err, syscall
  return e
end

-- ExceptionWithHostPort: ' address:port' when `port > 0` (JS comparison, so
-- numeric strings count), else ' address' when the address is truthy.
-- `address` is always copied (nil stays nil), `port` only when truthy.
function errors.hostport(err, syscall, address, port)
  local code = errname(err)
  local details = ""
  if truthy(port) and js.tonumber(port) > 0 then
    details = " " .. jsstring(address) .. ":" .. jsstring(port)
  elseif truthy(address) then
    details = " " .. jsstring(address)
  end
  local e = errors.new("Error", code,
    format(TEXT.SYSCALL, jsstring(syscall), code) .. details)
  e.errno, e.syscall, e.address = err, syscall, address
  if truthy(port) then e.port = port end
  return e
end

-- DNSException: EAI_NONAME and EAI_NODATA read 'ENOTFOUND'. err is a libuv
-- code (kept as `errno`) or already a code name (then no `errno`).
function errors.dns(err, syscall, hostname)
  local code, errno = err, nil
  if type(err) == "number" then
    errno, code = err, errname(err)
    if code == "EAI_NONAME" or code == "EAI_NODATA" then code = "ENOTFOUND" end
  end
  code = jsstring(code)
  local message = format(TEXT.SYSCALL, jsstring(syscall), code)
  if truthy(hostname) then message = message .. " " .. jsstring(hostname) end
  local e = errors.new("Error", code, message)
  e.errno, e.syscall = errno, syscall
  if truthy(hostname) then e.hostname = hostname end
  return e
end

return errors
