-- errors_spec: every constructor of dgram.errors, field by field, with the
-- values inside their messages (how each value renders alone is in
-- js_spec.lua). Each expected text was produced by Node 20
-- (node --expose-internals, lib/internal/errors.js) for the same input.

-- Before the C core is built, a stand-in carries libuv's names and texts
-- (uv.h UV_ERRNO_MAP, Linux numbers) for the few codes used here.
if not package.searchpath("dgram.core", package.cpath) then
  local KNOWN = {
    EADDRINUSE = { -98, "address already in use" },
    EADDRNOTAVAIL = { -99, "address not available" },
    EBADF = { -9, "bad file descriptor" },
    EINVAL = { -22, "invalid argument" },
    EMSGSIZE = { -90, "message too long" },
    EAI_AGAIN = { -3001, "temporary failure" },
    EAI_NODATA = { -3007, "no address" },
    EAI_NONAME = { -3008, "unknown node or service" },
    UNKNOWN = { -4094, "unknown error" },
  }
  package.preload["dgram.core"] = function()
    local errno, byvalue = {}, {}
    for name, v in pairs(KNOWN) do
      errno[name], byvalue[v[1]] = v[1], { name, v[2] }
    end
    return {
      errno = errno,
      errname = function(e) return byvalue[e] and byvalue[e][1] or "UNKNOWN" end,
      strerror = function(e) return byvalue[e] and byvalue[e][2] or "unknown error" end,
    }
  end
end

local errors = require "dgram.errors"
local UV = require("dgram.core").errno
-- Lua 5.1 reads the literal NEG_ZERO as 0 (one zero in its constant table).
local NEG_ZERO = -tonumber("0.0")

-- name, code, message and tostring, all at once
local function check(e, name, code, message, printed)
  assert.is_true(errors.is(e))
  assert.are.equal(errors.Error, getmetatable(e))
  assert.are.equal(name, e.name)
  assert.are.equal(code, e.code)
  assert.are.equal(message, e.message)
  assert.are.equal(printed or ("%s [%s]: %s"):format(name, code, message), tostring(e))
end

describe("dgram.errors", function()
  describe("the Error metatable", function()
    it("is named dgram.Error", function()
      assert.are.equal("dgram.Error", errors.Error.__name)
    end)

    it("new() makes a plain table with the three fields and the stack", function()
      local e = errors.new("TypeError", "ERR_X", "bad")
      check(e, "TypeError", "ERR_X", "bad", "TypeError [ERR_X]: bad")
      local n = 0
      for _ in pairs(e) do n = n + 1 end
      assert.are.equal(4, n)
      assert.are.equal("string", type(e.stack))
    end)

    it("is() tells error objects from anything else", function()
      assert.is_true(errors.is(errors.new("Error", "E", "m")))
      assert.is_false(errors.is({ name = "Error", code = "E", message = "m" }))
      assert.is_false(errors.is("Error: m"))
      assert.is_false(errors.is(nil))
      assert.is_false(errors.is(setmetatable({}, { __name = "dgram.Error" })))
    end)

    it("prints other codes as Error.prototype.toString does", function()
      assert.are.equal("Error: bind EADDRINUSE",
        tostring(errors.new("Error", "EADDRINUSE", "bind EADDRINUSE")))
      -- new Error('x') with name '' prints 'x'; new Error('') prints 'Error'
      assert.are.equal("x", tostring(errors.new("", "EFOO", "x")))
      assert.are.equal("Error", tostring(errors.new("Error", "EFOO", "")))
    end)
  end)

  describe("ERR_* without arguments", function()
    local cases = {
      { "ERR_SOCKET_BAD_TYPE", "TypeError",
        "Bad socket type specified. Valid types are: udp4, udp6" },
      { "ERR_SOCKET_ALREADY_BOUND", "Error", "Socket is already bound" },
      { "ERR_SOCKET_DGRAM_IS_CONNECTED", "Error", "Already connected" },
      { "ERR_SOCKET_DGRAM_NOT_CONNECTED", "Error", "Not connected" },
      { "ERR_SOCKET_DGRAM_NOT_RUNNING", "Error", "Not running" },
      { "ERR_SOCKET_BAD_BUFFER_SIZE", "TypeError",
        "Buffer size must be a positive integer" },
    }
    for _, c in ipairs(cases) do
      it(c[1], function()
        check(errors[c[1]](), c[2], c[1], c[3])
      end)
    end

    it("returns a new object each time", function()
      assert.are_not.equal(errors.ERR_SOCKET_DGRAM_NOT_RUNNING(),
        errors.ERR_SOCKET_DGRAM_NOT_RUNNING())
    end)
  end)

  describe("ERR_INVALID_ARG_TYPE", function()
    local BUF = { "string", "Buffer", "TypedArray", "DataView" }
    local cases = {
      { "buffer", BUF, 23, 'The "buffer" argument must be of type string or an '
        .. "instance of Buffer, TypedArray, or DataView. Received type number (23)" },
      { "buffer", BUF, nil, 'The "buffer" argument must be of type string or an '
        .. "instance of Buffer, TypedArray, or DataView. Received undefined" },
      { "buffer list arguments", BUF, { 1 }, 'The "buffer list arguments" argument '
        .. "must be of type string or an instance of Buffer, TypedArray, or "
        .. "DataView. Received an instance of Array" },
      { "address", "string", 0,
        'The "address" argument must be of type string. Received type number (0)' },
      { "address", "string", true, 'The "address" argument must be of type '
        .. "string. Received type boolean (true)" },
      { "address", "string", { a = 1 }, 'The "address" argument must be of type '
        .. "string. Received an instance of Object" },
      { "ttl", "number", "foo",
        "The \"ttl\" argument must be of type number. Received type string ('foo')" },
      { "lookup", { "function" }, nil,
        'The "lookup" argument must be of type function. Received undefined' },
      { "lookup", "Function", 1,
        'The "lookup" argument must be of type function. Received type number (1)' },
      { "options.recvBufferSize", "number", "invalid", 'The "options.recvBufferSize" '
        .. "property must be of type number. Received type string ('invalid')" },
      { "options.signal", { "AbortSignal" }, {}, 'The "options.signal" property '
        .. "must be an instance of AbortSignal. Received an instance of Object" },
      -- a name ending in ' argument' is used as it is
      { "first argument", "number", "x",
        "The first argument must be of type number. Received type string ('x')" },
      { "a.b argument", "number", "x",
        "The a.b argument must be of type number. Received type string ('x')" },
      -- the grouping rules
      { "x", { "string", "number" }, 1, 'The "x" argument must be one of type '
        .. "string or number. Received type number (1)" },
      { "x", { "string", "number", "boolean" }, 1, 'The "x" argument must be one '
        .. "of type string, number, or boolean. Received type number (1)" },
      { "x", { "Buffer", "Foo" }, 1, 'The "x" argument must be an instance of '
        .. "Buffer or Foo. Received type number (1)" },
      { "x", { "string", "number", "Buffer" }, 1, 'The "x" argument must be one '
        .. "of type string or number or an instance of Buffer. Received type "
        .. "number (1)" },
      { "x", { "Object" }, 1,
        'The "x" argument must be of type object. Received type number (1)' },
      { "x", { "null" }, 1, 'The "x" argument must be null. Received type number (1)' },
      { "x", { "a thing", "other thing" }, 1, 'The "x" argument must be one of '
        .. "a thing or other thing. Received type number (1)" },
      { "x", { "a thing", "b thing", "c thing" }, 1, 'The "x" argument must be '
        .. "one of a thing, b thing, or c thing. Received type number (1)" },
      { "x", { "string", "Buffer", "a thing", "b thing" }, 1, 'The "x" argument '
        .. "must be of type string or an instance of Buffer or one of a thing or "
        .. "b thing. Received type number (1)" },
      { "x", { "string", "net.BlockList" }, "x", 'The "x" argument must be of '
        .. "type string or an net.BlockList. Received type string ('x')" },
    }
    for i, c in ipairs(cases) do
      it(("case %d: %s"):format(i, c[4]:sub(1, 60)), function()
        check(errors.ERR_INVALID_ARG_TYPE(c[1], c[2], c[3]), "TypeError",
          "ERR_INVALID_ARG_TYPE", c[4])
      end)
    end
  end)

  describe("ERR_OUT_OF_RANGE", function()
    local R = ">= 0 && <= 4294967295"
    local cases = {
      { "an integer", 1.5, "1.5" },
      { R, -1, "-1" },
      { R, 4294967296, "4294967296" },          -- 2^32 itself: no separators
      { R, 2 ^ 53, "9_007_199_254_740_992" },
      { R, -(2 ^ 33), "-8_589_934_592" },
      { R, -4294967297, "-4_294_967_297" },
      { R, 1e20, "100_000_000_000_000_000_000" },
      { R, 1e21, "1e_+21" },                     -- String(1e21), then separated
      { R, 1.7976931348623157e308, "1._797_693_134_862_315_7e+_308" },
      { "an integer", 1 / 0, "Infinity" },
      { "an integer", 0 / 0, "NaN" },
      { R, NEG_ZERO, "-0" },
      { R, 0.1 + 0.2, "0.30000000000000004" },
      { R, 1.5e-7, "1.5e-7" },
      { R, "it's", "\"it's\"" },
      { R, nil, "undefined" },
      { R, true, "true" },
    }
    for _, c in ipairs(cases) do
      it("renders " .. c[3], function()
        local msg = ('The value of "options.recvBufferSize" is out of range. '
          .. "It must be %s. Received %s"):format(c[1], c[3])
        check(errors.ERR_OUT_OF_RANGE("options.recvBufferSize", c[1], c[2]),
          "RangeError", "ERR_OUT_OF_RANGE", msg)
      end)
    end
  end)

  describe("ERR_SOCKET_BAD_PORT", function()
    it("defaults to 'Port' and allowZero = true", function()
      check(errors.ERR_SOCKET_BAD_PORT("x"), "RangeError", "ERR_SOCKET_BAD_PORT",
        "Port should be >= 0 and < 65536. Received type string ('x').")
    end)

    it("says '>' when zero is not allowed", function()
      local cases = {
        { 0, "type number (0)" }, { nil, "undefined" }, { 78960, "type number (78960)" },
        { NEG_ZERO, "type number (-0)" }, { 1.5, "type number (1.5)" },
        { 0 / 0, "type number (NaN)" }, { "abc", "type string ('abc')" },
        { {}, "an instance of Object" }, { { 1 }, "an instance of Array" },
      }
      for _, c in ipairs(cases) do
        check(errors.ERR_SOCKET_BAD_PORT(c[1], "Port", false), "RangeError",
          "ERR_SOCKET_BAD_PORT",
          ("Port should be > 0 and < 65536. Received %s."):format(c[2]))
      end
    end)

    it("takes another name", function()
      assert.are.equal("Foo should be >= 0 and < 65536. Received undefined.",
        errors.ERR_SOCKET_BAD_PORT(nil, "Foo").message)
    end)
  end)

  describe("ERR_SOCKET_BUFFER_SIZE", function()
    it("is a SystemError with info, errno and syscall", function()
      local e = errors.ERR_SOCKET_BUFFER_SIZE(UV.EBADF, "uv_recv_buffer_size")
      check(e, "SystemError", "ERR_SOCKET_BUFFER_SIZE", "Could not get or set "
        .. "buffer size: uv_recv_buffer_size returned EBADF (bad file descriptor)")
      assert.are.same({ errno = UV.EBADF, code = "EBADF",
        message = "bad file descriptor", syscall = "uv_recv_buffer_size" }, e.info)
      assert.are.equal(UV.EBADF, e.errno)
      assert.are.equal("uv_recv_buffer_size", e.syscall)
    end)

    it("names the send side and other codes", function()
      local e = errors.ERR_SOCKET_BUFFER_SIZE(UV.EINVAL, "uv_send_buffer_size")
      assert.are.equal("SystemError [ERR_SOCKET_BUFFER_SIZE]: Could not get or "
        .. "set buffer size: uv_send_buffer_size returned EINVAL (invalid argument)",
        tostring(e))
      assert.are.equal("EINVAL", e.info.code)
    end)
  end)

  describe("ERR_MISSING_ARGS", function()
    it("words one, two, three and more names", function()
      local E = errors.ERR_MISSING_ARGS
      check(E("multicastAddress"), "TypeError", "ERR_MISSING_ARGS",
        'The "multicastAddress" argument must be specified')
      assert.are.equal('The "a" and "b" arguments must be specified', E("a", "b").message)
      assert.are.equal('The "a", "b", and "c" arguments must be specified',
        E("a", "b", "c").message)
      assert.are.equal('The "a", "b", "c", and "d" arguments must be specified',
        E("a", "b", "c", "d").message)
    end)

    it("joins alternatives with 'or'", function()
      assert.are.equal('The "a" or "b" and "c" arguments must be specified',
        errors.ERR_MISSING_ARGS({ "a", "b" }, "c").message)
      assert.are.equal('The "a" or "b" or "c" argument must be specified',
        errors.ERR_MISSING_ARGS({ "a", "b", "c" }).message)
    end)
  end)

  describe("other ERR_* codes", function()
    it("ERR_BUFFER_OUT_OF_BOUNDS", function()
      check(errors.ERR_BUFFER_OUT_OF_BOUNDS("offset"), "RangeError",
        "ERR_BUFFER_OUT_OF_BOUNDS", '"offset" is outside of buffer bounds')
      assert.are.equal('"length" is outside of buffer bounds',
        errors.ERR_BUFFER_OUT_OF_BOUNDS("length").message)
      assert.are.equal("Attempt to access memory outside buffer bounds",
        errors.ERR_BUFFER_OUT_OF_BOUNDS().message)
    end)

    it("ERR_INVALID_FD_TYPE", function()
      check(errors.ERR_INVALID_FD_TYPE("TCP"), "TypeError", "ERR_INVALID_FD_TYPE",
        "Unsupported fd type: TCP")
    end)

    it("ERR_UNHANDLED_ERROR inspects the value as emit('error', v) does", function()
      local cases = {
        { nil, "undefined" }, { "foo", "'foo'" }, { "it's", "\"it's\"" },
        { "a\"b'c", "`a\"b'c`" }, { 42, "42" }, { 1.5, "1.5" }, { NEG_ZERO, "-0" },
        { 0 / 0, "NaN" }, { true, "true" }, { { 1, 2 }, "[ 1, 2 ]" },
        { { a = 1 }, "{ a: 1 }" }, { {}, "{}" },
        { function() end, "[Function (anonymous)]" },
      }
      for _, c in ipairs(cases) do
        local e = errors.ERR_UNHANDLED_ERROR(c[1])
        check(e, "Error", "ERR_UNHANDLED_ERROR", ("Unhandled error. (%s)"):format(c[2]))
        if c[1] ~= c[1] then
          assert.is_true(e.context ~= e.context)   -- NaN
        else
          assert.are.equal(c[1], e.context)
        end
      end
    end)

    it("ERR_INVALID_ARG_VALUE", function()
      check(errors.ERR_INVALID_ARG_VALUE("x", 5), "TypeError",
        "ERR_INVALID_ARG_VALUE", "The argument 'x' is invalid. Received 5")
      assert.are.equal("The property 'a.b' must be nice. Received 'foo'",
        errors.ERR_INVALID_ARG_VALUE("a.b", "foo", "must be nice").message)
      assert.are.equal("The argument 'x' is invalid. Received undefined",
        errors.ERR_INVALID_ARG_VALUE("x", nil).message)
      -- the inspected value is cut at 128 characters
      assert.are.equal("The argument 'x' is invalid. Received '"
        .. ("y"):rep(127) .. "...",
        errors.ERR_INVALID_ARG_VALUE("x", ("y"):rep(200)).message)
    end)
  end)

  describe("errno (ErrnoException)", function()
    it("carries errno, code and syscall", function()
      local e = errors.errno(UV.EBADF, "setTTL")
      check(e, "Error", "EBADF", "setTTL EBADF", "Error: setTTL EBADF")
      assert.are.equal(UV.EBADF, e.errno)
      assert.are.equal("setTTL", e.syscall)
      assert.is_nil(e.address)
      assert.is_nil(e.port)
    end)

    it("names codes it does not know UNKNOWN", function()
      check(errors.errno(UV.UNKNOWN, "send"), "Error", "UNKNOWN", "send UNKNOWN",
        "Error: send UNKNOWN")
      -- Node 20 would say 'Unknown system error -99999': a decision of ours
      assert.are.equal("getsockname UNKNOWN", errors.errno(-99999, "getsockname").message)
    end)
  end)

  describe("hostport (ExceptionWithHostPort)", function()
    local H = errors.hostport

    it("adds address:port for a positive port", function()
      local e = H(UV.EADDRINUSE, "bind", "0.0.0.0", 41234)
      check(e, "Error", "EADDRINUSE", "bind EADDRINUSE 0.0.0.0:41234",
        "Error: bind EADDRINUSE 0.0.0.0:41234")
      assert.are.equal(UV.EADDRINUSE, e.errno)
      assert.are.equal("bind", e.syscall)
      assert.are.equal("0.0.0.0", e.address)
      assert.are.equal(41234, e.port)
    end)

    it("leaves the port out when it is 0 or missing", function()
      for _, port in ipairs({ 0, NEG_ZERO, 0 / 0 }) do
        local e = H(UV.EADDRNOTAVAIL, "bind", "1.1.1.1", port)
        assert.are.equal("bind EADDRNOTAVAIL 1.1.1.1", e.message)
        assert.are.equal("1.1.1.1", e.address)
        assert.is_nil(e.port)
      end
      assert.is_nil(H(UV.EADDRNOTAVAIL, "bind", "1.1.1.1", nil).port)
    end)

    it("keeps a truthy port that is not positive, without printing it", function()
      local e = H(UV.EADDRINUSE, "bind", "1.1.1.1", -5)
      assert.are.equal("bind EADDRINUSE 1.1.1.1", e.message)
      assert.are.equal(-5, e.port)
      e = H(UV.EADDRINUSE, "bind", "1.1.1.1", "abc")
      assert.are.equal("bind EADDRINUSE 1.1.1.1", e.message)
      assert.are.equal("abc", e.port)
    end)

    it("compares string ports as JS does", function()
      assert.are.equal("bind EADDRINUSE 1.1.1.1:1234",
        H(UV.EADDRINUSE, "bind", "1.1.1.1", "1234").message)
      assert.are.equal("bind EADDRINUSE 1.1.1.1: 0x10 ",
        H(UV.EADDRINUSE, "bind", "1.1.1.1", " 0x10 ").message)
      assert.are.equal("bind EADDRINUSE 1.1.1.1:1.5",
        H(UV.EADDRINUSE, "bind", "1.1.1.1", 1.5).message)
    end)

    it("prints a missing address as undefined beside a port", function()
      local e = H(UV.EMSGSIZE, "send", nil, 1234)
      assert.are.equal("send EMSGSIZE undefined:1234", e.message)
      assert.is_nil(e.address)
      assert.are.equal(1234, e.port)
      assert.are.equal("send EMSGSIZE :1234", H(UV.EMSGSIZE, "send", "", 1234).message)
      assert.are.equal("send EMSGSIZE ::1:5", H(UV.EMSGSIZE, "send", "::1", 5).message)
    end)

    it("prints neither when both are missing", function()
      local e = H(UV.EMSGSIZE, "send", nil, nil)
      check(e, "Error", "EMSGSIZE", "send EMSGSIZE", "Error: send EMSGSIZE")
      assert.are.equal("send EMSGSIZE", H(UV.EMSGSIZE, "send", "", 0).message)
    end)
  end)

  describe("dns (DNSException)", function()
    it("reads EAI_NONAME and EAI_NODATA as ENOTFOUND", function()
      for _, err in ipairs({ UV.EAI_NONAME, UV.EAI_NODATA }) do
        local e = errors.dns(err, "getaddrinfo", "dne.invalid")
        check(e, "Error", "ENOTFOUND", "getaddrinfo ENOTFOUND dne.invalid",
          "Error: getaddrinfo ENOTFOUND dne.invalid")
        assert.are.equal(err, e.errno)
        assert.are.equal("getaddrinfo", e.syscall)
        assert.are.equal("dne.invalid", e.hostname)
      end
    end)

    it("keeps other names", function()
      local e = errors.dns(UV.EAI_AGAIN, "getaddrinfo", "dne.invalid")
      assert.are.equal("EAI_AGAIN", e.code)
      assert.are.equal("getaddrinfo EAI_AGAIN dne.invalid", e.message)
    end)

    it("leaves an empty hostname out", function()
      for _, host in ipairs({ "", false }) do
        local e = errors.dns(UV.EAI_AGAIN, "getaddrinfo", host)
        assert.are.equal("getaddrinfo EAI_AGAIN", e.message)
        assert.is_nil(e.hostname)
      end
    end)

    it("takes a code name instead of a number", function()
      local e = errors.dns("ESOMETHING", "getaddrinfo", "x")
      check(e, "Error", "ESOMETHING", "getaddrinfo ESOMETHING x",
        "Error: getaddrinfo ESOMETHING x")
      assert.is_nil(e.errno)
    end)
  end)
end)
