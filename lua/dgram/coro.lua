-- dgram.coro: sequential code beside Node's callbacks (API.md, "Coroutines
-- (beyond Node)"): spawn, once, await, sleep, and the per-socket inbox
-- under sock:receive() and sock:messages(). A waiting function suspends the
-- running coroutine until done, runs the loop when called on the main
-- thread outside callbacks, and refuses inside a callback. Between a wait
-- and the caller's coroutine there is no pcall and no iterator: Lua 5.1
-- cannot yield across either.
local core = require "dgram.core"
local errors = require "dgram.errors"
local timers = require "dgram.timers"
local validate = require "dgram.validate"
local compat = require "dgram.compat"

local running, create, yield = coroutine.running, coroutine.create, coroutine.yield
local pack, unpack = compat.pack, compat.unpack
local select, type = select, type
local timer_start, timer_stop, udp_wait = core.timer_start, core.timer_stop, core.udp_wait

local M = {}

-- Datagrams an inbox holds before its socket stops reading; it reads
-- again once half of them are taken.
M.LIMIT = 1024

-- resumeWith(co, ...): resumes co; what it raises goes where a listener's
-- error goes (out of dgram.run(), or to the error handler), with co's own
-- traceback. (In C: what co yields stays where C looks for it.)
local resumeWith = core.resume

-- The caller's coroutine, or nil on the main thread outside callbacks
-- (where waiting runs the loop); inside a callback on the main thread
-- there is nothing to suspend and the loop already runs.
local function callerCoroutine(what)
  local co, main = running()
  if co ~= nil and not main then
    return co
  end
  if core.in_callback() then
    error(errors.ERR_INVALID_STATE(what .. " cannot wait inside a callback outside a coroutine;"
      .. " start one with dgram.spawn()"))
  end
  return nil
end

-- The main thread waits: runs the loop until w.done. If the loop raises
-- (a callback's error) or nothing is left that could end the wait,
-- w.cancel() takes the wait back first, so nothing arrives for it later.
local function block(w)
  w.blocking = true
  while not w.done do
    local ok, alive = pcall(core.run)
    if not ok or (not w.done and not alive and not timers.pending()) then
      w.blocking = false
      w.cancel()
      if ok then
        alive = errors.ERR_INVALID_STATE("the loop has nothing left that could end this wait")
      end
      error(alive, 0)
    end
  end
  w.blocking = false
end

-- Ends the wait w once with the values given.
local function finish(w, ...)
  if w.done then
    return
  end
  w.done = true
  w.result = pack(...)
  if w.suspended then
    resumeWith(w.co)
  elseif w.blocking then
    core.stop()
  end
end

local function cancelled(w)
  w.done = true
end

-- Waits for w, which start() armed: suspends w.co (resumes for anything
-- else are ignored), or runs the loop; then returns what ended it.
local function waitFor(w)
  if not w.done then
    if w.co then
      w.suspended = true
      repeat
        yield()
      until w.done
    else
      block(w)
    end
  end
  local r = w.result
  return unpack(r, 1, r.n)
end

-- spawn(fn, ...): runs fn(...) in a new coroutine now, up to its first
-- wait, and returns it.
function M.spawn(fn, ...)
  validate.func(fn, "fn")
  local co = create(fn)
  resumeWith(co, ...)
  return co
end

-- sleep(ms): as setTimeout's delay.
function M.sleep(ms)
  local w = { co = callerCoroutine("dgram.sleep()") }
  local t = timers.setTimeout(function()
    finish(w)
  end, ms)
  w.cancel = function()
    timers.clearTimeout(t)
    w.done = true
  end
  waitFor(w)
end

-- await(fn, ...): fn(..., callback); returns what the callback got.
function M.await(fn, ...)
  validate.func(fn, "fn")
  local w = { co = callerCoroutine("dgram.await()"), cancel = cancelled }
  local n = select("#", ...)
  local args = pack(...)
  args[n + 1] = function(...)
    finish(w, ...)
  end
  fn(unpack(args, 1, n + 1))
  return waitFor(w)
end

local function abortError(signal)
  local e = errors.new("AbortError", "ABORT_ERR", "The operation was aborted")
  e.cause = signal.reason
  return e
end

-- once(emitter, name[, options]): Node's events.once; the event's
-- arguments as values, or raises the 'error' that came first, or an
-- AbortError when options.signal aborts.
function M.once(emitter, name, options)
  if type(emitter) ~= "table" or type(emitter.once) ~= "function"
      or type(emitter.removeListener) ~= "function" then
    error(errors.ERR_INVALID_ARG_TYPE("emitter", { "EventEmitter" }, emitter))
  end
  local signal = type(options) == "table" and options.signal or nil
  validate.abortSignal(signal, "options.signal")
  local w = { co = callerCoroutine("dgram.once()") }
  if signal ~= nil and signal.aborted then
    error(abortError(signal))
  end
  local resolver, errorListener, abortListener
  resolver = function(...)
    emitter:removeListener("error", errorListener)
    if signal ~= nil then
      signal:removeListener("abort", abortListener)
    end
    finish(w, true, ...)
  end
  errorListener = function(err)
    emitter:removeListener(name, resolver)
    if signal ~= nil then
      signal:removeListener("abort", abortListener)
    end
    finish(w, false, err)
  end
  abortListener = function()
    emitter:removeListener(name, resolver)
    emitter:removeListener("error", errorListener)
    finish(w, false, abortError(signal))
  end
  w.cancel = function()
    emitter:removeListener(name, resolver)
    emitter:removeListener("error", errorListener)
    if signal ~= nil then
      signal:removeListener("abort", abortListener)
    end
    w.done = true
  end
  emitter:once(name, resolver)
  if name ~= "error" then
    emitter:once("error", errorListener)
  end
  if signal ~= nil then
    signal:once("abort", abortListener)
  end
  local r = pack(waitFor(w))
  if not r[1] then
    error(r[2], 0) -- as it was emitted
  end
  return unpack(r, 2, r.n)
end

---------------------------------------------------------------------------
-- The inbox of a socket: from its first receive() on, datagrams (and
-- 'error's) wait here in arrival order for the next receive(); at most
-- one receive() waits at a time, either a coroutine (resumed with the
-- datagram) or the main thread (a table). Its state lives in upvalues:
-- receive() in a loop is the hot path.

local function notRunning()
  return errors.ERR_SOCKET_DGRAM_NOT_RUNNING()
end

local function newInbox(sock)
  local st = sock._state
  local msgs, infos = {}, {}
  local head, tail = 1, 0
  local waiter       -- the waiting receive(): a thread, or the main thread's table
  local armed, held = false, false
  local timer
  local onMessage
  local registered -- the coroutine C resumes itself (core.udp_wait)

  -- Hands msg, rinfo (or nil, err) to the waiting receive(), which C
  -- would otherwise resume with the next datagram.
  local function handOver(a, b)
    local w = waiter
    waiter = nil
    if armed then
      armed = false
      timer_stop(timer)
    end
    if type(w) == "thread" then
      resumeWith(w, a, b)
    else
      w.msg, w.rinfo, w.done = a, b, true
      if w.blocking then
        core.stop()
      end
    end
  end

  local function push(a, b)
    tail = tail + 1
    msgs[tail], infos[tail] = a, b
    if tail - head >= M.LIMIT and not held and st.handle then
      held = true
      core.udp_hold_back(st.handle, true)
    end
  end

  -- The oldest datagram waiting (nil, err for an 'error'); reading resumes
  -- once the inbox is down to half its limit.
  local function take()
    local a, b = msgs[head], infos[head]
    msgs[head], infos[head] = nil, nil
    if head == tail then
      head, tail = 1, 0
    else
      head = head + 1
    end
    if held and tail - head < M.LIMIT / 2 then
      held = false
      if st.handle then
        core.udp_hold_back(st.handle, false)
      end
    end
    if a == false then
      return nil, b
    end
    return a, b
  end

  onMessage = function(msg, rinfo)
    if waiter == nil then
      push(msg, rinfo)
    else
      handOver(msg, rinfo)
    end
  end
  sock:on("message", onMessage)
  sock:on("error", function(err)
    if waiter == nil then
      push(false, err)
    else
      handOver(nil, err)
    end
  end)
  sock:on("close", function()
    if waiter ~= nil then
      handOver(nil, notRunning())
    end
    if timer then
      core.timer_close(timer)
    end
  end)
  local function onTimeout()
    if waiter ~= nil then
      armed = false
      handOver(nil, errors.errno(core.errno.ETIMEDOUT, "recvmsg"))
    end
  end

  -- sock:receive(timeout) once sock has its inbox: the socket itself holds
  -- this function, so the hot path of the sequential style finds it at
  -- once. Any other receiver goes to M.receive's checks.
  local function receive(self, timeout)
    if self ~= sock then
      return M.receive(self, timeout)
    end
    if timeout ~= nil then
      validate.uint32(timeout, "timeout")
    end
    -- co: the caller's coroutine, nil on the main thread outside callbacks
    local co, main = running()
    if co == nil or main then
      co = callerCoroutine("sock:receive()")
    end
    if head <= tail then
      return take()
    end
    local h = st.handle
    if h == nil then
      return nil, notRunning()
    end
    if waiter ~= nil then
      error(errors.ERR_INVALID_STATE("sock:receive() already waits on this socket"))
    end
    if timeout ~= nil then
      timer = timer or core.timer_new()
      armed = true
      timer_start(timer, timeout, 0, onTimeout)
    end
    if co then
      waiter = co
      -- The hot path: while co yields h here and the inbox is the only
      -- listener, C resumes co with each datagram, and a third value, true.
      if registered ~= co then
        registered = udp_wait(h, co, onMessage) and co
      end
      while true do
        local msg, rinfo, direct = yield(h)
        if direct then
          waiter = nil
          if armed then
            armed = false
            timer_stop(timer)
          end
          return msg, rinfo
        elseif waiter ~= co then
          return msg, rinfo
        end
      end
    end
    local w = {}
    w.cancel = function()
      if waiter == w then
        waiter = nil
        if armed then
          armed = false
          timer_stop(timer)
        end
      end
    end
    waiter = w
    block(w)
    return w.msg, w.rinfo
  end

  sock.receive = receive
  sock._queued = function()
    return tail - head + 1
  end
end

-- sock:receive([timeout_ms]) -> msg, rinfo, or nil, err: the first call on
-- a socket gives it its inbox (and its own receive).
function M.receive(sock, timeout)
  local st = validate.socket(sock, "receive")
  local own = rawget(sock, "receive")
  if own then
    return own(sock, timeout)
  end
  if timeout ~= nil then
    validate.uint32(timeout, "timeout")
  end
  callerCoroutine("sock:receive()")
  if st.handle == nil then
    return nil, notRunning()
  end
  newInbox(sock)
  return sock:receive(timeout)
end

-- How many datagrams wait in the inbox of sock (a debugging aid).
function M.queued(sock)
  return sock._queued and sock._queued() or 0
end

-- for msg, rinfo in sock:messages() do ... end: every datagram until the
-- socket closes; raises the socket's 'error'.
function M.messages(sock)
  validate.socket(sock, "messages")
  if compat.noYieldAcrossFor then
    local co, main = running()
    if co ~= nil and not main then
      error(errors.ERR_INVALID_STATE("on Lua 5.1 a generic for cannot suspend a coroutine:"
        .. " use `while true do local msg, rinfo = sock:receive() ... end`"))
    end
  end
  return function()
    local msg, rinfo = sock:receive()
    if msg ~= nil then
      return msg, rinfo
    end
    if rinfo.code == "ERR_SOCKET_DGRAM_NOT_RUNNING" then
      return nil
    end
    error(rinfo, 0)
  end
end

return M
