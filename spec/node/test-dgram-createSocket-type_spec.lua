-- Port of test/parallel/test-dgram-createSocket-type.js: createSocket()
-- refuses every type but 'udp4' and 'udp6' (as a string or as
-- options.type) with ERR_SOCKET_BAD_TYPE; the buffer-size options are
-- applied at bind (Linux reads them back doubled); a non-number size raises
-- ERR_INVALID_ARG_TYPE. Node's `new String('udp4')` (an object wrapping the
-- string) is a table with a metatable that converts to 'udp4' here; Node's
-- null and undefined are both nil.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-createSocket-type", function()
  it("validates the type and applies the buffer sizes", function()
    local stringObject = setmetatable({}, { __tostring = function() return "udp4" end })
    local invalidTypes = {
      "test",
      { "udp4" },
      stringObject,
      1,
      {},
      true,
      false,
      nil, -- null
      nil, -- undefined
      n = 9,
    }
    local validTypes = {
      "udp4",
      "udp6",
      { type = "udp4" },
      { type = "udp6" },
    }
    local errMessage = "^Bad socket type specified%. Valid types are: udp4, udp6$"

    for i = 1, invalidTypes.n do
      local invalidType = invalidTypes[i]
      common.expectsError(function()
        dgram.createSocket(invalidType)
      end, {
        code = "ERR_SOCKET_BAD_TYPE",
        name = "TypeError",
        message = errMessage,
      })
    end

    for _, validType in ipairs(validTypes) do
      local socket = dgram.createSocket(validType)
      socket:close()
    end

    do
      local socket = dgram.createSocket({
        type = "udp4",
        recvBufferSize = 10000,
        sendBufferSize = 15000,
      })

      socket:bind(common.mustCall(function()
        -- note: linux will double the buffer size
        assert(socket:getRecvBufferSize() == 10000 or
               socket:getRecvBufferSize() == 20000,
               "SO_RCVBUF not 10000 or 20000, " ..
                 ("was %s"):format(socket:getRecvBufferSize()))
        assert(socket:getSendBufferSize() == 15000 or
               socket:getSendBufferSize() == 30000,
               "SO_SNDBUF not 15000 or 30000, " ..
                 ("was %s"):format(socket:getRecvBufferSize()))
        socket:close()
      end))
    end

    do
      for _, options in ipairs({
        { type = "udp4", recvBufferSize = "invalid" },
        { type = "udp4", sendBufferSize = "invalid" },
      }) do
        common.expectsError(function()
          dgram.createSocket(options)
        end, {
          code = "ERR_INVALID_ARG_TYPE",
        })
      end
    end
    common.run()
  end)
end)
