-- dgram.js: JavaScript's value rules, in one place, for the modules that
-- take Lua values where Node takes JavaScript ones: ToNumber, ToInt32 and
-- ToUint32, Number.isInteger, truthiness, String.prototype.trim, String(v)
-- and how numbers print, util.inspect, and how Node's messages name a value
-- (determineSpecificType). Each rule is checked against Node 20, value by
-- value in spec/js_spec.lua and through the socket API in spec/oracle.
--
-- A Lua value stands for a JS one: nil for undefined, a table with the keys
-- 1..n (n >= 1) for an Array, any other table for an Object.

local js = {}

local compat = require "dgram.compat"

local type, tostring, getmetatable, rawget, next = type, tostring, getmetatable, rawget, next
local byte, sub, format = string.byte, string.sub, compat.format
local floor, huge = math.floor, math.huge
local isinteger, intkey, tointeger = compat.isinteger, compat.intkey, compat.tointeger
local utf8 = compat.utf8
local NAN = 0 / 0

---------------------------------------------------------------------------
-- Truthiness and numbers.

-- ToBoolean: undefined (nil), false, 0, -0, NaN and '' are false.
function js.truthy(v)
  return not (v == nil or v == false or v == 0 or v ~= v or v == "")
end

-- Number.isInteger: a finite number with no fraction.
function js.isinteger(v)
  return type(v) == "number" and v == floor(v) and v ~= huge and v ~= -huge
end

-- WhiteSpace and LineTerminator, as trim() and Number(s) remove them, in
-- UTF-8: U+0009-000D and U+0020 are one byte, U+00A0 two, the others
-- (U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF)
-- three. Written as decimal escapes, the only ones Lua 5.1 reads ("\xC2"
-- and "\u{A0}" are silently "xC2" and "u{A0}" there).
local ASCII_SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }
local NBSP = "\194\160"
local WIDE_SPACE = {
  ["\225\154\128"] = true, ["\226\128\168"] = true, ["\226\128\169"] = true,
  ["\226\128\175"] = true, ["\226\129\159"] = true, ["\227\128\128"] = true,
  ["\239\187\191"] = true,
}
for b = 0x80, 0x8A do WIDE_SPACE["\226\128" .. string.char(b)] = true end

-- String.prototype.trim. Each end is walked byte by byte, a space taken
-- whole, so a long blank string costs one table look-up a byte
-- (fuzz/repro/trim_slow.lua).
function js.trim(s)
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
local trim = js.trim

-- The digits each prefix takes, and the bits of each digit.
local RADIX = {
  x = { digits = "^%x+$", bits = {} },
  o = { digits = "^[0-7]+$", bits = {} },
  b = { digits = "^[01]+$", bits = { ["0"] = "0", ["1"] = "1" } },
}
for d = 0, 15 do
  local bits = ""
  for k = 3, 0, -1 do bits = bits .. floor(d / 2 ^ k) % 2 end
  RADIX.x.bits[format("%x", d)], RADIX.x.bits[format("%X", d)] = bits, bits
  if d < 8 then RADIX.o.bits[tostring(d)] = sub(bits, 2) end
end

-- The value of a 0x, 0o or 0b literal's digits, rounded to the nearest
-- double with ties to even, as JS reads '0x20000000000001' (2^53 + 1) as
-- 2^53, whatever the number of digits.
local function radix_number(digits, radix)
  if not digits:match(radix.digits) then return NAN end
  local bits = digits:gsub(".", radix.bits):match("^0*(.*)$")
  local n = #bits
  if n == 0 then return 0.0 end
  local m = tonumber(sub(bits, 1, 53), 2)
  if n <= 53 then return m + 0.0 end
  if sub(bits, 54, 54) == "1" and (m % 2 == 1 or bits:find("1", 55, true)) then
    m = m + 1
  end
  return m * 2.0 ^ (n - 53)
end

-- StrUnsignedDecimalLiteral other than 'Infinity': digits, with one '.'
-- anywhere, then an optional exponent ('5', '.5', '5.', '1E+3'). nil when
-- s is none. Each pattern ends in a position capture, so none backtracks.
local function decimal_number(s)
  local i = s:match("^%d*()")              -- past the integer digits
  local j, digits = i, i - 1
  if sub(s, i, i) == "." then
    j = s:match("^%d*()", i + 1)           -- past the fraction digits
    digits = digits + j - i - 1
  end
  if digits == 0 then return nil end
  if j <= #s and s:match("^[eE][+-]?%d+()", j) ~= #s + 1 then return nil end
  local v = tonumber(s)   -- nil only past a locale whose point is not '.'
  return v and v + 0.0
end

-- Number(s), StringToNumber: a float, -0 kept; NaN for what JS refuses
-- ('0x', '0b2', '1_000', '- 1', '+0x10', '0x-1', 'infinity', '1e', '..5').
-- Lua's tonumber is no guide: it takes '0x1p4' and '-0x10' and refuses
-- 'Infinity', '0b11' and U+00A0 around the digits.
local function string_number(s)
  s = trim(s)
  if s == "" then return 0.0 end
  local prefix, digits = s:match("^0([xXoObB])(.*)$")
  if prefix then return radix_number(digits, RADIX[prefix:lower()]) end
  local sign = sub(s, 1, 1)
  local rest = (sign == "+" or sign == "-") and sub(s, 2) or s
  local v = rest == "Infinity" and huge or decimal_number(rest)
  if not v then return NAN end
  return sign == "-" and -v or v
end

-- ToNumber (what `+v` gives): a number stays as it is, a string or a
-- boolean gives a float, anything else NaN. Tables read as NaN: JS would
-- read an Array through its elements (`+[5]` is 5), which is not modelled.
function js.tonumber(v)
  local t = type(v)
  if t == "number" then return v end
  if t == "string" then return string_number(v) end
  if t == "boolean" then return v and 1.0 or 0.0 end
  return NAN
end
local tonumber_js = js.tonumber

-- ToUint32 (`v >>> 0`) and ToInt32 (`v | 0`), as Lua integers.
function js.touint32(v)
  local n = tonumber_js(v)
  if n ~= n or n == huge or n == -huge then return 0 end
  n = n >= 0 and floor(n) or -floor(-n)
  return tointeger(n % 4294967296)
end

function js.toint32(v)
  local n = js.touint32(v)
  return n >= 2147483648 and n - 4294967296 or n
end

-- What Node's C++ reads from a value as a uint32 (V8's Value::Uint32Value):
-- ToUint32, except that V8 reads as 0 a value other than a number whose
-- ToNumber is a negative integer down to -2^31 (a "small integer" in
-- 64-bit V8), so bind('-1') binds a random port where bind(-1) binds 65535.
function js.uint32value(v)
  local n = tonumber_js(v)
  if type(v) ~= "number" and n < 0 and n >= -2147483648 and n == floor(n) then
    return 0
  end
  return js.touint32(n)
end

-- Number.prototype.toString: the shortest digits that read back as x, in
-- fixed notation for exponents -7 < e < 21, else exponential ('1e+21',
-- '5e-7'); -0 prints as '0'. Integers of Lua 5.3+ print exactly, even
-- beyond 2^53 where JS would round (a Lua value is what the user passed);
-- elsewhere every number is a double and prints as in JS.
local function number(x)
  if isinteger(x) then return format("%d", x) end
  if x ~= x then return "NaN" end
  if x == huge then return "Infinity" end
  if x == -huge then return "-Infinity" end
  if x == 0 then return "0" end
  local sign = x < 0 and "-" or ""
  x = math.abs(x)
  local s
  for p = 0, 16 do
    s = format("%." .. p .. "e", x)
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
  return format("%s%se%s%d", sign, mant, e < 0 and "-" or "+", math.abs(e))
end
js.number = number

-- A number as util.inspect prints it: as String() does, but '-0'.
local function inspect_number(x)
  if x == 0 and 1 / x < 0 then return "-0" end
  return number(x)
end

-- String(v), the template literal's `${v}`: 'undefined' for nil, numbers
-- as above, tostring for the rest.
function js.string(v)
  if v == nil then return "undefined" end
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return number(v) end
  return tostring(v)
end

---------------------------------------------------------------------------
-- Strings as JS counts them, in UTF-16 units.

-- The lead bytes of UTF-8's 4-byte sequences: the astral characters, two
-- units each.
local ASTRAL_LEADS = { "\240", "\241", "\242", "\243", "\244" }

-- A Lua string as JS sees it: a list of characters, each with its bytes,
-- code point and UTF-16 length. Strings that are not valid UTF-8 are taken
-- byte by byte (each byte one unit, its value as code point). Only the
-- first `max` units are listed, a lone high surrogate ending the list when
-- an astral character straddles the limit, as String.prototype.slice
-- leaves it; the second result is the length of the whole string.
local function chars(s, max)
  local list, n = {}, 0
  local length = utf8.len(s)
  local valid = length ~= nil
  local function add(str, cp, w)
    if n + w <= max then
      list[#list + 1] = { s = str, cp = cp, n = w }
    elseif n < max then        -- 1 unit left for a 2-unit character
      local hs = 0xD800 + floor((cp - 0x10000) / 1024)
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
  -- plain finds of the astral lead bytes (a loop over a 64 KiB string's
  -- code points, or a pattern's, took milliseconds)
  local total = length
  for _, lead in ipairs(ASTRAL_LEADS) do
    local at = s:find(lead, 1, true)
    while at do
      total = total + 1
      at = s:find(lead, at + 1, true)
    end
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

-- s.slice(0, n), and s.length.
function js.slice(s, n)
  local list, total = chars(s, n)
  return join(list), total
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
      or ((cp < 0x20 or is_surrogate(cp)) and format("\\u%04x", cp))
      or c.s
  end
  return '"' .. table.concat(buf) .. '"'
end

---------------------------------------------------------------------------
-- util.inspect with default options, and determineSpecificType.

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
    more = format("... %d more character%s", rest, rest > 1 and "s" or "")
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
      buf[i] = format("\\x%02X", cp)
    elseif is_surrogate(cp) then buf[i] = format("\\u%04x", cp)
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
    if not intkey(k) or k < 1 then return nil end
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
  if intkey(k) and k >= 0 then return 1, k end
  if type(k) == "number" then return 2, number(k) end
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
    return format("[Circular *%d]", state.refs[t])
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
        ks = type(k) == "number" and number(k) or k
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
  if state.refs[t] then body = format("<ref *%d> ", state.refs[t]) .. body end
  return body
end

function inspect(v, depth, state)
  local t = type(v)
  if v == nil then return "undefined" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then return inspect_number(v) end
  if t == "string" then return inspect_string(v) end
  if t == "function" then return "[Function (anonymous)]" end
  if t == "table" then
    return inspect_table(v, depth or 0,
      state or { path = {}, refs = {}, nrefs = 0 })
  end
  return "[" .. (metaname(v) or t) .. "]"   -- userdata, thread
end

-- util.inspect(v) with default options.
function js.inspect(v)
  return inspect(v)
end

-- Node's determineSpecificType: how 'Received ...' names a value.
-- Functions: a Lua function carries no name, so every function renders as
-- Node renders an anonymous one: 'function ' (trailing space included, as in
-- Node 20's `Received function `).
function js.describe(v)
  local t = type(v)
  if v == nil then return "undefined" end
  if t == "number" then return format("type number (%s)", inspect_number(v)) end
  if t == "boolean" then return format("type boolean (%s)", tostring(v)) end
  if t == "string" then
    local list, total = chars(v, 28)
    local s
    if total > 28 then
      list = chars(v, 25)
      list[#list + 1] = { s = "...", cp = 0x2E, n = 3 }
    end
    if has(list, 39) then s = json_quote(list) else s = "'" .. join(list) .. "'" end
    return format("type string (%s)", s)
  end
  if t == "function" then return "function " end
  if t == "table" then
    return "an instance of "
      .. (metaname(v) or (array_length(v) and "Array" or "Object"))
  end
  return "an instance of " .. (metaname(v) or t)   -- userdata, thread
end

return js
