-- EventEmitter with the semantics of Node's `node:events`; the base of Socket.
--
-- Storage: `_events[name]` holds one listener as a bare value (a function or
-- a once-wrapper) and two or more as an array. A stored array is never
-- changed: adding or removing stores a fresh copy. So `emit` walks the array
-- it read without copying it (Node copies per emit), and listeners added or
-- removed during an emit don't affect that emit, as in Node.

local type, getmetatable, setmetatable, rawget = type, getmetatable, setmetatable, rawget
local error, select, ipairs, pairs = error, select, ipairs, pairs
local js = require "dgram.js"
local compat = require "dgram.compat"
local intkey, format = compat.intkey, compat.format

local EventEmitter = { defaultMaxListeners = 10 }
local proto = {}
EventEmitter.prototype = proto

-- Node's `events.errorMonitor` is a symbol; a unique table plays its part.
local errorMonitor = setmetatable({}, {
  __name = "Symbol",
  __tostring = function() return "Symbol(events.errorMonitor)" end,
})
EventEmitter.errorMonitor = errorMonitor

-- Raised errors come from dgram.errors, loaded on first use so this module
-- stands alone.
local function raise(ctor, ...)
  local errors = require "dgram.errors"
  error(errors[ctor](...))
end

-- A method called with `.` instead of `:` gets its first argument as self:
-- say so at the caller's line, before that argument is misread.
local function checkThis(self, method)
  if type(self) ~= "table" then raise("ERR_INVALID_THIS", "EventEmitter", "emitter", method) end
end

-- Once-wrappers are callable tables so that `.listener` can expose the
-- original function, as Node's wrapper functions do.
local Once = { __name = "OnceWrapper" }

function Once.__call(w, ...)
  if not w.fired then
    w.target:removeListener(w.type, w)
    w.fired = true
    return w.listener(...)
  end
end

-- Node's listeners live in an object, whose keys are strings: undefined and
-- NaN name events like any other value. A Lua table takes neither nil nor
-- NaN as a key, so they are stored under the names "nil" and "nan", as
-- Node stores undefined under 'undefined'.
local function eventKey(name)
  if name == nil then return "nil" end
  if name ~= name then return "nan" end
  return name
end

local function isListener(l)
  return type(l) == "function" or getmetatable(l) == Once
end

local function checkListener(l)
  if not isListener(l) then raise("ERR_INVALID_ARG_TYPE", "listener", "function", l) end
end

-- The function a caller registered, seen through a once-wrapper.
local function unwrap(l)
  if type(l) == "function" then return l end
  return l.listener
end

local function matches(l, target)
  return l == target or (type(l) ~= "function" and l.listener == target)
end

-- A stored value that is a table but no once-wrapper is an array of listeners.
local function isArray(h)
  return type(h) == "table" and getmetatable(h) ~= Once
end

-- Fresh, empty listener state (Node swaps in a new `_events` object rather
-- than emptying the old one; an emit already running keeps the old one).
local function reset(self)
  self._events = {}
  self._eventsCount = 0
  self._eventsOrder = {}   -- name -> sequence number, for eventNames()
end

-- A class that must know when the listeners of an event change (Socket
-- tells C its single 'message' listener) defines _listenersChanged(name);
-- name nil: every event.
local function changed(self, name)
  local f = self._listenersChanged
  if f ~= nil then
    f(self, name)
  end
end

function EventEmitter.init(obj)
  if rawget(obj, "_events") == nil then
    reset(obj)
    obj._eventsSeq = 0
  end
  return obj
end
local init = EventEmitter.init

local Emitter = { __index = proto, __name = "EventEmitter" }

function EventEmitter.new()
  return init(setmetatable({}, Emitter))
end


-- The emitter as Node's inspect names it at depth -1: `[EventEmitter]`,
-- `[Socket]`; classes name themselves with `__name` in their metatable.
local function className(obj)
  local mt = getmetatable(obj)
  local name = type(mt) == "table" and rawget(mt, "__name")
  return type(name) == "string" and name or "EventEmitter"
end

local function warnLeak(self, name, count, max)
  io.stderr:write(format("(lua) MaxListenersExceededWarning: Possible EventEmitter"
    .. " memory leak detected. %d %s listeners added to [%s]. MaxListeners is %s."
    .. " Use emitter.setMaxListeners() to increase limit\n",
    count, js.string(name), className(self), js.string(max)))
end

local function addListener(self, name, listener, prepend)
  checkListener(listener)
  local events = self._events
  if events == nil then
    init(self)
    events = self._events
  end
  if events.newListener ~= nil then
    self:emit("newListener", name, unwrap(listener))
    events = self._events   -- a 'newListener' listener may have reset it
  end
  name = eventKey(name)
  local existing = events[name]
  if existing == nil then
    events[name] = listener
    self._eventsCount = self._eventsCount + 1
    local seq = (self._eventsSeq or 0) + 1
    self._eventsSeq = seq
    self._eventsOrder[name] = seq
    changed(self, name)
    return self
  end
  local list
  if isArray(existing) then
    local n = #existing
    list = {}
    local shift = prepend and 1 or 0
    for i = 1, n do list[i + shift] = existing[i] end
    list[prepend and 1 or n + 1] = listener
    -- Node keeps the warned flag on the array for as long as it lives.
    if existing.warned then list.warned = true end
  elseif prepend then
    list = { listener, existing }
  else
    list = { existing, listener }
  end
  events[name] = list
  changed(self, name)
  local max = self._maxListeners
  if max == nil then max = EventEmitter.defaultMaxListeners end
  if max > 0 and #list > max and not list.warned then
    list.warned = true
    warnLeak(self, name, #list, max)
  end
  return self
end

function proto:addListener(name, listener)
  checkThis(self, "addListener")
  return addListener(self, name, listener, false)
end

function proto:on(name, listener)
  checkThis(self, "on")
  return addListener(self, name, listener, false)
end

function proto:prependListener(name, listener)
  checkThis(self, "prependListener")
  return addListener(self, name, listener, true)
end

local function onceWrap(self, name, listener)
  return setmetatable({ fired = false, target = self, type = name, listener = listener }, Once)
end

function proto:once(name, listener)
  checkThis(self, "once")
  checkListener(listener)
  return self:on(name, onceWrap(self, name, listener))
end

function proto:prependOnceListener(name, listener)
  checkThis(self, "prependOnceListener")
  checkListener(listener)
  return self:prependListener(name, onceWrap(self, name, listener))
end

local function removeListener(self, name, listener)
  checkListener(listener)
  local events = self._events
  if events == nil then return self end
  name = eventKey(name)
  local list = events[name]
  if list == nil then return self end

  if list == listener or (getmetatable(list) == Once and list.listener == listener) then
    local count = self._eventsCount - 1
    if count == 0 then
      -- No listener left at all, so nobody to tell either.
      reset(self)
      changed(self, name)
    else
      self._eventsCount = count
      events[name] = nil
      self._eventsOrder[name] = nil
      changed(self, name)
      if events.removeListener ~= nil then
        self:emit("removeListener", name, unwrap(list))
      end
    end
  elseif isArray(list) then
    -- The last-added match goes first.
    local n, pos = #list, nil
    for i = n, 1, -1 do
      if matches(list[i], listener) then
        pos = i
        break
      end
    end
    if pos == nil then return self end
    if n == 2 then
      events[name] = list[3 - pos]
    else
      local copy = {}
      for i = 1, pos - 1 do copy[i] = list[i] end
      for i = pos + 1, n do copy[i - 1] = list[i] end
      if list.warned then copy.warned = true end
      events[name] = copy
    end
    changed(self, name)
    if events.removeListener ~= nil then
      -- Node passes the argument here, not the unwrapped listener: a once
      -- listener firing among others reports its wrapper.
      self:emit("removeListener", name, listener)
    end
  end
  return self
end

function proto:removeListener(name, listener)
  checkThis(self, "removeListener")
  return removeListener(self, name, listener)
end

function proto:off(name, listener)
  checkThis(self, "off")
  return removeListener(self, name, listener)
end

-- With no argument every event is cleared; an explicit nil names the event
-- stored as "nil" (Node's `undefined` is a name too).
function proto:removeAllListeners(...)
  checkThis(self, "removeAllListeners")
  local events = self._events
  if events == nil then return self end
  local all = select("#", ...) == 0
  local name = eventKey((...))

  if events.removeListener == nil then
    if all then
      reset(self)
      changed(self, nil)
    elseif events[name] ~= nil then
      local count = self._eventsCount - 1
      if count == 0 then
        reset(self)
      else
        self._eventsCount = count
        events[name] = nil
        self._eventsOrder[name] = nil
      end
      changed(self, name)
    end
    return self
  end

  -- Someone listens for 'removeListener': remove one by one so it hears of
  -- each, and remove its own listeners last.
  if all then
    for _, key in ipairs(self:eventNames()) do
      if key ~= "removeListener" then self:removeAllListeners(key) end
    end
    self:removeAllListeners("removeListener")
    reset(self)
    changed(self, nil)
    return self
  end

  local h = events[name]
  if isArray(h) then
    for i = #h, 1, -1 do self:removeListener(name, h[i]) end
  elseif h ~= nil then
    self:removeListener(name, h)
  end
  return self
end

-- Node raises an Error argument as is and wraps anything else, plain
-- objects included; here an error object is a table that prints (its
-- metatable has __tostring, as dgram.Error has): any other value would end
-- a script with "(error object is a table value)".
local function unhandled(v)
  local mt = type(v) == "table" and getmetatable(v)
  if type(mt) == "table" and mt.__tostring ~= nil then error(v) end
  -- dgram.errors inspects v as Node does and keeps it as `context`.
  error(require("dgram.errors").ERR_UNHANDLED_ERROR(v))
end

local EMPTY = {}

-- The hot path: one listener is called straight, with no table or vararg
-- packing; an array is walked as stored (see the note at the top).
function proto:emit(name, ...)
  if type(self) ~= "table" then checkThis(self, "emit") end
  local events = self._events or EMPTY
  if name == "error" then
    if events[errorMonitor] ~= nil then self:emit(errorMonitor, ...) end
    if events.error == nil then unhandled((...)) end
  end
  local h = events[name]
  if h == nil then
    -- Off the hot path: a nil or NaN name is stored under its key.
    if name == nil or name ~= name then return self:emit(eventKey(name), ...) end
    return false
  end
  if type(h) == "function" or getmetatable(h) == Once then
    h(...)
  else
    for i = 1, #h do h[i](...) end
  end
  return true
end

function proto:listeners(name)
  checkThis(self, "listeners")
  local h = self._events and self._events[eventKey(name)]
  if h == nil then return {} end
  if not isArray(h) then return { unwrap(h) } end
  local out = {}
  for i = 1, #h do out[i] = unwrap(h[i]) end
  return out
end

function proto:rawListeners(name)
  checkThis(self, "rawListeners")
  local h = self._events and self._events[eventKey(name)]
  if h == nil then return {} end
  if not isArray(h) then return { h } end
  local out = {}
  for i = 1, #h do out[i] = h[i] end
  return out
end

function proto:listenerCount(name, listener)
  checkThis(self, "listenerCount")
  local h = self._events and self._events[eventKey(name)]
  if h == nil then return 0 end
  if not isArray(h) then
    if listener ~= nil then return matches(h, listener) and 1 or 0 end
    return 1
  end
  if listener == nil then return #h end
  local n = 0
  for i = 1, #h do
    if matches(h[i], listener) then n = n + 1 end
  end
  return n
end

-- Node lists own property keys: integer keys ascending, then strings in
-- insertion order, then symbols; here other numbers go with the strings and
-- any other value (such as errorMonitor) with the symbols.
local function keyClass(k)
  if intkey(k) and k >= 0 then return 0 end
  local t = type(k)
  if t == "string" or t == "number" then return 1 end
  return 2
end

function proto:eventNames()
  checkThis(self, "eventNames")
  local events, order = self._events, self._eventsOrder
  local names = {}
  if events == nil then return names end
  for k in pairs(events) do names[#names + 1] = k end
  table.sort(names, function(a, b)
    local ca, cb = keyClass(a), keyClass(b)
    if ca ~= cb then return ca < cb end
    if ca == 0 then return a < b end
    return order[a] < order[b]
  end)
  return names
end

function proto:setMaxListeners(n)
  checkThis(self, "setMaxListeners")
  if type(n) ~= "number" then raise("ERR_INVALID_ARG_TYPE", "setMaxListeners", "number", n) end
  if n < 0 or n ~= n then raise("ERR_OUT_OF_RANGE", "setMaxListeners", ">= 0", n) end
  self._maxListeners = n
  return self
end

function proto:getMaxListeners()
  checkThis(self, "getMaxListeners")
  local n = self._maxListeners
  if n == nil then return EventEmitter.defaultMaxListeners end
  return n
end

return EventEmitter
