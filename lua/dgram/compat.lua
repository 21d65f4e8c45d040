-- dgram.compat: what the Lua layer uses that Lua 5.1, LuaJIT, 5.2 and 5.3
-- spell differently from 5.4, each with 5.4's behaviour for the module's
-- own calls. The only place in lua/ that asks which Lua it runs on.
--
-- Numbers: 5.3 and 5.4 have an integer subtype, 5.1, 5.2 and LuaJIT only
-- doubles. UTF-8: 5.4's utf8 library is strict (no surrogates, nothing past
-- U+10FFFF, no overlong forms); 5.3's takes surrogates, 5.1, 5.2 and LuaJIT
-- have none, so below 5.4 the decoder here does 5.4's work.

local compat = {}

local type, select, tonumber = type, select, tonumber
local floor, huge = math.floor, math.huge
local byte, char = string.byte, string.char

---------------------------------------------------------------------------
-- Tables.

compat.unpack = table.unpack or unpack

compat.pack = table.pack or function(...)
  return { n = select("#", ...), ... }
end

-- Lua 5.1 (not LuaJIT) cannot yield from inside a generic for's
-- iterator, nor across pcall.
compat.noYieldAcrossFor = _VERSION == "Lua 5.1" and rawget(_G, "jit") == nil

---------------------------------------------------------------------------
-- Numbers.

local mathtype, mathtointeger = math.type, math.tointeger

-- isinteger(v): v is a number of the integer subtype, which prints exactly
-- with %d. Never on 5.1, 5.2 and LuaJIT, where every number is a double.
-- intkey(v): v is a number that a table keys as an integer: 5.3+ turns an
-- integral float key within 64 bits into an integer, so on every Lua this
-- is an integral number in [-2^63, 2^63).
-- tointeger(v): v as an integer when it is integral (5.4's math.tointeger:
-- numbers and numeric strings, -0 read as 0), else nil.
if mathtype then
  function compat.isinteger(v)
    return mathtype(v) == "integer"
  end

  function compat.intkey(v)
    local t = mathtype(v)
    return t == "integer" or (t == "float" and mathtointeger(v) ~= nil)
  end

  compat.tointeger = mathtointeger
else
  local TWO63 = 2 ^ 63

  function compat.isinteger()
    return false
  end

  function compat.intkey(v)
    return type(v) == "number" and v == floor(v) and v >= -TWO63 and v < TWO63
  end

  function compat.tointeger(v)
    if type(v) == "string" then v = tonumber(v) end
    if type(v) ~= "number" or v ~= floor(v) or v == huge or v == -huge then
      return nil
    end
    return v == 0 and 0 or v
  end
end

---------------------------------------------------------------------------
-- string.format, whose plain %s keeps a string whole: 5.1's and 5.2's stop
-- at its first "\0" (they hand it to C's sprintf), which would cut a
-- message quoting a user's string short.

local sformat = string.format

if sformat("%s", "a\0b") == "a\0b" then
  compat.format = sformat
else
  function compat.format(fmt, ...)
    local args, i = { ... }, 0
    return (fmt:gsub("%%[-+ #0]*%d*%.?%d*[%a%%]", function(spec)
      if spec == "%%" then return "%" end
      i = i + 1
      if spec == "%s" then return tostring(args[i]) end
      return sformat(spec, args[i])
    end))
  end
end

---------------------------------------------------------------------------
-- UTF-8, strict as 5.4's utf8 library: len(s) (nil when s is not valid
-- UTF-8), codes(s) (for p, cp in codes(s), on a valid s), char(cp) (one
-- code point, surrogates included).

local utf8lib = {}

-- The code point at byte i of s and the index past it, or nil.
local function decode(s, i)
  local b = byte(s, i)
  if b < 0x80 then return b, i + 1 end
  local n, cp, min
  if b >= 0xC2 and b <= 0xDF then n, cp, min = 1, b - 0xC0, 0x80
  elseif b >= 0xE0 and b <= 0xEF then n, cp, min = 2, b - 0xE0, 0x800
  elseif b >= 0xF0 and b <= 0xF4 then n, cp, min = 3, b - 0xF0, 0x10000
  else return nil end
  for k = i + 1, i + n do
    local c = byte(s, k)
    if c == nil or c < 0x80 or c > 0xBF then return nil end
    cp = cp * 64 + (c - 0x80)
  end
  if cp < min or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then
    return nil
  end
  return cp, i + n + 1
end

function utf8lib.len(s)
  local i, n, len = 1, #s, 0
  while i <= n do
    local _, j = decode(s, i)
    if not j then return nil end
    i, len = j, len + 1
  end
  return len
end

function utf8lib.codes(s)
  local i = 1
  return function()
    if i > #s then return nil end
    local p, cp, j = i, decode(s, i)
    if not j then error("invalid UTF-8 code", 2) end
    i = j
    return p, cp
  end
end

function utf8lib.char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then
    return char(0xC0 + floor(cp / 0x40), 0x80 + cp % 0x40)
  end
  if cp < 0x10000 then
    return char(0xE0 + floor(cp / 0x1000), 0x80 + floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
  end
  return char(0xF0 + floor(cp / 0x40000), 0x80 + floor(cp / 0x1000) % 0x40,
    0x80 + floor(cp / 0x40) % 0x40, 0x80 + cp % 0x40)
end

-- The decoder above, whatever the Lua, for the spec that holds it to 5.4's.
compat.utf8_lua = utf8lib

if _VERSION == "Lua 5.4" and utf8 then
  compat.utf8 = { len = utf8.len, codes = utf8.codes, char = utf8.char }
else
  compat.utf8 = utf8lib
end

return compat
