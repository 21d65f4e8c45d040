-- AbortController and AbortSignal, enough of the web API for the `signal`
-- option: signal.aborted, signal.reason, the 'abort' event, c:abort(reason).
local EventEmitter = require "dgram.events"
local errors = require "dgram.errors"
local timers = require "dgram.timers"
local validate = require "dgram.validate"

local M = {}

local AbortSignal = setmetatable({}, { __index = EventEmitter.prototype })
AbortSignal.__index = AbortSignal
AbortSignal.__name = "AbortSignal"

local AbortController = {}
AbortController.__index = AbortController
AbortController.__name = "AbortController"

local function newSignal()
  local s = EventEmitter.init(setmetatable({}, AbortSignal))
  s.aborted = false
  return s
end

function AbortSignal:throwIfAborted()
  if self.aborted then
    error(self.reason, 0) -- as is, as Node throws it
  end
end

function M.AbortController()
  return setmetatable({ signal = newSignal() }, AbortController)
end

-- Aborting twice is a no-op, as in Node. Without a reason the signal gets
-- Node's AbortError.
function AbortController:abort(reason)
  local s = self.signal
  if s.aborted then
    return
  end
  if reason == nil then
    reason = errors.new("AbortError", "ABORT_ERR", "This operation was aborted")
  end
  s.aborted = true
  s.reason = reason
  s:emit("abort")
end

M.AbortSignal = AbortSignal

-- AbortSignal.timeout(ms): aborts after ms with Node's TimeoutError (a
-- DOMException: code 23); its timer does not keep the loop alive.
function M.timeout(ms)
  validate.uint32(ms, "delay")
  local c = M.AbortController()
  timers.setTimeout(function()
    c:abort(errors.new("TimeoutError", 23, "The operation was aborted due to timeout"))
  end, ms):unref()
  return c.signal
end

return M
