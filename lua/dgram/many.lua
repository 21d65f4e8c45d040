-- Socket:sendMany, batch I/O beyond Node (API.md "Batch I/O"): a list of
-- datagrams to one destination, in order, through core.udp_send_many
-- (segmentation offload where sizes allow, else sendmmsg). Validation,
-- the implicit bind, the queue while binding, the look-up and the errors
-- are send()'s; the callback gets (err, count), count the datagrams that
-- left.
local core = require "dgram.core"
local errors = require "dgram.errors"
local js = require "dgram.js"
local validate = require "dgram.validate"
local timers = require "dgram.timers"

local nextTick = timers.nextTick
local truthy = js.truthy

local M = {}

-- A fresh list of the strings (the caller may change theirs while the
-- send waits for a bind or a look-up).
local function copyList(list)
  if type(list) ~= "table" or getmetatable(list) ~= nil then
    error(errors.ERR_INVALID_ARG_TYPE("list", { "Array" }, list), 3)
  end
  local copy = {}
  for i = 1, #list do
    local s = list[i]
    if type(s) ~= "string" then
      error(errors.ERR_INVALID_ARG_TYPE("list[" .. i .. "]", "string", s), 3)
    end
    copy[i] = s
  end
  return copy
end

-- install(Socket, internals): adds Socket:sendMany. internals are
-- socket.lua's: sendWhenReady(self, st, method, deliver, payload, port,
-- address, callback), goesAhead(ex, self, callback, ...) and
-- isConnected(st).
function M.install(Socket, internals)

  -- done(status, count) for a list whose tail waited in libuv's queue.
  local function manyDone(callback, address, port)
    return function(status, count)
      if status < 0 then
        callback(errors.hostport(status, "send", address, port), count)
      else
        callback(nil, count)
      end
    end
  end

  local function doSendMany(ex, self, ip, list, address, port, callback)
    if not internals.goesAhead(ex, self, callback, 0) then
      return
    end
    local st = self._state
    -- count + 1 all sent now, 0 queued (done calls back), or nil, status,
    -- count. Without a callback errors vanish, as send()'s do.
    local r, status, count = core.udp_send_many(st.handle, list, ip, port,
      callback and manyDone(callback, address, port))
    if callback and r ~= 0 then
      if r == nil then
        nextTick(callback, errors.hostport(status, "send", address, port), count)
      else
        nextTick(callback, nil, r - 1)
      end
    end
  end

  -- The forms, as send()'s without offset and length:
  --   not connected: sendMany(list, port[, address][, callback])
  --   connected:     sendMany(list[, callback])
  function Socket:sendMany(list, port, address, callback)
    local st = validate.socket(self, "sendMany")
    list = copyList(list)
    if internals.isConnected(st) then
      if type(port) == "function" then
        callback, port = port, nil
      end
      if truthy(port) or truthy(address) then
        error(errors.ERR_SOCKET_DGRAM_IS_CONNECTED(), 2)
      end
    else
      port = validate.port(port, "Port", false)
      if type(address) == "function" then
        callback, address = address, nil
      elseif address ~= nil then
        validate.string(address, "address")
      end
    end
    if type(callback) ~= "function" then
      callback = nil
    end
    internals.sendWhenReady(self, st, "sendMany", doSendMany, list, port, address, callback)
  end
end

return M
