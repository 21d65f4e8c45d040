-- dgram.errors: Node's error objects, built in Lua from the libuv codes that
-- the C core returns. Every text below was checked against Node 20; the
-- message templates live in TEXT, the class of each ERR_* code in CLASS.
-- Also here: the rendering of values inside messages (Node's
-- determineSpecificType and a small util.inspect), shared with
-- dgram.validate.

local errors = {}

-- The core is loaded at first use, not at load time, so that this module
-- (and its spec) works before dgram.core is built.
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
    return ("%s [%s]: %s"):format(tostring(name), code, tostring(message))
  end
  name = name == nil and "Error" or tostring(name)
  message = message == nil and "" or tostring(message)
  if name == "" then return message end
  if message == "" then return name end
  return name .. ": " .. message
end

function errors.new(name, code, message)
  return setmetatable({ name = name, code = code, message = message }, Error)
end

function errors.is(v)
  return type(v) == "table" and getmetatable(v) == Error
end

local function node_error(code, message)
  return errors.new(CLASS[code], code, message)
end

---------------------------------------------------------------------------
-- JavaScript's view of Lua values, as far as messages need it.

local floor, huge = math.floor, math.huge

-- Number.prototype.toString: the shortest digits that read back as x, in
-- fixed notation for exponents -7 < e < 21, else exponential. Lua integers
-- print exactly, even beyond 2^53 where JS would round (a Lua value is what
-- the user passed). -0 prints as '-0', as util.inspect does.
local function jsnumber(x)
  if math.type(x) == "integer" then return ("%d"):format(x) end
  if x ~= x then return "NaN" end
  if x == huge then return "Infinity" end
  if x == -huge then return "-Infinity" end
  if x == 0 then return 1 / x < 0 and "-0" or "0" end
  local sign = x < 0 and "-" or ""
  x = math.abs(x)
  local s
  for p = 0, 16 do
    s = ("%." .. p .. "e"):format(x)
    if tonumber(s) == x then break end
  end
  local int, frac, exp = s:match("^(%d)%D?(%d*)e([-+]%d+)$")  -- any locale
  local digits = (int .. frac):gsub("0+$", "")
  local k, n = #digits, tonumber(exp) + 1   -- x = 0.digits * 10^n
  if k <= n and n <= 21 then
    return sign .. digits .. ("0"):rep(n - k)
  elseif 0 < n and n <= 21 then
    return sign .. digits:sub(1, n) .. "." .. digits:sub(n + 1)
  elseif -6 < n and n <= 0 then
    return sign .. "0." .. ("0"):rep(-n) .. digits
  end
  local e = n - 1
  local mant = k > 1 and digits:sub(1, 1) .. "." .. digits:sub(2) or digits
  return ("%s%se%s%d"):format(sign, mant, e < 0 and "-" or "+", math.abs(e))
end
errors.jsnumber = jsnumber

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

-- JS whitespace for String.prototype.trim and Number(string), UTF-8
-- encoded: the ASCII ones by byte, the others as their 2- or 3-byte
-- sequences. trim walks bytes so that a long blank string costs little.
local ASCII_SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }
local NBSP = "\u{A0}"
local WIDE_SPACE = {}
for _, c in ipairs({ 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
    0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF }) do
  WIDE_SPACE[utf8.char(c)] = true
end

local function trim(s)
  local byte, sub = string.byte, string.sub
  local i, j = 1, #s
  while i <= j do
    local b = byte(s, i)
    if ASCII_SPACE[b] then
      i = i + 1
    elseif b == 0xC2 and sub(s, i, i + 1) == NBSP then
      i = i + 2
    elseif b >= 0xE1 and WIDE_SPACE[sub(s, i, i + 2)] then
      i = i + 3
    else
      break
    end
  end
  while j >= i do
    local b = byte(s, j)
    if ASCII_SPACE[b] then
      j = j - 1
    elseif b == 0xA0 and j > i and sub(s, j - 1, j) == NBSP then
      j = j - 2
    elseif b >= 0x80 and j - 2 >= i and WIDE_SPACE[sub(s, j - 2, j)] then
      j = j - 3
    else
      break
    end
  end
  return sub(s, i, j)
end
errors.trim = trim

local RADIX = { x = 16, X = 16, o = 8, O = 8, b = 2, B = 2 }

-- Number(s) for a string: Lua's tonumber differs (it takes '0x1p4' and
-- '-0x10', refuses 'Infinity' and '0b11'), so the JS grammar is spelt out.
local function str2number(s)
  s = trim(s)
  if s == "" then return 0 end
  local p, digits = s:match("^0([xXoObB])(%w+)$")
  if p then
    local base, v = RADIX[p], 0.0
    for c in digits:gmatch(".") do
      local d = tonumber(c, 36)
      if not d or d >= base then return 0 / 0 end
      v = v * base + d
    end
    return math.tointeger(v) or v
  end
  local sign, rest = s:match("^([+-]?)(.*)$")
  if rest == "Infinity" then return sign == "-" and -huge or huge end
  if rest:match("^%d+%.?%d*$") or rest:match("^%.%d+$")
    or rest:match("^%d+%.?%d*[eE][+-]?%d+$")
    or rest:match("^%.%d+[eE][+-]?%d+$") then
    return tonumber(sign .. rest)
  end
  return 0 / 0
end

-- ToNumber: what `+v` gives (NaN for tables, functions and the like).
local function tonumber_js(v)
  local t = type(v)
  if t == "number" then return v end
  if t == "string" then return str2number(v) end
  if t == "boolean" then return v and 1 or 0 end
  return 0 / 0
end
errors.tonumber = tonumber_js

-- JS truthiness: nil, false, 0, NaN and '' are false.
local function truthy(v)
  return not (v == nil or v == false or v == 0 or v ~= v or v == "")
end

-- Template-literal conversion `${v}`.
local function jsstring(v)
  local t = type(v)
  if v == nil then return "undefined" end
  if t == "string" then return v end
  if t == "number" then return v == 0 and "0" or jsnumber(v) end
  return tostring(v)
end

-- A Lua string as JS sees it: a list of characters, each with its bytes,
-- code point and UTF-16 length. Strings that are not valid UTF-8 are taken
-- byte by byte (each byte one unit, its value as code point). Only the
-- first `max` units are listed, a lone high surrogate ending the list when
-- an astral character straddles the limit, as String.prototype.slice
-- leaves it; the second result is the length of the whole string.
local function chars(s, max)
  local list, n = {}, 0
  local valid = utf8.len(s) ~= nil
  local function add(str, cp, w)
    if n + w <= max then
      list[#list + 1] = { s = str, cp = cp, n = w }
    elseif n < max then        -- 1 unit left for a 2-unit character
      local hs = 0xD800 + ((cp - 0x10000) >> 10)
      list[#list + 1] = { s = utf8.char(hs), cp = hs, n = 1 }
    end
    n = n + w
  end
  if valid then
    for _, cp in utf8.codes(s) do
      add(utf8.char(cp), cp, cp >= 0x10000 and 2 or 1)
      if n > max then break end
    end
  else
    for i = 1, math.min(#s, max + 1) do add(s:sub(i, i), s:byte(i), 1) end
  end
  if n <= max then return list, n end
  -- the total, without building the rest of the list
  if not valid then return list, #s end
  local total = utf8.len(s)
  for _, cp in utf8.codes(s) do
    if cp >= 0x10000 then total = total + 1 end
  end
  return list, total
end

local function join(list)
  local buf = {}
  for i, c in ipairs(list) do buf[i] = c.s end
  return table.concat(buf)
end

local function has(list, cp)
  for _, c in ipairs(list) do
    if c.cp == cp then return true end
  end
  return false
end

local function is_surrogate(cp) return cp >= 0xD800 and cp <= 0xDFFF end

-- JSON.stringify of a string.
local JSON_ESC = { [8] = "\\b", [9] = "\\t", [10] = "\\n", [12] = "\\f",
  [13] = "\\r", [34] = '\\"', [92] = "\\\\" }

local function json_quote(list)
  local buf = {}
  for i, c in ipairs(list) do
    local cp = c.cp
    buf[i] = JSON_ESC[cp]
      or ((cp < 0x20 or is_surrogate(cp)) and ("\\u%04x"):format(cp))
      or c.s
  end
  return '"' .. table.concat(buf) .. '"'
end

-- util.inspect of a string: quote choice and escapes of Node's strEscape.
local INSPECT_ESC = { [8] = "\\b", [9] = "\\t", [10] = "\\n", [12] = "\\f",
  [13] = "\\r", [92] = "\\\\" }
local MAX_STRING = 10000   -- util.inspect's maxStringLength

local function inspect_string(s)
  -- Node cuts first, then picks the quotes for what is left
  local list, total = chars(s, MAX_STRING)
  local more = ""
  if total > MAX_STRING then
    local rest = total - MAX_STRING
    more = ("... %d more character%s"):format(rest, rest > 1 and "s" or "")
  end
  local quote = "'"
  if has(list, 39) then
    if not has(list, 34) then quote = '"'
    elseif not has(list, 96) and not join(list):find("${", 1, true) then
      quote = "`"
    end
  end
  local buf = {}
  for i, c in ipairs(list) do
    local cp = c.cp
    if cp == 39 and quote == "'" then buf[i] = "\\'"
    elseif INSPECT_ESC[cp] then buf[i] = INSPECT_ESC[cp]
    elseif cp < 0x20 or (cp >= 0x7F and cp <= 0x9F) then
      buf[i] = ("\\x%02X"):format(cp)
    elseif is_surrogate(cp) then buf[i] = ("\\u%04x"):format(cp)
    else buf[i] = c.s end
  end
  return quote .. table.concat(buf) .. quote .. more
end

-- A table is an Array when its keys are exactly 1..n, n >= 1; returns n.
-- An empty table reads as `{}` (most Lua code, cjson included, treats an
-- empty table as an object).
local function array_length(t)
  local n = 0
  for k in next, t do
    if math.type(k) ~= "integer" or k < 1 then return nil end
    n = n + 1
  end
  if n == 0 then return nil end
  for i = 1, n do
    if rawget(t, i) == nil then return nil end
  end
  return n
end

local function metaname(v)
  local mt = getmetatable(v)
  if type(mt) == "table" then
    local name = rawget(mt, "__name")
    if type(name) == "string" then return name end
  end
end

-- JS lists integer-like keys first, in numeric order, then the other string
-- keys in insertion order, which Lua does not keep: those are sorted.
local function key_rank(k)
  if math.type(k) == "integer" and k >= 0 then return 1, k end
  if type(k) == "number" then return 2, jsstring(k) end
  if type(k) == "string" then
    if k == "0" or k:match("^[1-9]%d*$") and #k < 16 then return 1, tonumber(k) end
    return 2, k
  end
  return 3, tostring(k)
end

local function key_order(a, b)
  local ra, ka = key_rank(a)
  local rb, kb = key_rank(b)
  if ra ~= rb then return ra < rb end
  if type(ka) ~= type(kb) then return type(ka) == "number" end
  return ka < kb
end

local inspect

-- util.inspect of a table, on one line: Node's depth (2) and its
-- [Array]/[Object]/[Circular *n] markers are kept; Node's line breaking of
-- long output (breakLength 80) and grouping of long arrays are not.
local function inspect_table(t, depth, state)
  local mt = getmetatable(t)
  if type(mt) == "table" and rawget(mt, "__tostring") then
    return tostring(t)       -- the Lua analogue of util.inspect.custom
  end
  local name, n = metaname(t), array_length(t)
  if state.path[t] then      -- a cycle: number the table it points back to
    if not state.refs[t] then
      state.nrefs = state.nrefs + 1
      state.refs[t] = state.nrefs
    end
    return ("[Circular *%d]"):format(state.refs[t])
  end
  if depth > 2 then
    return "[" .. (name or (n and "Array" or "Object")) .. "]"
  end
  state.path[t] = true
  local items = {}
  if n then
    for i = 1, n do items[i] = inspect(rawget(t, i), depth + 1, state) end
  else
    local keys = {}
    for k in next, t do keys[#keys + 1] = k end
    table.sort(keys, key_order)
    for i, k in ipairs(keys) do
      local ks
      if type(k) == "string" or type(k) == "number" then
        ks = type(k) == "number" and jsstring(k) or k
        if not ks:match("^[%a_][%w_]*$") then ks = inspect_string(ks) end
      else
        ks = "[" .. inspect(k, depth + 1, state) .. "]"
      end
      items[i] = ks .. ": " .. inspect(rawget(t, k), depth + 1, state)
    end
  end
  state.path[t] = nil
  local open, close = "{", "}"
  if n then open, close = "[", "]" end
  local body = #items == 0 and open .. close
    or open .. " " .. table.concat(items, ", ") .. " " .. close
  if name then body = name .. " " .. body end
  if state.refs[t] then body = ("<ref *%d> "):format(state.refs[t]) .. body end
  return body
end

function inspect(v, depth, state)
  local t = type(v)
  if v == nil then return "undefined" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then return jsnumber(v) end
  if t == "string" then return inspect_string(v) end
  if t == "function" then return "[Function (anonymous)]" end
  if t == "table" then
    return inspect_table(v, depth or 0,
      state or { path = {}, refs = {}, nrefs = 0 })
  end
  return "[" .. (metaname(v) or t) .. "]"   -- userdata, thread
end

-- util.inspect(v) with default options.
function errors.inspect(v)
  return inspect(v)
end

-- Node's determineSpecificType: how 'Received ...' names a value.
-- Functions: a Lua function carries no name, so every function renders as
-- Node renders an anonymous one: 'function ' (trailing space included, as in
-- Node 20's `Received function `).
function errors.describe(v)
  local t = type(v)
  if v == nil then return "undefined" end
  if t == "number" then return ("type number (%s)"):format(jsnumber(v)) end
  if t == "boolean" then return ("type boolean (%s)"):format(tostring(v)) end
  if t == "string" then
    local list, total = chars(v, 28)
    local s
    if total > 28 then
      list = chars(v, 25)
      list[#list + 1] = { s = "...", cp = 0x2E, n = 3 }
    end
    if has(list, 39) then s = json_quote(list) else s = "'" .. join(list) .. "'" end
    return ("type string (%s)"):format(s)
  end
  if t == "function" then return "function " end
  if t == "table" then
    return "an instance of "
      .. (metaname(v) or (array_length(v) and "Array" or "Object"))
  end
  return "an instance of " .. (metaname(v) or t)   -- userdata, thread
end
local describe = errors.describe

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
    TEXT.ERR_SOCKET_BAD_PORT:format(jsstring(name), op, describe(port)))
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
    parts[#parts + 1] = (#types == 1 and TEXT.ARG_TYPE_OF_TYPE
      or TEXT.ARG_TYPE_ONE_OF_TYPE):format(either(types))
  end
  if #instances > 0 then
    parts[#parts + 1] = TEXT.ARG_TYPE_INSTANCE:format(either(instances))
  end
  if #other == 1 then
    -- 'an' before a capitalised name that is not a plain class name
    parts[#parts + 1] = (other[1]:lower() ~= other[1] and "an " or "") .. other[1]
  elseif #other > 1 then
    parts[#parts + 1] = TEXT.ARG_TYPE_ONE_OF:format(either(other))
  end
  return table.concat(parts, " or ")
end

-- 'The "x" argument', 'The "a.b" property', or 'The first argument'
local function arg_label(name)
  name = jsstring(name)
  if name:sub(-9) == " argument" then return name end
  return TEXT.ARG_TYPE_NAMED:format(name,
    name:find(".", 1, true) and "property" or "argument")
end

-- expected: one name or a list, e.g. {"string", "Buffer", "TypedArray",
-- "DataView"}; lower-case primitive names, capitalised class names.
function errors.ERR_INVALID_ARG_TYPE(name, expected, actual)
  return node_error("ERR_INVALID_ARG_TYPE", TEXT.ARG_TYPE_HEAD:format(
    arg_label(name), expected_text(expected), describe(actual)))
end

-- received: integers beyond ±2^32 get '_' separators, the rest util.inspect.
function errors.ERR_OUT_OF_RANGE(name, range, received)
  local text
  if type(received) == "number" and received == floor(received)
    and received ~= huge and received ~= -huge
    and (received > 2 ^ 32 or received < -2 ^ 32) then
    text = separate(jsstring(received))
  else
    text = inspect(received)
  end
  return node_error("ERR_OUT_OF_RANGE",
    TEXT.ERR_OUT_OF_RANGE:format(jsstring(name), jsstring(range), text))
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
    text = TEXT.MISSING_ONE:format(names[1] or "")
  elseif n == 2 then
    text = TEXT.MISSING_MANY:format(names[1] .. " and " .. names[2])
  else
    text = TEXT.MISSING_MANY:format(
      table.concat(names, ", ", 1, n - 1) .. ", and " .. names[n])
  end
  return node_error("ERR_MISSING_ARGS", text)
end

function errors.ERR_BUFFER_OUT_OF_BOUNDS(name)
  local text = truthy(name)
    and TEXT.ERR_BUFFER_OUT_OF_BOUNDS:format(jsstring(name))
    or TEXT.ERR_BUFFER_OUT_OF_BOUNDS_ANY
  return node_error("ERR_BUFFER_OUT_OF_BOUNDS", text)
end

function errors.ERR_INVALID_FD_TYPE(fdtype)
  return node_error("ERR_INVALID_FD_TYPE",
    TEXT.ERR_INVALID_FD_TYPE:format(jsstring(fdtype)))
end

-- What EventEmitter#emit('error', v) raises for a v that is not an error:
-- Node inspects v once and keeps it as `context`.
function errors.ERR_UNHANDLED_ERROR(v)
  local e = node_error("ERR_UNHANDLED_ERROR",
    TEXT.ERR_UNHANDLED_ERROR:format(inspect(v)))
  e.context = v
  return e
end

-- reason defaults to 'is invalid'; the inspected value is cut at 128 units.
function errors.ERR_INVALID_ARG_VALUE(name, value, reason)
  local list, total = chars(inspect(value), 128)
  local text = join(list)
  if total > 128 then text = text .. "..." end
  name = jsstring(name)
  return node_error("ERR_INVALID_ARG_VALUE", TEXT.ERR_INVALID_ARG_VALUE:format(
    name:find(".", 1, true) and "property" or "argument", name,
    reason == nil and TEXT.ERR_INVALID_ARG_VALUE_REASON or jsstring(reason),
    text))
end

---------------------------------------------------------------------------
-- System errors, from a negative libuv code.

-- Node names codes it does not know 'Unknown system error <n>'; the core
-- (and so this module) says 'UNKNOWN', libuv's own name for UV_UNKNOWN.
local function errname(err)
  local n = math.tointeger(err)
  local name = n and uv().errname(n)
  return type(name) == "string" and name or "UNKNOWN"
end

local function strerror(err)
  local n = math.tointeger(err)
  local msg = n and uv().strerror(n)
  return type(msg) == "string" and msg or "unknown error"
end

-- SystemError; `errno` and `syscall` (getters onto `info` in Node) are
-- plain copies here.
function errors.ERR_SOCKET_BUFFER_SIZE(errno, syscall)
  local code = errname(errno)
  local info = { errno = errno, code = code, message = strerror(errno),
    syscall = syscall }
  local e = node_error("ERR_SOCKET_BUFFER_SIZE", TEXT.ERR_SOCKET_BUFFER_SIZE:format(
    jsstring(syscall), code, info.message))
  e.info, e.errno, e.syscall = info, errno, syscall
  return e
end

-- ErrnoException: message '<syscall> <CODE>'.
function errors.errno(err, syscall)
  local code = errname(err)
  local e = errors.new("Error", code, TEXT.SYSCALL:format(jsstring(syscall), code))
  e.errno, e.syscall = err, syscall
  return e
end

-- ExceptionWithHostPort: ' address:port' when `port > 0` (JS comparison, so
-- numeric strings count), else ' address' when the address is truthy.
-- `address` is always copied (nil stays nil), `port` only when truthy.
function errors.hostport(err, syscall, address, port)
  local code = errname(err)
  local details = ""
  if truthy(port) and tonumber_js(port) > 0 then
    details = " " .. jsstring(address) .. ":" .. jsstring(port)
  elseif truthy(address) then
    details = " " .. jsstring(address)
  end
  local e = errors.new("Error", code,
    TEXT.SYSCALL:format(jsstring(syscall), code) .. details)
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
  local message = TEXT.SYSCALL:format(jsstring(syscall), code)
  if truthy(hostname) then message = message .. " " .. jsstring(hostname) end
  local e = errors.new("Error", code, message)
  e.errno, e.syscall = errno, syscall
  if truthy(hostname) then e.hostname = hostname end
  return e
end

return errors
