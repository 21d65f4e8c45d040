-- The Socket class: Node's lib/dgram.js policy over the C mechanism in
-- dgram.core. Validation in Node's order, the bind and connect state
-- machines, the queue of sends/connects/closes waiting for a bind, look-ups,
-- and the events. C returns libuv status codes; errors are built here.
local core = require "dgram.core"
local EventEmitter = require "dgram.events"
local errors = require "dgram.errors"
local js = require "dgram.js"
local compat = require "dgram.compat"
local validate = require "dgram.validate"
local timers = require "dgram.timers"

local nextTick = timers.nextTick
local udp_send = core.udp_send
local errorMonitor = EventEmitter.errorMonitor

local UNBOUND, BINDING, BOUND = 0, 1, 2
local DISCONNECTED, CONNECTING, CONNECTED = 0, 1, 2

local Socket = setmetatable({}, { __index = EventEmitter.prototype })
Socket.__index = Socket
Socket.__name = "Socket"

-- JavaScript's rules (dgram.js): truthiness, for the options and flags Node
-- tests with `if (x)`; ToUint32 (x >>> 0) and ToInt32 (x | 0); and
-- uint32value, what Node's C++ makes of a value it reads as a uint32.
local truthy, touint32, toint32, uint32value = js.truthy, js.touint32, js.toint32, js.uint32value

local defaultLookup

-- st.fast: sends of the common form may take the fast path of send(). Not
-- while a connect() is pending: Node's send then waits for its look-up, by
-- when the socket is connected and the send fails with EISCONN.
local function updateFast(st)
  local fast = st.handle ~= nil and st.bindState == BOUND and st.connectState == DISCONNECTED
    and st.lookup == defaultLookup and st.lookups == 0
  if fast ~= st.fast then
    st.fast = fast
    if st.handle then
      core.udp_set_fast(st.handle, fast)
    end
  end
end

local stateOf = validate.socket

local function healthCheck(self)
  local st = self._state
  if not st.handle then
    error(errors.ERR_SOCKET_DGRAM_NOT_RUNNING())
  end
  return st
end

-- Methods that Node leaves unchecked on a closed socket raise NOT_RUNNING
-- here (API.md); on an open one they go to the handle, bound or not.
local function handleOf(self)
  local h = self._state.handle
  if not h then
    error(errors.ERR_SOCKET_DGRAM_NOT_RUNNING())
  end
  return h
end

-- Look-ups: a custom `lookup` gets (address, family number, callback), as
-- Node calls it; the default answers IP literals on the next tick without
-- asking the resolver, and asks getaddrinfo for names.
-- net.isIP of recent addresses: a server answers the same peers again and
-- again. Bounded: dropped whole when it fills.
local ipFamilies, ipFamiliesSize = {}, 0
local function ipFamily(address)
  local fam = ipFamilies[address]
  if fam == nil then
    fam = core.isip(address)
    if #address > 64 then -- no address is that long: don't keep it
      return fam
    end
    if ipFamiliesSize >= 1024 then
      ipFamilies, ipFamiliesSize = {}, 0
    end
    ipFamilies[address] = fam
    ipFamiliesSize = ipFamiliesSize + 1
  end
  return fam
end

function defaultLookup(address, family, callback)
  if type(address) ~= "string" then
    error(errors.ERR_INVALID_ARG_TYPE("hostname", "string", address))
  end
  local fam = ipFamily(address)
  if fam ~= 0 then
    nextTick(callback, nil, address, fam)
    return
  end
  local err = core.getaddrinfo(address, family, function(status, ip, f)
    if status ~= 0 then
      callback(errors.dns(status, "getaddrinfo", address))
    else
      callback(nil, ip, f)
    end
  end)
  if err ~= 0 then
    nextTick(callback, errors.dns(err, "getaddrinfo", address))
  end
end

local DEFAULT_HOST = core.DEFAULT_HOST

local function lookup(st, address, callback)
  return st.lookup(truthy(address) and address or DEFAULT_HOST[st.family], st.family,
    function(err, ip, ...)
      -- A custom lookup may answer something else than a string: C++
      -- makes a string of it in Node, and the OS refuses it (bind EINVAL
      -- [object Object]).
      callback(err, err == nil and js.string(ip) or ip, ...)
    end)
end

-- options.signal: the socket closes when it aborts.
local function closeOnAbort(self, signal)
  validate.abortSignal(signal, "options.signal")
  if signal.aborted then
    self:close()
    return
  end
  -- Node calls signal.addEventListener here, and a bare TypeError says
  -- when it is no function; a Lua signal listens with once and
  -- removeListener.
  for _, method in ipairs({ "once", "removeListener" }) do
    if type(signal[method]) ~= "function" then
      error(errors.new("TypeError", nil, ("signal.%s is not a function"):format(method)))
    end
  end
  local function onAborted()
    if self._state.handle then
      self:close()
    end
  end
  signal:once("abort", onAborted)
  self:once("close", function()
    signal:removeListener("abort", onAborted)
  end)
end

local function newSocket(class, type_, listener)
  local options, lookupFn
  if type(type_) == "table" then
    options = type_
    type_ = options.type
    lookupFn = options.lookup
    if truthy(options.recvBufferSize) then
      validate.uint32(options.recvBufferSize, "options.recvBufferSize")
    end
    if truthy(options.sendBufferSize) then
      validate.uint32(options.sendBufferSize, "options.sendBufferSize")
    end
    if options.gro ~= nil and type(options.gro) ~= "boolean" then
      error(errors.ERR_INVALID_ARG_TYPE("options.gro", "boolean", options.gro))
    end
  end
  if lookupFn ~= nil then
    validate.func(lookupFn, "lookup")
  end
  local family = type_ == "udp4" and 4 or type_ == "udp6" and 6 or nil
  if family == nil then
    error(errors.ERR_SOCKET_BAD_TYPE())
  end
  local self = EventEmitter.init(setmetatable({}, class))
  local st = {
    type = type_,
    family = family,
    lookup = lookupFn or defaultLookup,
    bindState = UNBOUND,
    connectState = DISCONNECTED,
    lookups = 0, -- sends waiting for their look-up
    queue = nil,
    reuseAddr = options and truthy(options.reuseAddr),
    reusePort = options and truthy(options.reusePort),
    ipv6Only = options and truthy(options.ipv6Only),
    recvBufferSize = options and truthy(options.recvBufferSize) and options.recvBufferSize or nil,
    sendBufferSize = options and truthy(options.sendBufferSize) and options.sendBufferSize or nil,
    gro = options ~= nil and options.gro == true, -- UDP GRO where the kernel has it (dgram.many)
  }
  self._state = st
  st.handle = core.udp_new(self, family)
  if type(listener) == "function" then
    self:on("message", listener)
  end
  local signal = options and options.signal
  if signal ~= nil then
    closeOnAbort(self, signal)
  end
  return self
end

function Socket.new(type_, listener)
  return newSocket(Socket, type_, listener)
end

-- The queue of work waiting for a bind to finish (Node's enqueue): flushed
-- by 'listening', dropped whole by a bind error.
local function onListenSuccess(self)
  self:removeListener(errorMonitor, self._state.onListenError)
  local queue = self._state.queue
  self._state.queue = nil
  for i = 1, #queue do
    queue[i]()
  end
end

local function enqueue(self, fn)
  local st = self._state
  if st.queue == nil then
    st.queue = {}
    local onSuccess
    st.onListenError = function()
      self:removeListener("listening", onSuccess)
      st.queue = nil
    end
    onSuccess = function()
      onListenSuccess(self)
    end
    self:once(errorMonitor, st.onListenError)
    self:once("listening", onSuccess)
  end
  st.queue[#st.queue + 1] = fn
end

local RECV, SEND = true, false

local function bufferSize(self, size, which)
  if type(size) ~= "number" or touint32(size) ~= size then
    error(errors.ERR_SOCKET_BAD_BUFFER_SIZE())
  end
  local syscall = which == RECV and "uv_recv_buffer_size" or "uv_send_buffer_size"
  local h = handleOf(self)
  if size > 2147483647 then -- C++ takes an int32
    error(errors.ERR_SOCKET_BUFFER_SIZE(core.errno.EINVAL, syscall))
  end
  local ret, err = core.udp_buffer_size(h, which, compat.tointeger(size))
  if ret == nil then
    error(errors.ERR_SOCKET_BUFFER_SIZE(err, syscall))
  end
  return ret
end

local function startListening(self)
  local st = self._state
  self:_listenersChanged("message") -- C holds the listener from now on
  core.udp_recv_start(st.handle, st.gro)
  st.bindState = BOUND
  updateFast(st)
  if st.recvBufferSize then
    bufferSize(self, st.recvBufferSize, RECV)
  end
  if st.sendBufferSize then
    bufferSize(self, st.sendBufferSize, SEND)
  end
  self:emit("listening")
end

-- bind's callback listens for 'listening' until 'listening' or 'error'.
local function callOnListening(self, cb)
  local onListening
  local function removeListeners()
    self:removeListener("error", removeListeners)
    self:removeListener("listening", onListening)
  end
  onListening = function()
    removeListeners()
    cb()
  end
  self:on("error", removeListeners)
  self:on("listening", onListening)
end

-- bind({fd = n}): wraps a UDP socket the process already has.
local function bindFd(self, fd)
  local kind = core.guess_handle(fd)
  if kind ~= "UDP" then
    error(errors.ERR_INVALID_FD_TYPE(kind))
  end
  local err = core.udp_open(self._state.handle, fd)
  if err ~= 0 then
    error(errors.errno(err, "open"))
  end
  startListening(self)
  return self
end

-- The bind once the look-up answered. `port` as given, for the message.
local function bindTo(self, err, ip, uport, port)
  local st = self._state
  if not st.handle then
    return -- closed during the look-up: neither 'error' nor 'listening'
  end
  if err then
    st.bindState = UNBOUND
    self:emit("error", err)
    return
  end
  -- The flags are distinct bits: adding them sets each.
  local flags = (st.reuseAddr and core.BIND_REUSEADDR or 0) + (st.ipv6Only and core.BIND_IPV6ONLY or 0)
    + (st.reusePort and core.BIND_REUSEPORT or 0)
  local status = core.udp_bind(st.handle, ip, uport, flags)
  if status ~= 0 then
    st.bindState = UNBOUND
    self:emit("error", errors.hostport(status, "bind", ip, truthy(port) and uport or nil))
    return
  end
  startListening(self)
end

-- bind([port][, address][, callback]) or bind(options[, callback]), with
-- options {port, address, exclusive, fd}; exclusive changes nothing here
-- (no cluster: every bind is exclusive).
function Socket:bind(port_, ...)
  stateOf(self, "bind")
  local st = healthCheck(self)
  if st.bindState ~= UNBOUND then
    error(errors.ERR_SOCKET_ALREADY_BOUND())
  end
  st.bindState = BINDING
  local n = select("#", ...)
  local address_ = ...
  local cb = select(n > 0 and n or 1, ...)
  if n == 0 then
    cb = port_
  end
  if type(cb) == "function" then
    callOnListening(self, cb)
    -- A 'newListener' listener may have closed the socket just now.
    if not st.handle then
      error(errors.ERR_SOCKET_DGRAM_NOT_RUNNING())
    end
  end

  local address, port
  if type(port_) == "table" then
    local fd = port_.fd
    if validate.int32(fd) and fd > 0 then
      return bindFd(self, fd)
    end
    address = truthy(port_.address) and port_.address or ""
    port = port_.port
  else
    address = type(address_) == "function" and "" or address_
    port = port_
  end
  if not truthy(address) then
    address = st.family == 4 and "0.0.0.0" or "::"
  end
  -- Node validates no port here: C++ takes `port || 0` as a uint16.
  local uport = uint32value(truthy(port) and port or 0) % 65536
  lookup(st, address, function(err, ip)
    bindTo(self, err, ip, uport, port)
  end)
  return self
end

local function doConnect(ex, self, ip, address, port, callback)
  local st = self._state
  if not st.handle then
    return
  end
  if not ex then
    local err = core.udp_connect(st.handle, ip, port)
    if err ~= 0 then
      ex = errors.hostport(err, "connect", address, port)
    end
  end
  if ex then
    st.connectState = DISCONNECTED
    updateFast(st)
    nextTick(function()
      if callback then
        self:removeListener("connect", callback)
        callback(ex)
      else
        self:emit("error", ex)
      end
    end)
    return
  end
  st.connectState = CONNECTED
  updateFast(st)
  nextTick(function()
    self:emit("connect")
  end)
end

local function connectNow(self, port, address, callback)
  if callback then
    self:once("connect", callback)
  end
  lookup(self._state, address, function(ex, ip)
    doConnect(ex, self, ip, address, port, callback)
  end)
end

function Socket:connect(port, address, callback)
  stateOf(self, "connect")
  port = validate.port(port, "Port", false)
  if type(address) == "function" then
    callback = address
    address = ""
  elseif address == nil then
    address = ""
  end
  validate.string(address, "address")
  local st = self._state
  if st.connectState ~= DISCONNECTED then
    error(errors.ERR_SOCKET_DGRAM_IS_CONNECTED())
  end
  healthCheck(self)
  st.connectState = CONNECTING
  updateFast(st)
  if st.bindState == UNBOUND then
    self:bind({ port = 0, exclusive = true }, nil)
  end
  if type(callback) ~= "function" then
    callback = nil
  end
  if st.bindState ~= BOUND then
    enqueue(self, function()
      connectNow(self, port, address, callback)
    end)
    return
  end
  connectNow(self, port, address, callback)
end

function Socket:disconnect()
  local st = stateOf(self, "disconnect")
  if st.connectState ~= CONNECTED then
    error(errors.ERR_SOCKET_DGRAM_NOT_CONNECTED())
  end
  local err = core.udp_disconnect(handleOf(self))
  if err ~= 0 then
    error(errors.errno(err, "connect"))
  end
  st.connectState = DISCONNECTED
  updateFast(st)
end

local BUFFER_TYPES = { "Buffer", "TypedArray", "DataView", "string" }

local function sliceBuffer(buffer, offset, length)
  if type(buffer) ~= "string" then
    error(errors.ERR_INVALID_ARG_TYPE("buffer", BUFFER_TYPES, buffer))
  end
  offset, length = touint32(offset), touint32(length)
  local size = #buffer
  if offset > size then
    error(errors.ERR_BUFFER_OUT_OF_BOUNDS("offset"))
  end
  if offset + length > size then
    error(errors.ERR_BUFFER_OUT_OF_BOUNDS("length"))
  end
  if offset == 0 and length == size then
    return buffer
  end
  return buffer:sub(offset + 1, offset + length)
end

-- A Lua sequence stands for a JavaScript array; other tables are objects.
local function isArray(t)
  return type(t) == "table" and getmetatable(t) == nil and (t[1] ~= nil or next(t) == nil)
end

-- The message as C takes it: a string, or a fresh list of strings (so the
-- caller may change theirs while the send waits for a bind).
local function toMessage(buffer)
  if type(buffer) == "string" then
    return buffer
  end
  if not isArray(buffer) then
    error(errors.ERR_INVALID_ARG_TYPE("buffer", BUFFER_TYPES, buffer))
  end
  local n = #buffer
  if n == 1 and type(buffer[1]) == "string" then
    return buffer[1]
  end
  local list = {}
  for i = 1, n do
    list[i] = buffer[i]
    if type(list[i]) ~= "string" then
      error(errors.ERR_INVALID_ARG_TYPE("buffer list arguments", BUFFER_TYPES, buffer))
    end
  end
  if n == 0 then
    return ""
  end
  return list
end

-- done(status, bytes) for a send queued in libuv: calls back with its
-- outcome. `early`: sent by the fast path, before Node would have sent it,
-- so, like Node's, the callback is never called when the socket closed
-- before Node's look-up tick.
local function sendDone(self, callback, address, port, early)
  local live = true
  if early then
    nextTick(function() live = self._state.handle ~= nil end)
  end
  return function(status, bytes)
    if not live then
      return
    elseif status < 0 then
      callback(errors.hostport(status, "send", address, port))
    else
      callback(nil, bytes)
    end
  end
end

-- Whether a send whose look-up has answered goes ahead: a failed look-up
-- goes to the callback (the error, then `...`) or to 'error'; a socket
-- closed meanwhile drops the send (its callback is never called, as in
-- Node).
local function goesAhead(ex, self, callback, ...)
  if ex then
    if callback then
      nextTick(callback, ex, ...)
    else
      nextTick(function()
        self:emit("error", ex)
      end)
    end
    return false
  end
  return self._state.handle ~= nil
end

local function doSend(ex, self, ip, msg, address, port, callback)
  if not goesAhead(ex, self, callback) then
    return
  end
  local st = self._state
  -- core.udp_send: bytes + 1 sent now, 0 queued (done calls back), or nil
  -- and a status. Without a callback errors vanish, as in Node.
  local r, status = udp_send(st.handle, msg, ip, port, callback and sendDone(self, callback, address, port))
  if callback and r ~= 0 then
    nextTick(callback, r == nil and errors.hostport(status, "send", address, port) or nil, r and r - 1)
  end
end

-- The fast path's outcomes that need Lua (core.socket_send below), at the
-- position of Node's look-up tick: like Node, nothing when the socket
-- closed before it, else the callback on the next tick.
local function sendCallbackHop(self, callback, err, bytes)
  if self._state.handle then
    nextTick(callback, err, bytes)
  end
end

local fastPath = {
  sent = function(self, callback, bytes)
    nextTick(sendCallbackHop, self, callback, nil, bytes)
  end,
  failed = function(self, callback, status, address, port)
    nextTick(sendCallbackHop, self, callback, errors.hostport(status, "send", address, port))
  end,
  queued = function(self, callback, address, port)
    return sendDone(self, callback, address, port, true)
  end,
}

-- The forms send() takes, as Node's `valid combinations` (msg a string,
-- or a list of strings sent as one datagram):
--   not connected: send(msg, offset, length, port[, address][, callback])
--                  send(msg, port[, address][, callback])
--   connected:     send(msg, offset, length[, callback])
--                  send(msg[, callback])
-- Validated in Node's order; returns msg, port, address and callback.
local function sendArguments(st, buffer, offset, length, port, address, callback)
  local connected = st.connectState == CONNECTED
  if not connected then
    if truthy(address) or (truthy(port) and type(port) ~= "function") then
      buffer = sliceBuffer(buffer, offset, length)
    else
      callback = port
      port = offset
      address = length
    end
  else
    if type(length) == "number" then
      buffer = sliceBuffer(buffer, offset, length)
      if type(port) == "function" then
        callback = port
        port = nil
      end
    else
      callback = offset
    end
    if truthy(port) or truthy(address) then
      error(errors.ERR_SOCKET_DGRAM_IS_CONNECTED())
    end
  end
  local msg = toMessage(buffer)
  if not connected then
    port = validate.port(port, "Port", false)
  end
  if type(callback) ~= "function" then
    callback = nil
  end
  if type(address) == "function" then
    callback = address
    address = nil
  elseif address ~= nil then
    validate.string(address, "address")
  end
  return msg, port, address, callback
end

-- What send and sendMany do once their arguments are checked: bind
-- implicitly, wait for the bind (then call self[method] again), look the
-- address up unless connected, and hand over to
-- deliver(ex, self, ip, payload, address, port, callback).
local function sendWhenReady(self, st, method, deliver, payload, port, address, callback)
  healthCheck(self)
  if st.bindState == UNBOUND then
    self:bind({ port = 0, exclusive = true }, nil)
  end
  if st.bindState ~= BOUND then
    enqueue(self, function()
      self[method](self, payload, port, address, callback)
    end)
    return
  end
  if st.connectState == CONNECTED then
    deliver(nil, self, nil, payload, nil, nil, callback)
    return
  end
  -- While a send waits for its look-up, later ones must not overtake it
  -- on the fast path.
  st.lookups = st.lookups + 1
  updateFast(st)
  lookup(st, address, function(ex, ip)
    st.lookups = st.lookups - 1
    if st.lookups == 0 then
      updateFast(st)
    end
    deliver(ex, self, ip, payload, address, port, callback)
  end)
end

-- Node's send, whole: the fast path in C (core.socket_send) hands every
-- other form of call to it.
local function send(self, ...)
  local st = stateOf(self, "send")
  local msg, port, address, callback = sendArguments(st, ...)
  sendWhenReady(self, st, "send", doSend, msg, port, address, callback)
end

-- The common send(msg, port[, ip][, callback]) on a bound, unconnected
-- socket with the default look-up (st.fast), where ip is an IP literal of
-- the socket's family or nil, is sent at once by C: Node sends it one tick
-- later, after dns.lookup answers for the literal (README: differences).
-- Its callback keeps Node's timing (sendCallbackHop, sendDone's `early`).
Socket.send = core.socket_send(send, fastPath.sent, fastPath.failed, fastPath.queued)

function Socket:close(callback)
  local st = stateOf(self, "close")
  if type(callback) == "function" then
    self:on("close", callback)
  end
  if st.queue ~= nil then
    st.queue[#st.queue + 1] = function()
      self:close()
    end
    return self
  end
  healthCheck(self)
  core.udp_close(st.handle) -- stops receiving too
  st.handle = nil
  updateFast(st)
  nextTick(function()
    self:emit("close")
  end)
  return self
end

-- `local s <close> = dgram.createSocket(...)`: closes unless already closed.
function Socket:__close()
  if self._state.handle then
    self:close()
  end
end

local function addressOf(self, getter, syscall)
  local h = healthCheck(self).handle
  local address, family, port = getter(h)
  if address == nil then
    error(errors.errno(family, syscall))
  end
  return { address = address, family = family, port = port }
end

function Socket:address()
  stateOf(self, "address")
  return addressOf(self, core.udp_getsockname, "getsockname")
end

function Socket:remoteAddress()
  stateOf(self, "remoteAddress")
  local st = healthCheck(self)
  if st.connectState ~= CONNECTED then
    error(errors.ERR_SOCKET_DGRAM_NOT_CONNECTED())
  end
  return addressOf(self, core.udp_getpeername, "getpeername")
end

local function check(status, syscall)
  if status ~= 0 then
    error(errors.errno(status, syscall))
  end
end

function Socket:setBroadcast(arg)
  stateOf(self, "setBroadcast")
  check(core.udp_set_broadcast(handleOf(self), truthy(arg)), "setBroadcast")
end

function Socket:setTTL(ttl)
  stateOf(self, "setTTL")
  validate.number(ttl, "ttl")
  check(core.udp_set_ttl(handleOf(self), toint32(ttl)), "setTTL")
  return ttl
end

function Socket:setMulticastTTL(ttl)
  stateOf(self, "setMulticastTTL")
  validate.number(ttl, "ttl")
  check(core.udp_set_multicast_ttl(handleOf(self), toint32(ttl)), "setMulticastTTL")
  return ttl
end

function Socket:setMulticastLoopback(arg)
  stateOf(self, "setMulticastLoopback")
  check(core.udp_set_multicast_loop(handleOf(self), truthy(arg)), "setMulticastLoopback")
  return arg
end

function Socket:setMulticastInterface(interfaceAddress)
  stateOf(self, "setMulticastInterface")
  local st = healthCheck(self)
  validate.string(interfaceAddress, "interfaceAddress")
  check(core.udp_set_multicast_interface(st.handle, interfaceAddress), "setMulticastInterface")
end

local function membership(self, join, syscall, multicastAddress, interfaceAddress)
  local st = healthCheck(self)
  if not truthy(multicastAddress) then
    error(errors.ERR_MISSING_ARGS("multicastAddress"))
  end
  if interfaceAddress ~= nil and type(interfaceAddress) ~= "string" then
    interfaceAddress = js.string(interfaceAddress)
  end
  check(core.udp_set_membership(st.handle, js.string(multicastAddress), interfaceAddress, join), syscall)
end

function Socket:addMembership(multicastAddress, interfaceAddress)
  stateOf(self, "addMembership")
  membership(self, true, "addMembership", multicastAddress, interfaceAddress)
end

function Socket:dropMembership(multicastAddress, interfaceAddress)
  stateOf(self, "dropMembership")
  membership(self, false, "dropMembership", multicastAddress, interfaceAddress)
end

local function sourceMembership(self, join, syscall, sourceAddress, groupAddress, interfaceAddress)
  local st = healthCheck(self)
  validate.string(sourceAddress, "sourceAddress")
  validate.string(groupAddress, "groupAddress")
  if interfaceAddress ~= nil and type(interfaceAddress) ~= "string" then
    interfaceAddress = js.string(interfaceAddress)
  end
  check(core.udp_set_source_membership(st.handle, sourceAddress, groupAddress, interfaceAddress, join),
    syscall)
end

function Socket:addSourceSpecificMembership(sourceAddress, groupAddress, interfaceAddress)
  stateOf(self, "addSourceSpecificMembership")
  sourceMembership(self, true, "addSourceSpecificMembership", sourceAddress, groupAddress, interfaceAddress)
end

function Socket:dropSourceSpecificMembership(sourceAddress, groupAddress, interfaceAddress)
  stateOf(self, "dropSourceSpecificMembership")
  sourceMembership(self, false, "dropSourceSpecificMembership", sourceAddress, groupAddress, interfaceAddress)
end

function Socket:setRecvBufferSize(size)
  stateOf(self, "setRecvBufferSize")
  bufferSize(self, size, RECV)
end

function Socket:setSendBufferSize(size)
  stateOf(self, "setSendBufferSize")
  bufferSize(self, size, SEND)
end

function Socket:getRecvBufferSize()
  stateOf(self, "getRecvBufferSize")
  return bufferSize(self, 0, RECV)
end

function Socket:getSendBufferSize()
  stateOf(self, "getSendBufferSize")
  return bufferSize(self, 0, SEND)
end

function Socket:getSendQueueSize()
  stateOf(self, "getSendQueueSize")
  return core.udp_send_queue_size(handleOf(self))
end

function Socket:getSendQueueCount()
  stateOf(self, "getSendQueueCount")
  return core.udp_send_queue_count(handleOf(self))
end

function Socket:ref()
  local h = stateOf(self, "ref").handle
  if h then
    core.udp_ref(h, true)
  end
  return self
end

function Socket:unref()
  local h = stateOf(self, "unref").handle
  if h then
    core.udp_ref(h, false)
  end
  return self
end

function Socket:__tostring()
  return self._state.handle and "dgram.Socket (" .. self._state.type .. ")" or "dgram.Socket (closed)"
end

-- C calls a single plain 'message' listener directly, with (msg, rinfo);
-- EventEmitter tells when the listeners change.
function Socket:_listenersChanged(name)
  local h = self._state and self._state.handle
  if h and (name == nil or name == "message") then
    local listener = self._events.message
    core.udp_set_listener(h, type(listener) == "function" and listener or nil)
  end
end

-- Hooks that C calls. A datagram comes with msg and rinfo, the only
-- values made per message.
local emit = EventEmitter.prototype.emit
local drain = timers.drain

-- The message hook: C calls it when the socket has no single plain
-- listener; rinfo is made in C.
local function onMessage(self, msg, rinfo)
  emit(self, "message", msg, rinfo)
  drain()
end

local function onRecvError(self, status)
  emit(self, "error", errors.errno(status, "recvmsg"))
  drain()
end

Socket.hooks = { message = onMessage, recverror = onRecvError }

require("dgram.many").install(Socket, {
  sendWhenReady = sendWhenReady,
  goesAhead = goesAhead,
  isConnected = function(st) return st.connectState == CONNECTED end,
})

return Socket
