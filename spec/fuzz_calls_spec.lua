-- A random-call fuzzer in pure Lua (no clang needed; the libFuzzer
-- harnesses are in fuzz/). A seeded PRNG drives calls of every Socket
-- method and every module function, with random argument types and counts
-- (interior nils included), on sockets that are open, bound, connected or
-- closed. Each call goes through pcall and must either succeed or raise a
-- dgram.Error (the dgram.Error metatable) or a plain string, never crash;
-- errors raised out of dgram.run() and handed to 'error' listeners and send
-- callbacks are held to the same rule, and a send callback is called at
-- most once. The Lua heap must stay bounded (collectgarbage("count") at the
-- end within 4 MiB of the count after a warm-up), and at the end every
-- socket is closed, the loop runs dry and nothing is left open. Every 2000
-- calls it starts afresh the same way.
--
-- Size and seed:
--   make test                     100,000 calls (FUZZ_CALLS), seed 1: ~3 s
--   FUZZ_CALLS=1000000 make test SPECS=spec/fuzz_calls_spec.lua
--                                 10^6 calls, about a minute
--   FUZZ_SEED=<n>                 another sequence; a failure prints the
--                                 seed, the call number and the last calls
-- (The same seed makes the same choices until the network and timing
-- differ: ports and the order datagrams arrive in are the machine's.)
--
-- Only loopback is ever sent to: every string a send or connect may take as
-- its destination is 127.0.0.1, ::1, or not an IP at all; ports are those
-- of the spec's own sockets, < 1024, 29100-29115 or > 61000 (never another
-- process's ephemeral port); names that would reach the system resolver
-- are answered locally (core.getaddrinfo is wrapped for the duration);
-- multicast joins name lo or nothing that parses.
local dgram = require "dgram"
local core = require "dgram.core"
local h = require "helpers"

local CALLS = math.floor(tonumber(os.getenv("FUZZ_CALLS") or "") or 100000)
local SEED = math.floor(tonumber(os.getenv("FUZZ_SEED") or "") or 1)
local HEAP_MARGIN_KB = 4096
local unpack = table.unpack or unpack

---------------------------------------------------------------------------
-- Park and Miller's generator (x * 48271 mod 2^31 - 1): the same numbers
-- for a seed on every machine and every Lua, in arithmetic a double holds
-- exactly (Lua 5.1 has neither integers nor bitwise operators).
local M31 = 2147483647
local rng = (SEED + 0x5DEECE66D) % M31
if rng == 0 then rng = 1 end
local function rand(n) -- 1..n
  rng = rng * 48271 % M31
  return math.floor(rng * n / M31) + 1
end
local function pick(list)
  return list[rand(#list)]
end

---------------------------------------------------------------------------
-- What the spec made: error values it raised itself, tables and functions
-- it passed (emit('error', t) raises t as it is).
local known = setmetatable({}, { __mode = "k" })
local function mark(v)
  known[v] = true
  return v
end
local ERROBJ = mark(setmetatable({ name = "Error", code = "EFUZZ", message = "raised by the spec" }, dgram.Error))
local MARKER = mark({ "marker" })

local function acceptable(e)
  local t = type(e)
  return t == "string" or (t == "table" and (getmetatable(e) == dgram.Error or known[e] ~= nil))
end

local stats = { messages = 0, sent = 0, sendErrors = 0 }
local failure -- set by a check that fails inside a callback
local function fail(msg)
  failure = failure or msg
  error("fuzz spec: " .. msg, 0)
end

---------------------------------------------------------------------------
-- Values.
local BIG = ("x"):rep(65536)
-- the largest datagram IPv4 takes, and one byte more (made once: two fresh
-- 64 KiB strings a send's arguments took most of the fuzzer's time)
local MAX_IPV4_DATAGRAM, OVER_IPV4_DATAGRAM = ("m"):rep(65507), ("m"):rep(65508)
local NAN = 0 / 0

-- Safe in any argument of any call: numbers whose port residue (x mod 2^32
-- mod 2^16, as bind computes it) is < 1024, 29100.., or > 61000, and strings
-- that are loopback or no IP (or whose numeric value is such a port).
local SCALARS = {
  n = 31, nil, true, false, 0, 1, -1, 2, 7, 0.5, h.NEG_ZERO, NAN, math.huge, -math.huge,
  math.maxinteger or 2 ^ 63, math.mininteger or -2 ^ 63, 2 ^ 31, 2 ^ 31 - 1, -2 ^ 31, 2 ^ 32, 2 ^ 53, 65535, 65536,
  65537, 29100, 29101, 1.5, 1e308, 255, 256, 29100 + 2 ^ 32,
}
local STRINGS = {
  "", " ", "abc", "0x10", " 12 ", "1e3", "udp4", "udp6", "127.0.0.1", "::1", "::ffff:127.0.0.1",
  "localhost", "127.0.0.1\0junk", "::1%lo", "1.2.3.256", "256.1.1.1", "[::1]", "::1::",
  "nowhere.invalid", "\0", "\255\254", "message", "error", "close", "listening", "connect",
  "default", "nowait", "::1%", "0:0:0:0:0:0:0:1", (" "):rep(300), BIG, "127.0.0.1\0" .. ("j"):rep(1000),
  h.U(0x1F600), "29100", " 29101 ", "0x71AC", "-1", "Infinity",
}
-- Addresses that are not loopback: only for calls that never send.
local EXTRA = {
  "0.0.0.0", "::", "1.2.3.4", "::ffff:1.2.3.4", "224.0.0.1", "239.1.2.3", "ff02::1", "ff05::1:3",
  "fe80::1%lo", "255.255.255.255", "232.1.1.1",
}
-- Multicast interfaces: lo, or nothing that parses as an address.
local IFACES = { "127.0.0.1", "::1%lo", "lo", "eth0", 5, true, "" }
local EVENTS = { "message", "error", "listening", "close", "connect", "newListener", "removeListener", "x" }

local sockets = {}   -- every socket made since the last reset, in order
local pool = {}      -- live sockets (some closed), at most POOL
local POOL = 8
local timers = {}    -- Timeouts and Immediates made here, cleared at the end
local twice = setmetatable({}, { __mode = "k" }) -- sockets whose look-up answers twice
local budget = 0     -- actions left before the next top-level call (see action)

local function lo(s)
  local st = type(s) == "table" and rawget(s, "_state")
  return st and st.family == 6 and "::1" or "127.0.0.1"
end

-- A port to send or connect to: mostly that of a bound socket of the pool
-- (of the family of `s`, when given), so that datagrams do arrive.
local function ownPort(s)
  if rand(5) > 1 then
    local st = type(s) == "table" and rawget(s, "_state")
    local family = st and st.family
    local start = rand(POOL)
    for i = 0, POOL - 1 do
      local o = pool[(start + i - 1) % POOL + 1]
      local ost = o and o._state
      if ost and ost.handle and ost.bindState == 2 and (family == nil or ost.family == family) then
        local ok, a = pcall(o.address, o)
        if ok and type(a) == "table" and h.isInteger(a.port) then
          return a.port
        end
      end
    end
  end
  return 29100 + rand(8)
end

-- What a callback or listener does. Bounded: an 'error' listener that
-- sends again through a failing look-up would otherwise go on forever.
local noop = mark(function() end)
local function action(s)
  local k = rand(12)
  local f
  if k == 1 then f = function() error("fuzz: raised by a callback", 0) end
  elseif k == 2 then f = function() error(ERROBJ, 0) end
  elseif k == 3 then f = function() error(MARKER, 0) end
  elseif k == 4 then f = function() if s then s:close() end end
  elseif k == 5 then f = function() if s then s:send("pong", ownPort(s), lo(s)) end end
  elseif k == 6 then f = function() if s then s:send({ "a", "b" }, ownPort(s), lo(s), noop) end end
  elseif k == 7 then f = function() dgram.run("nowait") end
  elseif k == 8 then f = function() if s then s:removeAllListeners() end end
  elseif k == 9 then f = function() dgram.nextTick(noop); dgram.setImmediate(noop) end
  elseif k == 10 then f = function() if s then s:connect(ownPort(s)) end end
  else return noop end
  return mark(function(...)
    if budget <= 0 then return end
    budget = budget - 1
    return f(...)
  end)
end

-- A send callback: at most once, with (nil, bytes) or (err).
local function sendCallback(s)
  local inner, calls = action(s), 0
  return mark(function(err, bytes, ...)
    calls = calls + 1
    if calls > 1 and not (s and twice[s]) then
      fail("a send callback was called twice")
    end
    if err == nil then
      if not h.isInteger(bytes) or bytes < 0 then
        fail("send succeeded without a byte count: " .. tostring(bytes))
      end
      stats.sent = stats.sent + 1
    else
      stats.sendErrors = stats.sendErrors + 1
    end
    if err ~= nil and not acceptable(err) then
      fail("a send callback got an error value of type " .. type(err))
    end
    return inner(err, bytes, ...)
  end)
end

local function errorListener(s)
  local inner = action(s)
  return mark(function(err, ...)
    if type(err) == "table" and not acceptable(err) then
      fail("an 'error' listener got a table that is no dgram.Error")
    end
    return inner(err, ...)
  end)
end

-- Custom look-ups (options.lookup): they answer loopback, odd values, errors,
-- twice, or never.
local LOOKUP_ADDRS = {
  "127.0.0.1", "::1", "::ffff:127.0.0.1", "127.0.0.1\0junk", "", "localhost", "1.2.3.256", BIG, 5, true,
}
local function lookupFn()
  local k, addr = rand(9), pick(LOOKUP_ADDRS)
  local function fl(family) return family == 6 and "::1" or "127.0.0.1" end
  local f
  if k == 1 then f = function(_, family, cb) cb(nil, fl(family), family) end
  elseif k == 2 then f = function(_, family, cb) dgram.nextTick(cb, nil, fl(family), family) end
  elseif k == 3 then f = function(_, _, cb) cb(ERROBJ) end
  elseif k == 4 then f = function(_, _, cb) cb("fuzz: lookup failed") end
  elseif k == 5 then f = function() end
  elseif k == 6 then f = function(_, family, cb) cb(nil, fl(family), family); cb(nil, fl(family), family) end
  elseif k == 7 then f = function() error("fuzz: lookup raised", 0) end
  elseif k == 8 then f = function(_, family, cb) cb(nil, addr, family) end
  else f = function(_, family, cb) dgram.setImmediate(cb, nil, fl(family), family) end end
  return mark(f), k == 6
end

local function deep(n)
  local t = {}
  local c = t
  for _ = 1, n do c[1] = {} c = c[1] end
  return t
end

local TABLES = {
  function() return {} end,
  function() return { "a", "b", "c" } end,
  function() return { "a", nil, "c" } end,
  function() return { 1, 2 } end,
  function() return { BIG, "y" } end,
  function() local t = {} for i = 1, 20 do t[i] = ("p"):rep(i) end return t end,
  function()
    return setmetatable({}, {
      __index = function() error("fuzz: __index", 0) end,
      __tostring = function() error("fuzz: __tostring", 0) end,
    })
  end,
  function() local t = {} t.t = t t[1] = t return t end,
  function() return deep(100) end,
  function() return { port = 29100, address = "127.0.0.1" } end,
  function() return { type = pick({ "udp4", "udp6", "bad" }) } end,
  function() return { fd = pick({ -1, 0, 1, 2, 1.5, 2 ^ 31 }) } end,
  function() return { address = "127.0.0.1", family = "IPv4", port = 29100, size = 3 } end,
  function() return { aborted = false } end,
}

-- One value, safe for any argument of any call.
local function value(s)
  local k = rand(16)
  if k <= 4 then
    return SCALARS[rand(SCALARS.n)]
  elseif k <= 8 then
    return pick(STRINGS)
  elseif k == 9 then
    return ownPort(s)
  elseif k == 10 then
    return mark(pick(TABLES)())
  elseif k == 11 then
    return action(s)
  elseif k == 12 then
    return pool[rand(POOL)] -- another socket (or nil)
  elseif k == 13 then
    local other = pool[rand(POOL)]
    return other and rawget(other, "_state") and other._state.handle -- its raw handle
  elseif k == 14 then
    return pick({ io.stdout, mark(coroutine.create(noop)), ERROBJ, MARKER, dgram.Error, dgram.Socket })
  elseif k == 15 then
    local c = dgram.AbortController()
    if rand(2) == 1 then c:abort() end
    return mark(c.signal)
  end
  return nil
end

-- Any value, non-loopback addresses included: for calls that never send.
local function anyValue(s)
  if rand(6) == 1 then
    return pick(EXTRA)
  end
  return value(s)
end

-- n arguments (interior nils included).
local function args(s, gen, max)
  local n = rand(max + 1) - 1
  local list = { n = n }
  for i = 1, n do
    list[i] = gen(s)
  end
  return list
end

---------------------------------------------------------------------------
-- Calls.
local log, logpos = {}, 0
local function note(what)
  logpos = logpos % 20 + 1
  log[logpos] = what
end

local function describeArgs(a)
  local parts = {}
  for i = 1, a.n do
    local v = a[i]
    local t = type(v)
    if t == "string" then
      parts[i] = #v > 40 and ("<string of %d>"):format(#v) or ("%q"):format(v)
    elseif t == "number" or t == "boolean" or t == "nil" then
      parts[i] = tostring(v)
    else
      parts[i] = "<" .. t .. ">"
    end
  end
  return table.concat(parts, ", ")
end

local calls, failures = 0, 0
local function check(ok, err, what)
  if failure then
    error(failure .. " (in " .. what .. ")", 0)
  end
  if not ok and not acceptable(err) then
    error(("%s raised a %s, neither a dgram.Error nor a string"):format(what, type(err)), 0)
  end
  if not ok then
    failures = failures + 1
  end
end

local function call(what, fn, a)
  calls = calls + 1
  budget = 50
  note(what .. "(" .. describeArgs(a) .. ")")
  local ok, err = pcall(fn, unpack(a, 1, a.n))
  check(ok, err, what)
  return true
end

local function runNowait()
  budget = 50
  note("dgram.run('nowait')")
  calls = calls + 1
  local ok, err = pcall(dgram.run, "nowait")
  check(ok, err, "dgram.run")
  return ok
end

-- Socket methods and the arguments they get.
local SEND_METHODS = { send = true, connect = true }
local METHODS = {
  "send", "send", "send", "send", "send", "send", "send", "send", "bind", "bind", "bind", "connect", "connect", "close",
  "disconnect", "address", "remoteAddress", "setBroadcast", "setTTL", "setMulticastTTL",
  "setMulticastLoopback", "setMulticastInterface", "addMembership", "dropMembership",
  "addSourceSpecificMembership", "dropSourceSpecificMembership", "setRecvBufferSize",
  "setSendBufferSize", "getRecvBufferSize", "getSendBufferSize", "getSendQueueSize",
  "getSendQueueCount", "ref", "unref", "on", "once", "prependListener", "prependOnceListener",
  "off", "removeListener", "removeAllListeners", "emit", "listeners", "rawListeners",
  "listenerCount", "eventNames", "setMaxListeners", "getMaxListeners", "__close", "__tostring",
}

local function membershipArgs(s, ssm)
  local a = { n = 0 }
  local function add(v) a.n = a.n + 1 a[a.n] = v end
  local multicast = false
  local function group()
    if rand(3) == 1 then
      multicast = true
      return pick(EXTRA)
    end
    return value(s)
  end
  if ssm then add(group()) end
  add(group())
  -- the interface: lo or unparsable; nothing (the default interface) only
  -- when no group is an address that could be joined
  local iface = pick(IFACES)
  if not multicast and rand(3) == 1 then iface = nil end
  add(iface)
  for _ = 1, rand(2) - 1 do add(value(s)) end
  return a
end

local function sendArgs(s)
  local a = { n = 0 }
  local function add(v) a.n = a.n + 1 a[a.n] = v end
  local form = rand(6)
  local msg = rand(5) == 1 and mark(pick(TABLES)())
    or pick({ "hello", "hello", "", BIG, "\0\1\2", MAX_IPV4_DATAGRAM, OVER_IPV4_DATAGRAM })
  add(msg)
  if form <= 2 then                       -- msg, port[, address][, callback]
    add(ownPort(s))
    if rand(2) == 1 then add(pick({ false, "127.0.0.1", "::1", "localhost", "1.2.3.256" }) or nil) end
    if rand(2) == 1 then add(sendCallback(s)) end
  elseif form == 3 then                   -- msg, offset, length, port, address, callback
    add(rand(8) - 1) add(rand(20) - 1) add(ownPort(s)) add(pick({ false, "127.0.0.1", "::1" }) or nil)
    add(sendCallback(s))
  elseif form == 4 then                   -- connected: msg[, callback]
    if rand(2) == 1 then add(sendCallback(s)) end
  else                                    -- anything
    for _ = 1, rand(6) - 1 do add(value(s)) end
  end
  return a
end

local function listenerArgs(s, method)
  local name = rand(4) == 1 and value(s) or pick(EVENTS)
  local l
  if method == "off" or method == "removeListener" or method == "listenerCount" then
    local ok, list = pcall(s.rawListeners, s, name)
    l = ok and type(list) == "table" and list[rand(3)] or action(s)
  elseif name == "error" then
    l = errorListener(s)
  else
    l = rand(6) == 1 and value(s) or action(s)
  end
  return { n = 2, name, l }
end

local function methodCall(s)
  local m = pick(METHODS)
  local a
  if m == "send" then
    a = sendArgs(s)
  elseif m == "addMembership" or m == "dropMembership" then
    a = membershipArgs(s, false)
  elseif m == "addSourceSpecificMembership" or m == "dropSourceSpecificMembership" then
    a = membershipArgs(s, true)
  elseif m == "on" or m == "once" or m == "prependListener" or m == "prependOnceListener"
    or m == "off" or m == "removeListener" or m == "listenerCount" then
    a = listenerArgs(s, m)
  elseif SEND_METHODS[m] then
    a = args(s, value, 4)
  else
    a = args(s, anyValue, 4)
  end
  local fn = s[m]
  table.insert(a, 1, s)
  a.n = a.n + 1
  return call("socket:" .. m, fn, a)
end

-- A new socket, with options good and bad; sometimes bound or connected at
-- once (the states the calls then find it in).
local function newSocket()
  local a
  local k = rand(4)
  if k == 1 then
    a = { n = 1, pick({ "udp4", "udp6", "udp4", "udp6", "bad" }) }
  elseif k == 2 then
    local opts = { type = pick({ "udp4", "udp6", "udp4", false, 5 }) or nil }
    if rand(2) == 1 then opts.reuseAddr = value() end
    if rand(3) == 1 then opts.reusePort = value() end
    if rand(3) == 1 then opts.ipv6Only = value() end
    if rand(3) == 1 then opts.recvBufferSize = pick({ 1, 4096, 0, -1, 1.5, 2 ^ 31, 2 ^ 32, "8192", NAN }) end
    if rand(3) == 1 then opts.sendBufferSize = pick({ 1, 4096, 0, -1, 1.5, 2 ^ 31, 2 ^ 32, "8192", NAN }) end
    local tw
    if rand(3) == 1 then opts.lookup, tw = lookupFn() end
    if rand(5) == 1 then opts.lookup = value() end
    if rand(4) == 1 then
      local c = dgram.AbortController()
      if rand(2) == 1 then c:abort() end
      opts.signal = c.signal
      if rand(2) == 1 then dgram.setImmediate(function() c:abort() end) end
    end
    a = { n = 1, mark(opts) }
    a.twice = tw
  elseif k == 3 then
    a = { n = 2, pick({ "udp4", "udp6" }), action(nil) }
  else
    a = args(nil, anyValue, 3)
  end
  calls = calls + 1
  note("dgram.createSocket(" .. describeArgs(a) .. ")")
  local ok, s = pcall(dgram.createSocket, unpack(a, 1, a.n))
  check(ok, s, "dgram.createSocket")
  if not ok or type(s) ~= "table" then
    return
  end
  mark(s)
  sockets[#sockets + 1] = s
  if a.twice then twice[s] = true end
  if rand(4) > 1 then s:on("error", errorListener(s)) end
  if rand(3) == 1 then s:on("message", action(s)) end
  if rand(2) == 1 then
    s:on("message", function(msg, rinfo)
      stats.messages = stats.messages + 1
      if type(msg) == "string" and type(rinfo) == "table" and not known[rinfo]
        and (type(rinfo.address) ~= "string" or (rinfo.family ~= "IPv4" and rinfo.family ~= "IPv6")
          or not h.isInteger(rinfo.port) or rinfo.size ~= #msg) then
        fail(("a 'message' listener got a malformed rinfo: address=%s family=%s port=%s size=%s")
          :format(tostring(rinfo.address), tostring(rinfo.family), tostring(rinfo.port), tostring(rinfo.size)))
      end
    end)
  end
  local slot = rand(POOL)
  if pool[slot] then
    pcall(pool[slot].close, pool[slot])
  end
  pool[slot] = s
  local state = rand(10)
  if state <= 5 then
    call("socket:bind", s.bind, { n = 3, s, 0, lo(s) })
  elseif state <= 7 then
    call("socket:connect", s.connect, { n = 2, s, ownPort(s) })
  elseif state == 8 then
    call("socket:close", s.close, { n = 1, s })
  end
end

local MODULE = {
  function() -- timers
    local f = pick({ "setTimeout", "setInterval", "setImmediate", "nextTick" })
    local a = args(nil, value, 3)
    if rand(4) > 1 then a[1] = action(nil) a.n = math.max(a.n, 1) end
    if f ~= "nextTick" and f ~= "setImmediate" and rand(2) == 1 then a[2] = rand(3) - 1 a.n = math.max(a.n, 2) end
    calls = calls + 1
    note("dgram." .. f .. "(" .. describeArgs(a) .. ")")
    local ok, t = pcall(dgram[f], unpack(a, 1, a.n))
    check(ok, t, "dgram." .. f)
    if ok and type(t) == "table" then timers[#timers + 1] = t end
  end,
  function()
    local f = pick({ "clearTimeout", "clearInterval", "clearImmediate" })
    local a = { n = 1, (rand(2) == 1 and #timers > 0) and timers[rand(#timers)] or value() }
    call("dgram." .. f, dgram[f], a)
  end,
  function()
    local t = #timers > 0 and timers[rand(#timers)]
    if t then
      local m = pick({ "ref", "unref", "hasRef", "refresh", "close" })
      if t[m] then call("timer:" .. m, t[m], { n = 1, t }) end
    end
  end,
  function() -- run: never "default"/"once", which would block on a bound socket
    local mode = pick({ "nowait", "nowait", "bogus", 5, true, {} })
    call("dgram.run", dgram.run, { n = 1, mode })
  end,
  function() call("dgram.stop", dgram.stop, args(nil, value, 2)) end,
  function() call("dgram.now", dgram.now, args(nil, value, 2)) end,
  function() call("dgram.Socket", dgram.Socket, args(nil, value, 2)) end,
  function()
    local c = dgram.AbortController()
    call("controller:abort", c.abort, { n = 2, c, value() })
  end,
  function() -- a Socket method on something that is not a socket
    local m = pick(METHODS)
    local a = args(nil, value, 3)
    table.insert(a, 1, value())
    a.n = a.n + 1
    if m:find("Membership") then
      return -- its arguments need membershipArgs
    end
    call("Socket." .. m .. " (bad self)", dgram.Socket[m], a)
  end,
}

---------------------------------------------------------------------------
-- The DNS guard (see the header): names that resolve locally to loopback
-- reach the real look-up; any other name gets a look-up error, through the
-- real asynchronous path (a look-up of the loopback literal).
local realGetaddrinfo = core.getaddrinfo
local SAFE_NAMES = { [4] = { ["127.0.0.1"] = true, localhost = true }, [6] = { ["::1"] = true } }
local function guardedGetaddrinfo(host, family, cb)
  local name = type(host) == "string" and host:match("^[^%z]*") or nil
  if name and SAFE_NAMES[family] and SAFE_NAMES[family][name] then
    return realGetaddrinfo(host, family, cb)
  end
  return realGetaddrinfo(family == 6 and "::1" or "127.0.0.1", family, function()
    cb(core.errno.EAI_NONAME)
  end)
end

local function closeAll()
  for i = 1, POOL do
    pool[i] = nil
  end
  for _, s in ipairs(sockets) do
    local st = s._state
    if st.handle then
      if st.queue ~= nil then
        st.closeQueued = true -- the spec's own mark: close() waits for the bind
      end
      local ok, err = pcall(s.close, s)
      check(ok, err, "close")
    end
  end
  for _, t in ipairs(timers) do
    pcall(dgram.clearTimeout, t)
    pcall(dgram.clearImmediate, t)
  end
  timers = {}
end

-- Runs the loop until it has nothing left (errors raised out of run() are
-- checked and dropped), at most `passes` times.
local function drain(passes)
  for _ = 1, passes do
    budget = 50
    local ok, res = pcall(dgram.run, "nowait")
    check(ok, res, "dgram.run")
    if ok and not res and core.pending_errors() == 0 then
      return true
    end
  end
  return false
end

-- Closes every socket as a user would, checks that only those that Node's
-- rules keep open are still open, closes those as the specs' helpers close
-- what a test left behind, and runs the loop dry. Returns how many sockets
-- stayed open by the rules.
local function reset()
  closeAll()
  drain(50)
  -- A socket may stay open by Node's rules when its close() went to the
  -- queue of a bind in progress: the queue waits for a bind that may never
  -- end (a look-up that never answers, or the queue's 'listening' listener
  -- removed by removeAllListeners), and a bind that fails drops the queue,
  -- the close() with it (Node's onListenError). Any other socket still
  -- open is a close() that did not close.
  local queued = 0
  for _, s in ipairs(sockets) do
    local st = s._state
    if st.handle then
      if not st.closeQueued then
        error(("a socket is still open after close(), which was not queued (bind state %s, connect "
          .. "state %s)"):format(tostring(st.bindState), tostring(st.connectState)), 0)
      end
      queued = queued + 1
    end
  end
  sockets = {}
  core.close_all()
  drain(50)
  return queued
end

local stuck = 0 -- sockets kept open by Node's rules (see reset)

local function fuzz(n)
  for i = 1, n do
    local k = rand(20)
    if k <= 2 or #pool == 0 then
      newSocket()
    elseif k <= 14 then
      local s = pool[rand(POOL)]
      if s then methodCall(s) else newSocket() end
    elseif k <= 17 then
      pick(MODULE)()
    else
      runNowait()
    end
    if i % 2000 == 0 then
      stuck = stuck + reset() -- now and then, start afresh
    end
  end
end

describe("fuzz: random calls", function()
  local heapBefore, heapAfter

  setup(function()
    core.getaddrinfo = guardedGetaddrinfo
  end)

  teardown(function()
    core.getaddrinfo = realGetaddrinfo
    for i = 1, POOL do pool[i] = nil end
    pcall(core.close_all)
    pcall(dgram.run, "nowait")
  end)

  it(("%d calls raise only dgram.Errors or strings (seed %d)"):format(CALLS, SEED), function()
    local ok, err = pcall(function()
      local warm = math.min(2000, CALLS)
      fuzz(warm)
      stuck = stuck + reset()
      collectgarbage()
      collectgarbage()
      heapBefore = collectgarbage("count")
      fuzz(CALLS - warm)
    end)
    if not ok then
      local last = {}
      for i = 1, 20 do
        local e = log[(logpos + i - 1) % 20 + 1]
        if e then last[#last + 1] = "  " .. e end
      end
      error(("%s\nseed %d, call %d; the last calls:\n%s"):format(tostring(err), SEED, calls,
        table.concat(last, "\n")), 0)
    end
    print(("fuzz: %d calls, %d raised (seed %d); %d datagrams received, %d send callbacks with "
      .. "success, %d with an error"):format(calls, failures, SEED, stats.messages, stats.sent, stats.sendErrors))
  end)

  it("leaves nothing open and the Lua heap bounded", function()
    local ok, err = pcall(reset)
    assert(ok, err)
    assert(drain(100), "the loop still had work after every socket and timer was closed")
    collectgarbage()
    collectgarbage()
    assert(drain(100))
    h.checkNoHandles()
    local live = core.open_handles()
    assert(live == 0, ("%d sockets or timers not freed"):format(live))
    print(("fuzz: %d sockets stayed open, their close() queued behind a bind (closed by core.close_all)")
      :format(stuck + err))
    collectgarbage()
    collectgarbage()
    heapAfter = collectgarbage("count")
    assert(heapBefore, "the first test did not run")
    print(("fuzz: Lua heap %.0f KiB after the warm-up, %.0f KiB at the end"):format(heapBefore, heapAfter))
    assert(heapAfter - heapBefore < HEAP_MARGIN_KB,
      ("the Lua heap grew by %.0f KiB over the run"):format(heapAfter - heapBefore))
  end)
end)
