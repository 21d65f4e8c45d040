-- validate_spec: Node's validators (lib/internal/validators.js) in Lua. The
-- accepted values, the results and every error text were produced by Node 20
-- (node --expose-internals) for the same inputs. No validator reaches the C
-- core, so this spec needs no build.

local errors = require "dgram.errors"
local validate = require "dgram.validate"
local h = require "helpers"
local U, NEG_ZERO = h.U, h.NEG_ZERO

-- Calls fn(...) and returns the error object it raised.
local function raised(fn, ...)
  local ok, e = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  assert.is_true(errors.is(e), "expected a dgram.Error, got " .. tostring(e))
  return e
end

local function check(e, name, code, message)
  assert.are.equal(name, e.name)
  assert.are.equal(code, e.code)
  assert.are.equal(message, e.message)
  assert.are.equal(("%s [%s]: %s"):format(name, code, message), tostring(e))
end

describe("dgram.validate", function()
  describe("port", function()
    it("accepts numbers and numeric strings, returning an integer", function()
      local cases = {
        { 1234, 1234 }, { 12.0, 12 }, { 65535, 65535 }, { "65535", 65535 },
        { " 12 ", 12 }, { "0x10", 16 }, { "0X1f", 31 }, { "1e3", 1000 },
        { "5.", 5 }, { "1.", 1 }, { "+12", 12 }, { "0b11", 3 }, { "0o17", 15 },
        { "00012", 12 }, { "\t\n12\r\v\f", 12 }, { U(0xA0, "12", 0xFEFF), 12 },
        { U(0x3000, " 7", 0x2028), 7 },
        -- the string '0' passes even when zero is refused (Node's quirk)
        { "0", 0 }, { "-0", 0 },
      }
      for _, c in ipairs(cases) do
        local port = validate.port(c[1], "Port", false)
        assert.are.equal(c[2], port)
        assert.is_true(h.isInteger(port))
      end
    end)

    it("trims long padding of every JS space, and nothing else", function()
      local pad = U(0x3000, " ", 0xA0, "\t", 0xFEFF, 0x1680):rep(8192)
      assert.equal(8, validate.port(pad .. "8" .. pad, "Port", false))
      assert.has_error(function() validate.port(pad, "Port", false) end)
      -- U+2020 ends in the byte that ends NBSP, U+00A1 starts as NBSP does.
      assert.has_error(function() validate.port(U("8", 0x2020), "Port", false) end)
      assert.has_error(function() validate.port(U(0xA1, "8"), "Port", false) end)
    end)

    it("refuses everything else with ERR_SOCKET_BAD_PORT", function()
      local cases = {
        { 0, "type number (0)" }, { NEG_ZERO, "type number (-0)" },
        { 65536, "type number (65536)" }, { 4294967296, "type number (4294967296)" },
        { -1, "type number (-1)" }, { 1.5, "type number (1.5)" },
        { 0 / 0, "type number (NaN)" }, { 1 / 0, "type number (Infinity)" },
        { nil, "undefined" }, { true, "type boolean (true)" },
        { {}, "an instance of Object" }, { { 1 }, "an instance of Array" },
        { "", "type string ('')" }, { "  ", "type string ('  ')" },
        { ".5", "type string ('.5')" }, { "12abc", "type string ('12abc')" },
        { "65536", "type string ('65536')" }, { "-0x10", "type string ('-0x10')" },
        { "Infinity", "type string ('Infinity')" }, { "1_0", "type string ('1_0')" },
        { "0x", "type string ('0x')" }, { "-1", "type string ('-1')" },
        { "0x10000", "type string ('0x10000')" }, { "1e-3", "type string ('1e-3')" },
        { "+", "type string ('+')" }, { "-", "type string ('-')" },
        { "0x1p4", "type string ('0x1p4')" }, { "inf", "type string ('inf')" },
        { function() end, "function " },
      }
      for _, c in ipairs(cases) do
        local e = raised(validate.port, c[1], "Port", false)
        check(e, "RangeError", "ERR_SOCKET_BAD_PORT",
          ("Port should be > 0 and < 65536. Received %s."):format(c[2]))
      end
    end)

    it("allows zero by default, as Node does", function()
      assert.are.equal(0, validate.port(0))
      assert.are.equal(0, validate.port(NEG_ZERO))
      assert.is_true(h.isInteger(validate.port(NEG_ZERO)))
      assert.are.equal(0, validate.port(0, "Port", true))
      check(raised(validate.port, "x"), "RangeError", "ERR_SOCKET_BAD_PORT",
        "Port should be >= 0 and < 65536. Received type string ('x').")
    end)

    it("names the value as told", function()
      check(raised(validate.port, "x", "Foo"), "RangeError", "ERR_SOCKET_BAD_PORT",
        "Foo should be >= 0 and < 65536. Received type string ('x').")
    end)
  end)

  describe("string", function()
    it("passes strings", function()
      assert.has_no.errors(function() validate.string("", "address") end)
      assert.has_no.errors(function() validate.string("::1", "address") end)
    end)

    it("refuses the rest", function()
      local cases = {
        { 0, "type number (0)" }, { true, "type boolean (true)" },
        { {}, "an instance of Object" }, { { 1 }, "an instance of Array" },
        { nil, "undefined" },
      }
      for _, c in ipairs(cases) do
        check(raised(validate.string, c[1], "address"), "TypeError",
          "ERR_INVALID_ARG_TYPE",
          ('The "address" argument must be of type string. Received %s'):format(c[2]))
      end
    end)

    it("says 'property' for a dotted name", function()
      check(raised(validate.string, 1, "options.type"), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "options.type" property must be of type '
        .. "string. Received type number (1)")
    end)
  end)

  describe("number", function()
    it("passes every number, NaN included", function()
      for _, v in ipairs({ 0, -1, 1.5, 0 / 0, 1 / 0, math.mininteger or -2 ^ 63 }) do
        assert.has_no.errors(function() validate.number(v, "ttl") end)
      end
    end)

    it("refuses the rest", function()
      check(raised(validate.number, "foo", "ttl"), "TypeError", "ERR_INVALID_ARG_TYPE",
        "The \"ttl\" argument must be of type number. Received type string ('foo')")
      check(raised(validate.number, "12", "ttl"), "TypeError", "ERR_INVALID_ARG_TYPE",
        "The \"ttl\" argument must be of type number. Received type string ('12')")
      check(raised(validate.number, nil, "ttl"), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "ttl" argument must be of type number. Received undefined')
    end)
  end)

  describe("uint32", function()
    local N = "options.recvBufferSize"

    it("passes 0..4294967295", function()
      for _, v in ipairs({ 0, NEG_ZERO, 1, 4096.0, 4294967295 }) do
        assert.has_no.errors(function() validate.uint32(v, N) end)
      end
    end)

    it("refuses non-numbers with ERR_INVALID_ARG_TYPE", function()
      check(raised(validate.uint32, "invalid", N), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "options.recvBufferSize" property must be of type number. '
        .. "Received type string ('invalid')")
      check(raised(validate.uint32, "1", "n"), "TypeError", "ERR_INVALID_ARG_TYPE",
        "The \"n\" argument must be of type number. Received type string ('1')")
    end)

    it("refuses non-integers and values out of range with ERR_OUT_OF_RANGE", function()
      local cases = {
        { 1.5, "an integer", "1.5" },
        { 0 / 0, "an integer", "NaN" },
        { 1 / 0, "an integer", "Infinity" },
        { -1 / 0, "an integer", "-Infinity" },
        { 4294967295.5, "an integer", "4294967295.5" },
        { -1, ">= 0 && <= 4294967295", "-1" },
        { 4294967296, ">= 0 && <= 4294967295", "4294967296" },
        { 2 ^ 53, ">= 0 && <= 4294967295", "9_007_199_254_740_992" },
        { -(2 ^ 33), ">= 0 && <= 4294967295", "-8_589_934_592" },
      }
      for _, c in ipairs(cases) do
        check(raised(validate.uint32, c[1], N), "RangeError", "ERR_OUT_OF_RANGE",
          ('The value of "options.recvBufferSize" is out of range. It must be %s. '
          .. "Received %s"):format(c[2], c[3]))
      end
    end)
  end)

  describe("func", function()
    it("passes functions, C functions included", function()
      assert.has_no.errors(function() validate.func(print, "lookup") end)
      assert.has_no.errors(function() validate.func(function() end, "lookup") end)
    end)

    it("refuses the rest, callable tables included", function()
      check(raised(validate.func, nil, "lookup"), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "lookup" argument must be of type function. Received undefined')
      check(raised(validate.func, 1, "lookup"), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "lookup" argument must be of type function. Received type number (1)')
      local callable = setmetatable({}, { __call = function() end })
      check(raised(validate.func, callable, "lookup"), "TypeError",
        "ERR_INVALID_ARG_TYPE", 'The "lookup" argument must be of type function. '
        .. "Received an instance of Object")
    end)
  end)

  describe("abortSignal", function()
    local N = "options.signal"

    it("passes nil and tables with an aborted field", function()
      assert.has_no.errors(function() validate.abortSignal(nil, N) end)
      assert.has_no.errors(function() validate.abortSignal({ aborted = false }, N) end)
      assert.has_no.errors(function() validate.abortSignal({ aborted = true }, N) end)
      -- a field found through __index counts, like `in` on a prototype
      local Signal = { aborted = false }
      Signal.__index = Signal
      assert.has_no.errors(function() validate.abortSignal(setmetatable({}, Signal), N) end)
    end)

    it("refuses the rest", function()
      local cases = {
        { {}, "an instance of Object" }, { "x", "type string ('x')" },
        { 1, "type number (1)" }, { { 1 }, "an instance of Array" },
      }
      for _, c in ipairs(cases) do
        check(raised(validate.abortSignal, c[1], N), "TypeError", "ERR_INVALID_ARG_TYPE",
          ('The "options.signal" property must be an instance of AbortSignal. '
          .. "Received %s"):format(c[2]))
      end
      check(raised(validate.abortSignal, 1, "s"), "TypeError", "ERR_INVALID_ARG_TYPE",
        'The "s" argument must be an instance of AbortSignal. Received type number (1)')
    end)
  end)

  describe("int32", function()
    it("is Node's isInt32", function()
      local cases = {
        { 0, true }, { NEG_ZERO, true }, { 2 ^ 31 - 1, true }, { 2147483647, true },
        { 2 ^ 31, false }, { -(2 ^ 31), true }, { -(2 ^ 31) - 1, false },
        { 1.5, false }, { 0 / 0, false }, { "1", false }, { 1 / 0, false },
        { nil, false }, { math.maxinteger or 2 ^ 63, false },
      }
      for _, c in ipairs(cases) do
        assert.are.equal(c[2], validate.int32(c[1]))
      end
    end)
  end)
end)
