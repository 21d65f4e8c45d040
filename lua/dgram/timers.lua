-- Node's timers over the loop: setTimeout/setInterval on dgram.timer
-- handles, setImmediate on the loop's check phase, and the nextTick queue,
-- drained after every callback that C makes into Lua (the invoke hook).
local core = require "dgram.core"
local compat = require "dgram.compat"
local js = require "dgram.js"
local validate = require "dgram.validate"

local M = {}

-- The nextTick queue, as parallel arrays so that a tick with up to five
-- arguments allocates nothing (every send queues one or two).
local fns, a1, a2, a3, a4, a5, packed = {}, {}, {}, {}, {}, {}, {}
local head, tail = 1, 0
local unpack, pack = compat.unpack, compat.pack
local setTicksPending = core.ticks_pending

function M.nextTick(fn, ...)
  if type(fn) ~= "function" then
    validate.func(fn, "callback")
  end
  local n = select("#", ...)
  if head > tail then
    setTicksPending(true) -- C then drains after a 'message' listener
  end
  tail = tail + 1
  fns[tail] = fn
  if n <= 5 then
    a1[tail], a2[tail], a3[tail], a4[tail], a5[tail] = ...
    packed[tail] = n
  else
    packed[tail] = pack(...)
  end
end

-- Runs queued ticks until none is left, ticks queued meanwhile included.
-- A tick that raises leaves the rest queued for the next drain.
local function drain()
  while head <= tail do
    local i = head
    local fn, n = fns[i], packed[i]
    local x, y, z, v, w = a1[i], a2[i], a3[i], a4[i], a5[i]
    fns[i], a1[i], a2[i], a3[i], a4[i], a5[i], packed[i] = nil, nil, nil, nil, nil, nil, nil
    head = i + 1
    if head > tail then
      if tail > 1024 then -- a burst of ticks: let the large arrays go
        fns, a1, a2, a3, a4, a5, packed = {}, {}, {}, {}, {}, {}, {}
      end
      head, tail = 1, 0
      setTicksPending(false)
    end
    if n == 0 then
      fn()
    elseif n == 1 then
      fn(x)
    elseif n == 2 then
      fn(x, y)
    elseif n == 3 then
      fn(x, y, z)
    elseif n == 4 then
      fn(x, y, z, v)
    elseif n == 5 then
      fn(x, y, z, v, w)
    else
      fn(unpack(n, 1, n.n))
    end
  end
end

function M.drain()
  if head <= tail then
    drain()
  end
end

function M.pending()
  return head <= tail
end

-- The hook C calls for every callback but 'message': call, then drain.
function M.invoke(fn, ...)
  fn(...)
  if head <= tail then
    drain()
  end
end

-- Timeout: setTimeout and setInterval.
local Timeout = {}
Timeout.__index = Timeout
Timeout.__name = "Timeout"

local TIMEOUT_MAX = 2147483647

-- Node coerces the delay to a number and uses 1 for anything outside
-- [1, TIMEOUT_MAX] (warning when it is too large).
local function delay(ms)
  ms = js.tonumber(ms)
  if not (ms >= 1 and ms <= TIMEOUT_MAX) then
    if ms > TIMEOUT_MAX then
      io.stderr:write(("(lua) TimeoutOverflowWarning: %s does not fit into a 32-bit signed integer.\n"
        .. "Timeout duration was set to 1.\n"):format(js.number(ms)))
    end
    return 1
  end
  return math.floor(ms)
end

local function newTimeout(fn, ms, rep, ...)
  validate.func(fn, "callback")
  local t = setmetatable({ _handle = core.timer_new(), _delay = delay(ms), _repeat = rep }, Timeout)
  local n = select("#", ...)
  local args = n > 0 and pack(...) or nil
  t._fire = function()
    if not rep then
      t._active = false
      core.timer_close(t._handle)
      t._handle = nil
    end
    if args then
      fn(unpack(args, 1, args.n))
    else
      fn()
    end
  end
  t._active = true
  core.timer_start(t._handle, t._delay, rep and t._delay or 0, t._fire)
  return t
end

function M.setTimeout(fn, ms, ...)
  return newTimeout(fn, ms, false, ...)
end

function M.setInterval(fn, ms, ...)
  return newTimeout(fn, ms, true, ...)
end

function Timeout:close()
  if self._handle then
    core.timer_close(self._handle)
    self._handle = nil
  end
  self._active = false
  return self
end

function Timeout:ref()
  if self._handle then
    core.timer_ref(self._handle, true)
  end
  self._unref = nil
  return self
end

function Timeout:unref()
  if self._handle then
    core.timer_ref(self._handle, false)
  end
  self._unref = true
  return self
end

function Timeout:hasRef()
  return not self._unref
end

-- Restarts the timer with its original delay, as Node's timeout.refresh().
function Timeout:refresh()
  if self._active then
    core.timer_start(self._handle, self._delay, self._repeat and self._delay or 0, self._fire)
  end
  return self
end

local function clearTimer(t)
  if getmetatable(t) == Timeout then
    t:close()
  end
end

M.clearTimeout = clearTimer
M.clearInterval = clearTimer
M.Timeout = Timeout

-- Immediate: setImmediate. Each check phase runs the immediates queued
-- before it started; ones queued meanwhile wait for the next iteration.
local Immediate = {}
Immediate.__index = Immediate
Immediate.__name = "Immediate"

-- queue[first..last]: an immediate leaves the queue before it runs, so one
-- that raises leaves the rest queued, in order, with nothing caught here
-- (its error keeps the traceback of where it was raised). A cleared one
-- stays in place, retired. live: immediates not yet run or cleared.
local queue, first, last, live, refed = {}, 1, 0, 0, 0

local function updateHandles()
  core.immediate_active(live > 0)
  core.immediate_ref(refed > 0)
end

function M.setImmediate(fn, ...)
  validate.func(fn, "callback")
  local n = select("#", ...)
  local im = setmetatable({ _fn = fn, _args = n > 0 and pack(...) or nil, _ref = true }, Immediate)
  last = last + 1
  queue[last] = im
  live, refed = live + 1, refed + 1
  if live == 1 or refed == 1 then
    updateHandles()
  end
  return im
end

local function retire(im)
  if im._fn then
    im._fn = nil
    live = live - 1
    if im._ref then
      refed = refed - 1
    end
  end
end

function M.clearImmediate(im)
  if getmetatable(im) == Immediate and im._fn then
    retire(im)
    updateHandles()
  end
end

function Immediate:ref()
  if self._fn and not self._ref then
    self._ref = true
    refed = refed + 1
    updateHandles()
  end
  return self
end

function Immediate:unref()
  if self._fn and self._ref then
    self._ref = false
    refed = refed - 1
    updateHandles()
  end
  return self
end

function Immediate:hasRef()
  return self._ref
end

-- The immediate hook: the batch that was queued when it started, each
-- immediate followed by the ticks it queued.
function M.runImmediates()
  local stop = last
  while first <= stop do
    local im = queue[first]
    queue[first] = nil
    first = first + 1
    local fn, args = im._fn, im._args
    if fn then
      retire(im)
      if live == 0 or refed == 0 then
        updateHandles() -- right even if this one raises
      end
      if args then
        fn(unpack(args, 1, args.n))
      else
        fn()
      end
      M.drain()
    end
  end
  if first > last then
    queue, first, last = {}, 1, 0
  end
  updateHandles()
end

return M
