-- Port of test/parallel/test-dgram-socket-buffer-size.js: buffer sizes on
-- an unbound socket fail with ERR_SOCKET_BUFFER_SIZE (EBADF) carrying
-- `info`; bad sizes are refused; set sizes read back doubled on Linux;
-- 2147483648 fails with EINVAL.
--
-- Node checks the util.inspect() rendering of the first error; there is
-- no util.inspect here, so the same fields are checked one by one: the
-- string form, `code`, `info` {errno, code, message, syscall}, and the
-- `errno` and `syscall` that Node exposes as getters onto `info`. The
-- errno values come from the module's table of libuv codes (Node takes
-- them from internalBinding('uv')).
local common = require "common"
local dgram = require "dgram"
local core = require "dgram.core"

local UV_EBADF, UV_EINVAL = core.errno.EBADF, core.errno.EINVAL

local function getExpectedError(type_)
  local code = "EBADF"
  local message = "bad file descriptor"
  local errno = UV_EBADF
  local syscall = ("uv_%s_buffer_size"):format(type_)
  local suffix = "EBADF (bad file descriptor)"
  local err = {
    code = "ERR_SOCKET_BUFFER_SIZE",
    name = "SystemError",
    message = ("Could not get or set buffer size: %s returned %s"):format(syscall, suffix),
    info = {
      code = code,
      message = message,
      errno = errno,
      syscall = syscall,
    },
  }
  return err
end

-- assert.throws(fn, errorObj): every field of errorObj, `info` compared
-- field by field as Node's deep comparison does.
local function throwsLike(fn, expected)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error, none was raised")
  assert.equal("table", type(err))
  for k, v in pairs(expected) do
    if k == "info" then
      assert.same(v, err.info)
    elseif k == "message" and v:sub(1, 1) == "^" then
      assert.truthy(err.message:match(v))
    else
      assert.equal(v, err[k])
    end
  end
  return err
end

describe("test-dgram-socket-buffer-size", function()
  it("buffer sizes on unbound sockets, bad sizes, set/get, EINVAL", function()
    do
      -- Should throw error if the socket is never bound.
      local errorObj = getExpectedError("send")

      local socket = dgram.createSocket("udp4")

      local err = throwsLike(function()
        socket:setSendBufferSize(8192)
      end, errorObj)
      -- What Node reads from util.inspect(err):
      assert.equal("SystemError [ERR_SOCKET_BUFFER_SIZE]: " .. errorObj.message, tostring(err))
      assert.equal("ERR_SOCKET_BUFFER_SIZE", err.code)
      assert.same({
        errno = errorObj.info.errno,
        code = errorObj.info.code,
        message = errorObj.info.message,
        syscall = errorObj.info.syscall,
      }, err.info)
      assert.equal(errorObj.info.errno, err.errno)
      assert.equal(errorObj.info.syscall, err.syscall)

      throwsLike(function()
        socket:getSendBufferSize()
      end, errorObj)
    end

    do
      local socket = dgram.createSocket("udp4")

      -- Should throw error if the socket is never bound.
      local errorObj = getExpectedError("recv")

      throwsLike(function()
        socket:setRecvBufferSize(8192)
      end, errorObj)

      throwsLike(function()
        socket:getRecvBufferSize()
      end, errorObj)
    end

    do
      -- Should throw error if invalid buffer size is specified
      local errorObj = {
        code = "ERR_SOCKET_BAD_BUFFER_SIZE",
        name = "TypeError",
        message = "^Buffer size must be a positive integer$",
      }

      local badBufferSizes = { -1, math.huge, "Doh!" }

      local socket = dgram.createSocket("udp4")

      socket:bind(common.mustCall(function()
        for _, badBufferSize in ipairs(badBufferSizes) do
          throwsLike(function()
            socket:setRecvBufferSize(badBufferSize)
          end, errorObj)
          throwsLike(function()
            socket:setSendBufferSize(badBufferSize)
          end, errorObj)
        end
        socket:close()
      end))
    end

    do
      -- Can set and get buffer sizes after binding the socket.
      local socket = dgram.createSocket("udp4")

      socket:bind(common.mustCall(function()
        socket:setRecvBufferSize(10000)
        socket:setSendBufferSize(10000)

        -- note: linux will double the buffer size
        local expectedBufferSize = 20000
        assert.equal(expectedBufferSize, socket:getRecvBufferSize())
        assert.equal(expectedBufferSize, socket:getSendBufferSize())
        socket:close()
      end))
    end

    do
      local info = {
        code = "EINVAL",
        message = "invalid argument",
        errno = UV_EINVAL,
        syscall = "uv_recv_buffer_size",
      }
      local errorObj = {
        code = "ERR_SOCKET_BUFFER_SIZE",
        name = "SystemError",
        message = "Could not get or set buffer size: uv_recv_buffer_size " ..
          "returned EINVAL (invalid argument)",
        info = info,
      }
      local socket = dgram.createSocket("udp4")
      socket:bind(common.mustCall(function()
        throwsLike(function()
          socket:setRecvBufferSize(2147483648)
        end, errorObj)
        socket:close()
      end))
    end

    do
      local info = {
        code = "EINVAL",
        message = "invalid argument",
        errno = UV_EINVAL,
        syscall = "uv_send_buffer_size",
      }
      local errorObj = {
        code = "ERR_SOCKET_BUFFER_SIZE",
        name = "SystemError",
        message = "Could not get or set buffer size: uv_send_buffer_size " ..
          "returned EINVAL (invalid argument)",
        info = info,
      }
      local socket = dgram.createSocket("udp4")
      socket:bind(common.mustCall(function()
        throwsLike(function()
          socket:setSendBufferSize(2147483648)
        end, errorObj)
        socket:close()
      end))
    end

    common.run()
  end)
end)
