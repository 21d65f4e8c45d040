-- Port of test/parallel/test-dgram-send-bad-arguments.js: send()'s argument
-- checks, on an unconnected socket and then on a connected one (port or
-- address refused, offset/length out of bounds, non-buffer messages).
--
-- Lua mapping: every Buffer, subarray, Uint8Array and DataView of Node's
-- list becomes the string of its bytes (all five bytes long, as in Node).
-- Port 12345 as in Node: connect() only records the peer, nothing is sent.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-send-bad-arguments", function()
  it("send() validation, unconnected then connected", function()
    local buf = "test"
    local host = "127.0.0.1"
    local sock = dgram.createSocket("udp4")

    local function isRangeError(fn)
      local ok, err = pcall(fn)
      assert.is_false(ok)
      assert.equal("RangeError", err.name)
    end

    local function checkArgs(connected)
      -- First argument should be a buffer.
      common.expectsError(
        function() sock:send() end,
        {
          code = "ERR_INVALID_ARG_TYPE",
          name = "TypeError",
          message = "The \"buffer\" argument must be of type string or an instance " ..
            "of Buffer, TypedArray, or DataView. Received undefined",
        }
      )

      -- send(buf, offset, length, port, host)
      if connected then
        common.expectsError(
          function() sock:send(buf, 1, 1, -1, host) end,
          {
            code = "ERR_SOCKET_DGRAM_IS_CONNECTED",
            name = "Error",
            message = "Already connected",
          }
        )

        common.expectsError(
          function() sock:send(buf, 1, 1, 0, host) end,
          {
            code = "ERR_SOCKET_DGRAM_IS_CONNECTED",
            name = "Error",
            message = "Already connected",
          }
        )

        common.expectsError(
          function() sock:send(buf, 1, 1, 65536, host) end,
          {
            code = "ERR_SOCKET_DGRAM_IS_CONNECTED",
            name = "Error",
            message = "Already connected",
          }
        )

        common.expectsError(
          function() sock:send(buf, 1234, "127.0.0.1", common.mustNotCall()) end,
          {
            code = "ERR_SOCKET_DGRAM_IS_CONNECTED",
            name = "Error",
            message = "Already connected",
          }
        )

        local inputs = {
          "hello",
          "hello", -- Buffer.from('hello')
          "hello", -- Buffer.from('hello world').subarray(0, 5)
          "o wor", -- Buffer.from('hello world').subarray(4, 9)
          "world", -- Buffer.from('hello world').subarray(6)
          "\1\2\3\4\5", -- new Uint8Array([1, 2, 3, 4, 5])
          "\1\2\3\4\5", -- new Uint8Array(longArray).subarray(0, 5)
          "\3\4\5\6\7", -- new Uint8Array(longArray).subarray(2, 7)
          "\4\5\6\7\8", -- new Uint8Array(longArray).subarray(3)
          ("\0"):rep(5), -- new DataView(new ArrayBuffer(5), 0)
          ("\0"):rep(5), -- new DataView(new ArrayBuffer(6), 1)
          ("\0"):rep(5), -- new DataView(new ArrayBuffer(7), 1, 5)
        }
        for _, input in ipairs(inputs) do
          common.expectsError(
            function() sock:send(input, 6, 0) end,
            {
              code = "ERR_BUFFER_OUT_OF_BOUNDS",
              name = "RangeError",
              message = "\"offset\" is outside of buffer bounds",
            }
          )

          common.expectsError(
            function() sock:send(input, 0, 6) end,
            {
              code = "ERR_BUFFER_OUT_OF_BOUNDS",
              name = "RangeError",
              message = "\"length\" is outside of buffer bounds",
            }
          )

          common.expectsError(
            function() sock:send(input, 3, 4) end,
            {
              code = "ERR_BUFFER_OUT_OF_BOUNDS",
              name = "RangeError",
              message = "\"length\" is outside of buffer bounds",
            }
          )
        end
      else
        isRangeError(function() sock:send(buf, 1, 1, -1, host) end)
        isRangeError(function() sock:send(buf, 1, 1, 0, host) end)
        isRangeError(function() sock:send(buf, 1, 1, 65536, host) end)
      end

      -- send(buf, port, host)
      common.expectsError(
        function() sock:send(23, 12345, host) end,
        {
          code = "ERR_INVALID_ARG_TYPE",
          name = "TypeError",
          message = "The \"buffer\" argument must be of type string or an instance " ..
            "of Buffer, TypedArray, or DataView. Received type number (23)",
        }
      )

      -- send([buf1, ..], port, host)
      common.expectsError(
        function() sock:send({ buf, 23 }, 12345, host) end,
        {
          code = "ERR_INVALID_ARG_TYPE",
          name = "TypeError",
          message = "The \"buffer list arguments\" argument must be of type string " ..
            "or an instance of Buffer, TypedArray, or DataView. " ..
            "Received an instance of Array",
        }
      )
    end

    checkArgs()
    sock:connect(12345, common.mustCall(function()
      checkArgs(true)
      sock:close()
    end))

    common.run()
  end)
end)
