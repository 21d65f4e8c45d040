-- js_spec: JavaScript's value rules (dgram.js). What node can say about a
-- value, it says here at run time: the whitespace that trim() and Number()
-- remove (every code point tried), ToNumber, ToUint32, ToInt32 and the
-- printing of numbers, string form by string form. The inspector's texts
-- were produced by Node 20 (util.inspect; determineSpecificType in
-- lib/internal/errors.js) for the same input. spec/oracle_spec.lua checks
-- the same string forms through the socket API.
local js = require "dgram.js"
local errors = require "dgram.errors"
local json = require "dkjson"
local h = require "helpers"
local U, NEG_ZERO = h.U, h.NEG_ZERO

-- Runs `source` under node with a JSON file of `input` as its argument and
-- returns what it printed, decoded.
local function node(source, input)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(json.encode(input))
  f:close()
  local out, ok = h.node("const input = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));\n"
    .. source, path):wait()
  os.remove(path)
  assert(ok, out)
  return assert(json.decode(out))
end

-- The string forms of numbers tried, as ports, offsets, TTLs and sizes
-- are in spec/oracle/numbers.json.
local function forms()
  local f = assert(io.open("spec/oracle/numbers.json"))
  local t = assert(json.decode(f:read("*a")))
  f:close()
  return t.forms
end

describe("dgram.js", function()
  describe("truthy (ToBoolean)", function()
    it("is false for undefined, false, 0, -0, NaN and '' only", function()
      for _, v in ipairs({ false, 0, 0.0, NEG_ZERO, 0 / 0, "" }) do
        assert.is_false(js.truthy(v))
      end
      assert.is_false(js.truthy(nil))
      for _, v in ipairs({ true, 1, -1, 0.5, 1 / 0, "0", " ", "false", {}, print }) do
        assert.is_true(js.truthy(v))
      end
    end)
  end)

  describe("isinteger (Number.isInteger)", function()
    it("takes finite numbers with no fraction", function()
      for _, v in ipairs({ 0, NEG_ZERO, 5, 5.0, 2 ^ 60, math.mininteger or -2 ^ 63, 1e300 }) do
        assert.is_true(js.isinteger(v))
      end
      for _, v in ipairs({ 0.5, 0 / 0, 1 / 0, -1 / 0, "5", true, {} }) do
        assert.is_false(js.isinteger(v))
      end
    end)
  end)

  describe("trim (String.prototype.trim)", function()
    it("removes exactly the code points JS removes, of all of Unicode", function()
      local want = node([[
        const out = [];
        for (let cp = 0; cp <= 0x10FFFF; cp++) {
          if (cp >= 0xD800 && cp <= 0xDFFF) continue;
          if (String.fromCodePoint(cp).trim() === '') out.push(cp);
        }
        console.log(JSON.stringify(out));
      ]], {})
      local got = {}
      for cp = 0, 0x10FFFF do
        if (cp < 0xD800 or cp > 0xDFFF) and js.trim(U(cp)) == "" then
          got[#got + 1] = cp
        end
      end
      assert.same(want, got)
      assert.equal(25, #got)
    end)

    it("removes them at both ends only, whole characters only", function()
      local all = U("\t\n\v\f\r ", 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
        0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F,
        0x205F, 0x3000, 0xFEFF)
      assert.equal("a" .. all .. "b", js.trim(all .. "a" .. all .. "b" .. all))
      -- U+2020 ends in the byte that ends NBSP, U+00A1 starts as NBSP does,
      -- U+200B and U+180E are no longer spaces, U+0085 never was
      for _, s in ipairs({ U("8", 0x2020), U(0xA1, "8"), U(0x200B, "8", 0x200B), U(0x180E, "8"), U("8", 0x85) }) do
        assert.equal(s, js.trim(s))
      end
      assert.equal("", js.trim(""))
      assert.equal("\160", js.trim("\160"))       -- half of NBSP
      assert.equal("\226\128", js.trim(" \226\128"))  -- two thirds of U+2000
    end)

    it("stays fast on 64 KiB of blanks", function()
      local pad = U(0x3000, " ", 0xA0, "\t", 0xFEFF, 0x1680):rep(8192)
      local t = os.clock()
      assert.equal("8", js.trim(pad .. "8" .. pad))
      assert.equal("", js.trim(pad))
      local limit = os.getenv("VALGRIND") and 2 or 0.05   -- about 10 ms here
      assert.is_true(os.clock() - t < limit, "trim took " .. (os.clock() - t) .. " s")
    end)
  end)

  describe("tonumber, touint32, toint32, number", function()
    -- Each form, and each with a space of every kind around it.
    local function inputs()
      local list = {}
      for _, s in ipairs(forms()) do
        list[#list + 1] = s:gsub("{%a}", "12")
      end
      for _, s in ipairs({ "1e21", "1e+21", "123456789012345680000", "5e-7", "0.000001",
        "1.7976931348623157e308", "5e-324", "0.1", "0.3333333333333333", "4294967296.5",
        "-4294967297", "2147483648", "-2147483649", "9007199254740993", "1e300", "123e-20",
        "-1.5", "2.5", "-2.5", "0x20000000000001", "0x20000000000003", "0b" .. ("1"):rep(60),
        "0o" .. ("7"):rep(30), "0x" .. ("f"):rep(300), ("9"):rep(400), ("0"):rep(400) .. "5",
        "1e400", "-1e400", "0x1p4", "-0x10", "1.2.3", "5e+", "+.5", "-.5e1", "e5", ".e5",
        "5.e5", "\0", "12abc", "Infinityx", "INFINITY", "+-1", "0x 1", "0 x1", "1 2" }) do
        list[#list + 1] = s
      end
      return list
    end

    it("read every string form as Number(), >>> 0 and | 0 do", function()
      local list = inputs()
      local want = node([[
        const util = require('util');
        console.log(JSON.stringify(input.map((s) =>
          [util.inspect(Number(s)), String(Number(s)), s >>> 0, s | 0])));
      ]], list)
      for i, s in ipairs(list) do
        local n = js.tonumber(s)
        assert.are.same(want[i], { js.inspect(n), js.number(n), js.touint32(s), js.toint32(s) },
          ("%q"):format(s))
        if math.type then assert.equal("float", math.type(n)) end
      end
    end)

    it("take other values as JS takes undefined, booleans, objects", function()
      assert.is_true(js.tonumber(nil) ~= js.tonumber(nil))
      assert.equal(1, js.tonumber(true))
      assert.equal(0, js.tonumber(false))
      for _, v in ipairs({ {}, { 5 }, print, coroutine.create(function() end) }) do
        local n = js.tonumber(v)
        assert.is_true(n ~= n)
      end
      if math.type then
        assert.equal("integer", math.type(js.tonumber(7)))   -- a number stays as it is
        assert.equal(math.maxinteger, js.tonumber(math.maxinteger))
      end
      assert.equal(0, js.touint32(nil))
      assert.equal(1, js.touint32(true))
      assert.equal(4294967295, js.touint32(-1))
      assert.equal(0, js.touint32(math.mininteger or -2 ^ 63))
      assert.equal(-1, js.toint32(4294967295))
      assert.equal(-2147483648, js.toint32(2147483648))
      if math.type then assert.equal("integer", math.type(js.touint32(5.9))) end
    end)

    it("uint32value reads a negative small integer other than a number as 0, as V8 does", function()
      -- what Node 20 binds for these ports (UDPWrap's Uint32Value), mod 2^16
      local cases = {
        { -1, 4294967295 }, { "-1", 0 }, { "-1.0", 0 }, { "-1e3", 0 }, { "-0", 0 },
        { "-1.5", 4294967295 }, { "-1000.5", 4294966296 }, { "-2147483647", 0 },
        { "-2147483648", 0 }, { "-2147483649", 2147483647 }, { "-4294967295", 1 },
        { "0x10", 16 }, { true, 1 }, { false, 0 }, { "4294967295", 4294967295 },
        { 4294967296, 0 }, { -8191, 4294959105 }, { "x", 0 },
      }
      for _, c in ipairs(cases) do
        assert.equal(c[2], js.uint32value(c[1]), tostring(c[1]))
      end
    end)

    it("print Lua 5.3+ integers exactly, doubles as JS does", function()
      if math.type then
        assert.equal("9007199254740993", js.number(9007199254740993))
        assert.equal("-9223372036854775808", js.number(math.mininteger))
      else -- every number is a double, the one JS reads from the same digits
        assert.equal("9007199254740992", js.number(9007199254740993))
        assert.equal("-9223372036854776000", js.number(-2 ^ 63))
      end
      assert.equal("0", js.number(NEG_ZERO))
      assert.equal("-0", js.inspect(NEG_ZERO))
    end)

    it("string gives String(v)", function()
      assert.equal("undefined", js.string(nil))
      assert.equal("true", js.string(true))
      assert.equal("0", js.string(NEG_ZERO))
      assert.equal("5", js.string(5.0))
      assert.equal("1e+21", js.string(1e21))
      assert.equal("NaN", js.string(0 / 0))
      assert.equal("-Infinity", js.string(-1 / 0))
      assert.equal("x", js.string("x"))
    end)
  end)

  describe("slice", function()
    it("cuts at UTF-16 units and counts them", function()
      assert.same({ "ab", 3 }, { js.slice("abc", 2) })
      assert.same({ "abc", 3 }, { js.slice("abc", 5) })
      assert.same({ "é", 2 }, { js.slice("éé", 1) })
      -- an astral character is two units; cut in the middle, its high half stays
      assert.same({ U("a", 0xD83D), 3 }, { js.slice("a😀", 2) })
      -- past the cut, every astral character still counts two (Node: 15)
      assert.same({ U("a", 0xD83D), 15 }, { js.slice(U("a😀bc😀😀xxxé", 0x100000), 2) })
    end)
  end)

  describe("describe (determineSpecificType)", function()
    local D = js.describe
    local cases = {
      { nil, "undefined" },
      { 23, "type number (23)" }, { 2.0, "type number (2)" },
      { 1.5, "type number (1.5)" }, { NEG_ZERO, "type number (-0)" },
      { 0 / 0, "type number (NaN)" }, { 1 / 0, "type number (Infinity)" },
      { -1 / 0, "type number (-Infinity)" }, { 1e21, "type number (1e+21)" },
      { 1e20, "type number (100000000000000000000)" },
      { 0.000001, "type number (0.000001)" }, { 1e-7, "type number (1e-7)" },
      { 1 / 3, "type number (0.3333333333333333)" },
      { 5e-324, "type number (5e-324)" },
      { 1.7976931348623157e308, "type number (1.7976931348623157e+308)" },
      { 4294967296, "type number (4294967296)" },
      { true, "type boolean (true)" }, { false, "type boolean (false)" },
      { "foo", "type string ('foo')" }, { "", "type string ('')" },
      { "it's", "type string (\"it's\")" },
      { "a\"b'c", "type string (\"a\\\"b'c\")" },
      { "say \"hi\"", "type string ('say \"hi\"')" },
      { "a\\b", "type string ('a\\b')" },
      -- 28 characters stay, 29 are cut to 25 and '...'
      { "abcdefghijklmnopqrstuvwxyz01", "type string ('abcdefghijklmnopqrstuvwxyz01')" },
      { "abcdefghijklmnopqrstuvwxyz012", "type string ('abcdefghijklmnopqrstuvwxy...')" },
      -- the quote test comes after the cut
      { "abcdefghijklmnopqrstuvwxy'z012", "type string ('abcdefghijklmnopqrstuvwxy...')" },
      { "it's a very long string with a quote",
        "type string (\"it's a very long string w...\")" },
      { ("é"):rep(31), "type string ('" .. ("é"):rep(25) .. "...')" },
      -- control characters: raw between single quotes, escaped by JSON
      { "\n\t\1", "type string ('\n\t\1')" },
      { "it's\n\t\1\27\\", "type string (\"it's\\n\\t\\u0001\\u001b\\\\\")" },
      { {}, "an instance of Object" }, { { a = 1 }, "an instance of Object" },
      { { 1, 2 }, "an instance of Array" }, { { "udp4" }, "an instance of Array" },
      { { 1, nil, 3 }, "an instance of Object" },
      { setmetatable({}, { __name = "Foo" }), "an instance of Foo" },
      { errors.ERR_SOCKET_BAD_TYPE(), "an instance of dgram.Error" },
      -- a Lua function has no name: Node's text for an anonymous function
      { print, "function " }, { function() end, "function " },
    }
    for i, c in ipairs(cases) do
      it(("case %d: %s"):format(i, c[2]), function()
        assert.are.equal(c[2], D(c[1]))
      end)
    end

    it("keeps the high half of an astral character cut at 25 units", function()
      local s = D(("😀"):rep(15))
      assert.are.equal("type string ('" .. ("😀"):rep(12) .. U(0xD83D)
        .. "...')", s)
    end)
  end)

  describe("inspect (util.inspect)", function()
    local I = js.inspect
    local cases = {
      { nil, "undefined" }, { 42, "42" }, { NEG_ZERO, "-0" }, { true, "true" },
      { "foo", "'foo'" }, { "it's", "\"it's\"" }, { "a\"b'c", "`a\"b'c`" },
      { "a\"b'c`d", "'a\"b\\'c`d'" }, { "a${b}'\"c", "'a${b}\\'\"c'" },
      { "a\\b", "'a\\\\b'" },
      { U("\0\v\27\b\f\r", 0xA0, 0x9F), U("'\\x00\\x0B\\x1B\\b\\f\\r", 0xA0, "\\x9F'") },
      { U("\n\t\1\127", 0x85), "'\\n\\t\\x01\\x7F\\x85'" },
      { ("x"):rep(10005), "'" .. ("x"):rep(10000) .. "'... 5 more characters" },
      { ("x"):rep(10001), "'" .. ("x"):rep(10000) .. "'... 1 more character" },
      { {}, "{}" }, { { 1, "a" }, "[ 1, 'a' ]" },
      { { a = 1, ["b c"] = 2 }, "{ a: 1, 'b c': 2 }" },
      { { a = { b = { c = { d = 1 } } } }, "{ a: { b: { c: [Object] } } }" },
      { { { { { 1 } } } }, "[ [ [ [Array] ] ] ]" },
      { { ["1"] = 2, b = 3, ["a-b"] = 4, _x = 5 }, "{ '1': 2, _x: 5, 'a-b': 4, b: 3 }" },
      { { "it's" }, "[ \"it's\" ]" },
      { function() end, "[Function (anonymous)]" },
      { setmetatable({ a = 1 }, { __name = "Foo" }), "Foo { a: 1 }" },
    }
    for i, c in ipairs(cases) do
      it(("case %d: %s"):format(i, c[2]:sub(1, 40)), function()
        assert.are.equal(c[2], I(c[1]))
      end)
    end

    it("marks cycles", function()
      local o = {}
      o.self = o
      assert.are.equal("<ref *1> { self: [Circular *1] }", I(o))
    end)

    it("prints error objects as tostring does", function()
      assert.are.equal("Error [ERR_SOCKET_DGRAM_NOT_RUNNING]: Not running",
        I(errors.ERR_SOCKET_DGRAM_NOT_RUNNING()))
    end)
  end)
end)
