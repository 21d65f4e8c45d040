-- compat_spec: the same module on Lua 5.1, 5.2, 5.3, 5.4 and LuaJIT (the
-- suite runs on each: `make test-all`). Here what would differ silently:
-- dgram.compat held to 5.4's own functions; the bytes js.trim strips,
-- written as bytes; and the sources, which every Lua must read as 5.4
-- does: each file loads here, and no string holds an escape that Lua 5.1
-- reads otherwise ("\u{A0}" is the text "u{A0}" there, "\xC2" is "xC2").
local compat = require "dgram.compat"
local js = require "dgram.js"
local h = require "helpers"

local NEG_ZERO = h.NEG_ZERO

-- Every Lua file of the project that runs on the Lua under test (fuzz/
-- runs inside its libFuzzer harnesses, on 5.4 only).
local function sources()
  local list = {}
  local p = io.popen("find lua spec tools examples -name '*.lua' | sort")
  for line in p:lines() do list[#list + 1] = line end
  p:close()
  assert(#list > 100, "found only " .. #list .. " files")
  return list
end

-- The short strings of a Lua source ('...' and "..."), each {line, body}
-- with its escapes unread; comments and long strings skipped.
local function shortStrings(src)
  local list, i, n, line = {}, 1, #src, 1
  local function skipTo(close)
    local j = assert(src:find(close, i, true), "unfinished long bracket at line " .. line)
    local _, lines = src:sub(i, j):gsub("\n", "")
    line = line + lines
    i = j + #close
  end
  while i <= n do
    local c = src:sub(i, i)
    if c == "\n" then
      line, i = line + 1, i + 1
    elseif src:find("^%-%-", i) then
      local eq = src:match("^%-%-%[(=*)%[", i)
      if eq then
        skipTo("]" .. eq .. "]")
      else
        i = src:find("\n", i, true) or n + 1
      end
    elseif src:find("^%[=*%[", i) then
      skipTo("]" .. src:match("^%[(=*)%[", i) .. "]")
    elseif c == '"' or c == "'" then
      local j = i + 1
      while src:sub(j, j) ~= c do
        local d = src:sub(j, j)
        assert(d ~= "" and d ~= "\n", "unfinished string at line " .. line)
        j = j + (d == "\\" and 2 or 1)
      end
      list[#list + 1] = { line = line, body = src:sub(i + 1, j - 1) }
      i = j + 1
    else
      i = i + 1
    end
  end
  return list
end

-- The escapes every Lua reads alike: \a \b \f \n \r \t \v \\ \" \' \ddd
-- and a backslash before a newline.
local SAME_ESCAPE = { a = true, b = true, f = true, n = true, r = true, t = true, v = true,
  ["\\"] = true, ['"'] = true, ["'"] = true, ["\n"] = true }

local function badEscapes(body)
  local bad, i = {}, 1
  while true do
    local j = body:find("\\", i, true)
    if not j then return bad end
    local e = body:sub(j + 1, j + 1)
    if not SAME_ESCAPE[e] and not e:match("%d") then
      bad[#bad + 1] = "\\" .. body:sub(j + 1, j + 4)
    end
    i = j + 2
  end
end

describe("every Lua", function()
  describe("the sources", function()
    it("load on " .. _VERSION .. (jit and " (" .. jit.version .. ")" or ""), function()
      for _, path in ipairs(sources()) do
        local chunk, err = loadfile(path)
        assert(chunk, err)
      end
    end)

    it("hold no escape that Lua 5.1 reads otherwise than 5.4", function()
      local found = {}
      for _, path in ipairs(sources()) do
        for _, s in ipairs(shortStrings(assert(h.readFile(path)))) do
          for _, e in ipairs(badEscapes(s.body)) do
            found[#found + 1] = ("%s:%d: %s"):format(path, s.line, e)
          end
        end
      end
      assert(#found == 0, "escapes 5.1 reads as plain text:\n" .. table.concat(found, "\n"))
    end)

    it("are what the scanner above takes them for", function()
      local list = shortStrings("local a = 'x\\'y' -- \"c\"\n--[==[ 'd' ]==] b = [[ 'e' ]] .. \"\\xC2\\u{A0}\\194\"")
      assert.equal(2, #list)
      assert.equal("x\\'y", list[1].body)
      assert.same({ "\\xC2\\", "\\u{A0" }, badEscapes(list[2].body))
      assert.equal(2, list[2].line)
    end)

    it("each module of lua/ loads and is a table", function()
      for _, path in ipairs(sources()) do
        local name = path:match("^lua/(.*)%.lua$")
        if name then
          assert.equal("table", type(require((name:gsub("/", ".")))), name)
        end
      end
    end)
  end)

  describe("js.trim", function()
    -- JS's WhiteSpace and LineTerminator beyond ASCII, as UTF-8 bytes.
    local WIDE = {
      [0xA0] = { 0xC2, 0xA0 }, [0x1680] = { 0xE1, 0x9A, 0x80 },
      [0x2000] = { 0xE2, 0x80, 0x80 }, [0x2001] = { 0xE2, 0x80, 0x81 },
      [0x2002] = { 0xE2, 0x80, 0x82 }, [0x2003] = { 0xE2, 0x80, 0x83 },
      [0x2004] = { 0xE2, 0x80, 0x84 }, [0x2005] = { 0xE2, 0x80, 0x85 },
      [0x2006] = { 0xE2, 0x80, 0x86 }, [0x2007] = { 0xE2, 0x80, 0x87 },
      [0x2008] = { 0xE2, 0x80, 0x88 }, [0x2009] = { 0xE2, 0x80, 0x89 },
      [0x200A] = { 0xE2, 0x80, 0x8A }, [0x2028] = { 0xE2, 0x80, 0xA8 },
      [0x2029] = { 0xE2, 0x80, 0xA9 }, [0x202F] = { 0xE2, 0x80, 0xAF },
      [0x205F] = { 0xE2, 0x81, 0x9F }, [0x3000] = { 0xE3, 0x80, 0x80 },
      [0xFEFF] = { 0xEF, 0xBB, 0xBF },
    }

    it("strips the UTF-8 bytes of every JS space beyond ASCII, and those only", function()
      local n = 0
      for cp, bytes in pairs(WIDE) do
        local ws = string.char(compat.unpack(bytes))
        assert.equal(h.U(cp), ws)
        assert.equal("x", js.trim(ws .. "x" .. ws), ("U+%04X"):format(cp))
        assert.equal("x" .. ws .. "y", js.trim("x" .. ws .. "y"))
        -- the same bytes but the last one: no space
        local cut = string.char(compat.unpack(bytes, 1, #bytes - 1))
        assert.equal(cut .. "x" .. cut, js.trim(cut .. "x" .. cut))
        n = n + 1
      end
      assert.equal(19, n)
    end)

    it("strips the ASCII ones: tab, LF, VT, FF, CR and space", function()
      local ws = string.char(9, 10, 11, 12, 13, 32)
      assert.equal("x", js.trim(ws .. "x" .. ws))
      for b = 0, 127 do
        if not ws:find(string.char(b), 1, true) and b ~= ("x"):byte() then
          local s = string.char(b) .. "x"
          assert.equal(s, js.trim(s), "byte " .. b)
        end
      end
    end)
  end)

  describe("dgram.compat", function()
    -- byte strings, and what 5.4's utf8.len says of them
    local UTF8 = {
      { "", 0 }, { "abc", 3 }, { "\0", 1 }, { "\194\128", 1 }, { "\223\191", 1 },
      { "\224\160\128", 1 }, { "\239\191\191", 1 }, { "\240\144\128\128", 1 },
      { "\244\143\191\191", 1 }, { "a\195\169\240\159\152\128z", 4 },
      { "\192\128", nil }, { "\193\191", nil },                 -- overlong
      { "\224\128\128", nil }, { "\240\128\128\128", nil },     -- overlong
      { "\237\160\128", nil }, { "\237\191\191", nil },         -- surrogates
      { "\244\144\128\128", nil }, { "\245\128\128\128", nil }, -- past U+10FFFF
      { "\128", nil }, { "a\191", nil }, { "\226\130", nil },   -- lone, cut
      { "\226\40\161", nil }, { "\255", nil }, { "\248\136\128\128\128", nil },
    }

    for _, name in ipairs({ "utf8", "utf8_lua" }) do
      it(name .. ".len and .codes read UTF-8 as 5.4's utf8 library does", function()
        local u = compat[name]
        for _, c in ipairs(UTF8) do
          assert.equal(c[2], u.len(c[1]), ("%q"):format(c[1]))
        end
        local cps = {}
        for p, cp in u.codes("a\195\169\240\159\152\128z") do cps[#cps + 1] = p .. ":" .. cp end
        assert.same({ "1:97", "2:233", "4:128512", "8:122" }, cps)
      end)

      it(name .. ".char encodes every code point, surrogates too", function()
        local u = compat[name]
        for _, cp in ipairs({ 0, 0x7F, 0x80, 0x7FF, 0x800, 0xD800, 0xDFFF, 0xFFFF, 0x10000, 0x10FFFF }) do
          assert.equal(h.U(cp), u.char(cp), ("U+%04X"):format(cp))
        end
        assert.equal("\237\160\189", u.char(0xD83D))
      end)
    end

    if utf8 then
      it("utf8_lua agrees with this Lua's utf8 library on every code point", function()
        for cp = 0, 0x10FFFF do
          if compat.utf8_lua.char(cp) ~= utf8.char(cp) then
            error(("U+%04X"):format(cp))
          end
        end
      end)
    end

    if _VERSION == "Lua 5.4" then
      it("utf8_lua.len agrees with 5.4's on every string of two bytes", function()
        for a = 0, 255 do
          for b = 0, 255 do
            local s = string.char(a, b)
            if compat.utf8_lua.len(s) ~= utf8.len(s) then
              error(("%q"):format(s))
            end
          end
        end
      end)
    end

    it("isinteger: the integer subtype of 5.3+, never a double", function()
      assert.equal(math.type ~= nil, compat.isinteger(5))
      assert.is_false(compat.isinteger(5.5))
      assert.is_false(compat.isinteger("5"))
      assert.is_false(compat.isinteger(nil))
      if math.type then assert.is_false(compat.isinteger(5.0)) end
    end)

    it("intkey: what a table keys as an integer", function()
      for _, v in ipairs({ 0, 1, -1, 5.0, 2 ^ 53, 2 ^ 62, -2 ^ 63 }) do
        assert.is_true(compat.intkey(v), tostring(v))
      end
      for _, v in ipairs({ 0.5, 2 ^ 63, 1e300, 1 / 0, 0 / 0, "1", true }) do
        assert.is_false(compat.intkey(v), tostring(v))
      end
    end)

    it("tointeger: 5.4's math.tointeger", function()
      assert.equal(5, compat.tointeger(5.0))
      assert.equal(-7, compat.tointeger(-7))
      assert.equal(5, compat.tointeger("5"))
      assert.is_nil(compat.tointeger(5.5))
      assert.is_nil(compat.tointeger("x"))
      assert.is_nil(compat.tointeger(1 / 0))
      assert.is_nil(compat.tointeger(0 / 0))
      assert.is_nil(compat.tointeger({}))
      local z = compat.tointeger(NEG_ZERO)
      assert.equal(0, z)
      assert.is_true(1 / z > 0) -- no -0
      assert.is_true(h.isInteger(compat.tointeger(12.0)))
    end)

    it("pack and unpack keep nils and counts", function()
      local t = compat.pack(nil, 2, nil)
      assert.equal(3, t.n)
      assert.equal(2, t[2])
      assert.same({ 2, 3 }, { compat.unpack({ 1, 2, 3 }, 2, 3) })
    end)
  end)

  describe("numbers in messages", function()
    it("print as Node prints them, whatever the Lua", function()
      assert.equal("5", js.number(5.0))
      assert.equal("5", js.string(10 / 2))
      assert.equal("9007199254740992", js.number(2 ^ 53))
      assert.equal("1e+21", js.number(1e21))
      assert.equal("-0", js.inspect(NEG_ZERO))
      assert.equal("[ 1, 2 ]", js.inspect({ 1.0, 2 }))
      assert.equal("{ '0.5': 2, '1e+300': 1 }", js.inspect({ [1e300] = 1, [0.5] = 2 }))
      assert.equal(1661992960, js.touint32(1e20))
      assert.equal(0, js.touint32(2 ^ 64))
      assert.equal(-1, js.toint32(2 ^ 32 - 1))
      local ok, e = pcall(require("dgram").createSocket, { type = "udp4", recvBufferSize = 1.5 })
      assert.is_false(ok)
      assert.equal('The value of "options.recvBufferSize" is out of range. It must be an integer. Received 1.5',
        e.message)
    end)
  end)
end)
