-- dgram: Node.js's node:dgram for Lua 5.4, on libuv. The front door:
-- createSocket, the Socket class, errors, AbortController, and the loop
-- driver with Node's timers and nextTick. See API.md for the contract.
local core = require "dgram.core"
local errors = require "dgram.errors"
local timers = require "dgram.timers"
local abort = require "dgram.abort"
local Socket = require "dgram.socket"
local host = require "dgram.host"
local coro = require "dgram.coro"

core.set_hooks {
  invoke = timers.invoke,
  message = Socket.hooks.message,
  recverror = Socket.hooks.recverror,
  immediate = timers.runImmediates,
  drain = timers.drain,
  report = host.report,
  -- What every call raises once lua_close has closed the module's state
  -- (from a finalizer that runs after the module's own).
  closed = function() return errors.ERR_SOCKET_DGRAM_NOT_RUNNING() end,
}

local M = {}

-- The release (CHANGELOG.md's newest entry, rockspec/dgram-<version>-1.rockspec).
M._VERSION = "dgram 0.1.0"

function M.createSocket(type_, listener)
  return Socket.new(type_, listener)
end

-- dgram.Socket: the class. Calling it is an error (Node 20 returns
-- undefined when its constructor is called without `new`).
M.Socket = setmetatable({}, {
  __index = Socket,
  __call = function()
    error(errors.new("TypeError", "ERR_CONSTRUCT_CALL_REQUIRED",
      "Class constructor Socket cannot be invoked without 'new': use dgram.createSocket()"), 2)
  end,
})

M.Error = errors.Error
M.AbortController = abort.AbortController
M.AbortSignal = { timeout = abort.timeout }

-- Coroutines (API.md, beyond Node).
M.spawn = coro.spawn
M.once = coro.once
M.await = coro.await
M.sleep = coro.sleep
Socket.receive = coro.receive
Socket.messages = coro.messages

local RUN_MODES = { default = true, once = true, nowait = true }

-- run([mode]): runs the loop; returns whether anything is left to do. An
-- error raised by a callback comes out of here as it was raised; calling
-- run() again carries on.
function M.run(mode)
  if mode ~= nil and not RUN_MODES[mode] then
    error(errors.ERR_INVALID_ARG_VALUE("mode", mode, "must be 'default', 'once' or 'nowait'"))
  end
  return core.run(mode) or timers.pending()
end

M.stop = core.stop
M.now = core.now
M.useLoop = host.useLoop
M.setErrorHandler = host.setErrorHandler
M.backendFd = host.backendFd
M.backendTimeout = host.backendTimeout
M.setTimeout = timers.setTimeout
M.setInterval = timers.setInterval
M.setImmediate = timers.setImmediate
M.clearTimeout = timers.clearTimeout
M.clearInterval = timers.clearInterval
M.clearImmediate = timers.clearImmediate
M.nextTick = timers.nextTick

return M
