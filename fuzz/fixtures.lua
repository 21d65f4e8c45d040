-- fuzz/fixtures.lua: the Lua half of the libFuzzer harnesses (fuzz/*_fuzz.c).
--
-- The C harness decodes the input bytes into API calls and makes each call
-- with lua_pcall; this file supplies the values that are easier to build in
-- Lua (listeners, callbacks, custom look-ups, hostile tables, signals) and
-- the per-input bookkeeping (sockets, timers, the clean-up).
--
-- Loaded once per process with `fz`, the harness's C helpers:
--   fz.trap(msg)          abort the process (a finding)
--   fz.unsafe_dest(s)     s (as C sees it) parses as a non-loopback IP
--   fz.udpfd(family)      a fresh UDP socket fd the harness owns
--   fz.real_dns           true: let every name reach getaddrinfo (only
--                         inside a network namespace with nothing but lo)
--   fz.ignore_rinfo       true: don't check rinfo in 'message' listeners
--                         (FUZZ_IGNORE_RINFO=1)
--
-- Safety: nothing here sends anywhere but 127.0.0.1 / ::1. Look-ups that
-- would ask the system resolver are answered locally (see the DNS guard).
local fz = ...
local dgram = require "dgram"
local core = require "dgram.core"
local js = require "dgram.js"

local F = { dgram = dgram, core = core, Error = dgram.Error, Socket = dgram.Socket }

-- Every table, function or object the harness hands to the module, so that
-- an error value that is one of them (emit('error', t) raises t itself) is
-- recognised as ours. Weak keys: a live error value keeps its entry.
local known = setmetatable({}, { __mode = "k" })
F.known = known
local function mark(v)
  known[v] = true
  return v
end
F.mark = mark

F.marker = mark({ "fuzz marker" })
F.errobj = setmetatable({ name = "Error", code = "EFUZZ", message = "fuzz error object" }, dgram.Error)
mark(F.errobj)
mark(dgram.Socket)
mark(dgram.Error)
mark(dgram)

-- An error value is acceptable when it is a dgram.Error, a string, or one
-- of the values the harness made.
local function ok_err(e)
  local t = type(e)
  return t == "string" or (t == "table" and (getmetatable(e) == dgram.Error or known[e] ~= nil))
end
F.ok_err = ok_err

---------------------------------------------------------------------------
-- Per-input state.
local slots, all, timers, immediates, ctrls, twice
local budget = 0 -- actions left in this input (see action)

function F.reset()
  budget = 200
  slots = {}                                 -- slot -> socket
  all = setmetatable({}, { __mode = "k" })   -- every socket of this input
  timers, immediates, ctrls = {}, {}, {}
  twice = setmetatable({}, { __mode = "k" }) -- sockets whose look-up answers twice
  F.slots = slots
end
F.reset()

local function lo(s)
  local st = type(s) == "table" and rawget(s, "_state")
  return st and st.family == 6 and "::1" or "127.0.0.1"
end

-- The bound port of slot k, or a port in the harness's own range (29100+,
-- below the ephemeral range, so never someone else's socket).
local function port_of(k)
  local s = slots[(k or 0) % 6 + 1]
  if s then
    local ok, a = pcall(s.address, s)
    if ok and type(a) == "table" and math.type(a.port) == "integer" then
      return a.port
    end
  end
  return 29100 + (k or 0) % 8
end
F.port_of = port_of

-- Port residues the harness may send to or bind: < 1024 (nothing listens on
-- loopback there), its own range, and above the ephemeral range.
local function safe_residue(r)
  return r < 1024 or (r >= 29100 and r < 29116) or r >= 61000
end

local function residue(n)
  if type(n) ~= "number" or n ~= n or n == math.huge or n == -math.huge then
    return 0
  end
  n = n >= 0 and math.floor(n) or -math.floor(-n)
  return math.tointeger(n % 4294967296 % 65536) or 0
end

-- A string in a send/connect/bind argument: as an address it must not be a
-- non-loopback IP (as C parses it); as a number (Lua's or JavaScript's
-- grammar) its port residue must be safe.
function F.netstr(s, v6)
  if fz.unsafe_dest(s) then
    return v6 and "::1" or "127.0.0.1"
  end
  local ok1, n1 = pcall(tonumber, s:match("^%s*(.-)%s*$"))
  local ok2, n2 = pcall(js.tonumber, s)
  if (ok1 and n1 and not safe_residue(residue(n1))) or (ok2 and n2 == n2 and not safe_residue(residue(n2))) then
    return "z" .. s
  end
  return s
end

-- The numeric half of netstr alone (a bind address may be any IP).
function F.portstr(s)
  local ok1, n1 = pcall(tonumber, s:match("^%s*(.-)%s*$"))
  local ok2, n2 = pcall(js.tonumber, s)
  if (ok1 and n1 and not safe_residue(residue(n1))) or (ok2 and n2 == n2 and not safe_residue(residue(n2))) then
    return "z" .. s
  end
  return s
end

---------------------------------------------------------------------------
-- DNS guard: the default look-up calls core.getaddrinfo for every name that
-- is not an IP literal. Only names that resolve locally to loopback reach
-- the real one; any other name is answered with a look-up error, through
-- the real C path (a look-up of the loopback literal) so that the
-- asynchronous completion is still exercised.
local real_gai = core.getaddrinfo
local SAFE_NAMES = {
  [4] = { ["127.0.0.1"] = true, localhost = true },
  [6] = { ["::1"] = true },
}
local e = core.errno
local FAKE = { e.EAI_NONAME, e.EAI_AGAIN, e.EAI_FAIL, e.EAI_NODATA, e.EAI_MEMORY, e.ENOMEM, -9999 }
F.dns_pending = 0

core.getaddrinfo = function(host, family, cb)
  local name = type(host) == "string" and host:match("^[^%z]*") or nil
  local safe = fz.real_dns or (name ~= nil and SAFE_NAMES[family] ~= nil and SAFE_NAMES[family][name])
  local fake
  if not safe then
    fake = FAKE[#(name or "") % #FAKE + 1]
    host = family == 6 and "::1" or "127.0.0.1"
  end
  local done = false
  F.dns_pending = F.dns_pending + 1
  local err = real_gai(host, family, function(status, ip, fam)
    if done then
      fz.trap("getaddrinfo completion called twice")
    end
    done = true
    F.dns_pending = F.dns_pending - 1
    if fake then
      return cb(fake)
    end
    return cb(status, ip, fam)
  end)
  if err ~= 0 then
    done = true
    F.dns_pending = F.dns_pending - 1
  end
  return err
end

---------------------------------------------------------------------------
-- Actions: what a listener or callback does when called. `s` is the socket
-- it belongs to (nil for a free-standing callback).
local noop = mark(function() end)

local function action_body(slot, kind, sub)
  local s = slots[slot]
  if kind == 0 then
    return noop
  elseif kind == 1 then
    return function() error("fuzz: callback raised", 0) end
  elseif kind == 2 then
    return function() error(F.errobj, 0) end
  elseif kind == 3 then
    return function() error(F.marker, 0) end
  elseif kind == 4 then
    return function() if s then s:close() end end
  elseif kind == 5 then   -- a reply without callback: the receive batch path
    return function() if s then s:send("pong", port_of(sub), lo(s)) end end
  elseif kind == 6 then
    return function() if s then s:send({ "a", "bc" }, port_of(sub), lo(s), noop) end end
  elseif kind == 7 then   -- run() is not reentrant
    return function() dgram.run("nowait") end
  elseif kind == 8 then
    return function() if s then s:removeAllListeners() end end
  elseif kind == 9 then
    return function() if s then s:disconnect() end end
  elseif kind == 10 then
    return function() dgram.nextTick(noop); dgram.setImmediate(noop) end
  elseif kind == 11 then
    return function() if s then s:unref(); s:ref() end end
  elseif kind == 12 then
    return function()
      local o = slots[sub % 6 + 1]
      if o then o:close() end
    end
  elseif kind == 13 then
    return function() if s then s:connect(port_of(sub)) end end
  elseif kind == 14 then
    return function() if s then s:setTTL(sub % 300); s:setBroadcast(sub % 2 == 0) end end
  else
    return function() if s then s:send(("x"):rep(sub * 97 % 70000), port_of(sub), lo(s)) end end
  end
end

-- Each input may run a bounded number of actions: an 'error' listener that
-- sends again through a look-up that fails would otherwise go on forever
-- through nextTick, as it would in Node.
local function action(slot, kind, sub)
  kind = kind % 16
  if kind == 0 then
    return noop
  end
  local body = action_body(slot, kind, sub)
  return function(...)
    if budget <= 0 then
      return
    end
    budget = budget - 1
    return body(...)
  end
end

-- A free-standing callback or listener (no argument checks).
function F.fn(slot, kind, sub)
  return mark(action(slot, kind, sub))
end

-- A send callback: called at most once, with (nil, bytes) or (err).
function F.sendcb(slot, kind, sub)
  local s = slots[slot]
  local inner = action(slot, kind, sub)
  local calls = 0
  return mark(function(err, bytes, ...)
    calls = calls + 1
    if calls > 1 and not (s and twice[s]) then
      fz.trap("send callback called twice")
    end
    if err == nil then
      if math.type(bytes) ~= "integer" or bytes < 0 then
        fz.trap("send callback: success without a byte count: " .. tostring(bytes))
      end
    elseif not ok_err(err) then
      fz.trap("send callback: bad error value: " .. tostring(err))
    end
    return inner(err, bytes, ...)
  end)
end

-- Checks what a real datagram brings: (msg, rinfo) with Node's rinfo.
local function check_message(msg, rinfo)
  if fz.ignore_rinfo or type(rinfo) ~= "table" or known[rinfo] or all[rinfo] or type(msg) ~= "string" then
    return -- emitted by the harness itself
  end
  if type(rinfo.address) ~= "string" or (rinfo.family ~= "IPv4" and rinfo.family ~= "IPv6")
    or math.type(rinfo.port) ~= "integer" or rinfo.size ~= #msg then
    fz.trap(("'message' listener got a bad rinfo: address=%s family=%s port=%s size=%s #msg=%d")
      :format(tostring(rinfo.address), tostring(rinfo.family), tostring(rinfo.port),
        tostring(rinfo.size), #msg))
  end
end

local function check_error_arg(err)
  if not ok_err(err) and err ~= nil and type(err) ~= "number" and type(err) ~= "boolean" then
    -- emit('error', x) passes x through: only harness values and
    -- dgram.Error objects can arrive here
    if type(err) == "table" then
      fz.trap("'error' listener got a foreign table: " .. tostring(err))
    end
  end
end

-- A listener for `event` on the socket in `slot`.
function F.listener(slot, event, kind, sub)
  local inner = action(slot, kind, sub)
  if event == "message" then
    return mark(function(msg, rinfo, ...)
      check_message(msg, rinfo)
      return inner(msg, rinfo, ...)
    end)
  elseif event == "error" then
    return mark(function(err, ...)
      check_error_arg(err)
      return inner(err, ...)
    end)
  end
  return mark(inner)
end

local EVENTS = { "message", "error", "listening", "close", "connect" }

-- Registers a new socket in `slot` and gives it listeners: for each event,
-- 2 bits of `bits` say none / on / once / two listeners.
function F.adopt(slot, s, bits, kinds)
  if type(s) ~= "table" then
    return
  end
  slots[slot] = s
  all[s] = true
  mark(s)
  for i, ev in ipairs(EVENTS) do
    local how = (bits >> (2 * (i - 1))) & 3
    local kind = (kinds >> (4 * (i - 1))) & 15
    if how == 1 then
      s:on(ev, F.listener(slot, ev, kind, i))
    elseif how == 2 then
      s:once(ev, F.listener(slot, ev, kind, i))
    elseif how == 3 then
      s:on(ev, F.listener(slot, ev, kind, i))
      s:prependListener(ev, F.listener(slot, ev, (kind + 3) % 16, i + 1))
    end
  end
end

-- Drops the harness's reference (the socket may be collected: __gc path).
function F.drop(slot)
  slots[slot] = nil
end

function F.sock(slot)
  return slots[slot]
end

-- The raw handle userdata of a socket (a hostile argument).
function F.handle(slot)
  local s = slots[slot]
  return s and rawget(s, "_state") and s._state.handle
end

-- FUZZ_TAMPER=1: a script overwrites a socket's internal fields, as Lua
-- code may (_events, _state and its fields). Errors may then come from
-- anywhere; memory safety and a usable loop must not go.
function F.tamper(slot, k, sub)
  local s = slots[slot]
  if type(s) ~= "table" then
    return
  end
  local st = rawget(s, "_state")
  local other = slots[sub % 6 + 1]
  k = k % 8
  if k == 0 then
    rawset(s, "_events", F.tbl(sub))
  elseif k == 1 then
    rawset(s, "_events", sub % 2 == 0 and 5 or nil)
  elseif k == 2 and st then
    local t = dgram.setTimeout(noop, 100000)
    F.track_timer(t)
    st.handle = t._handle
  elseif k == 3 and st then
    st.handle = io.stdout
  elseif k == 4 and st and other then
    st.handle = rawget(other, "_state") and other._state.handle
  elseif k == 5 and st then
    st.fast = sub % 2 == 0
  elseif k == 6 then
    rawset(s, "_state", sub % 2 == 0 and {} or nil)
  elseif st then
    st.family = sub % 3 == 0 and 6 or sub % 3 == 1 and 4 or "x"
  end
end

---------------------------------------------------------------------------
-- Custom look-ups (options.lookup). Addresses they answer are loopback or
-- unparsable, as C parses them.
local BIG = ("x"):rep(65536)
local LOOKUP_ADDRS = {
  "127.0.0.1", "::1", "::ffff:127.0.0.1", "127.0.0.1\0junk", "::1%lo", "", "localhost",
  "1.2.3.256", BIG, "::1%" .. ("z"):rep(300), 5, mark({}), true, "::1]", "0:0:0:0:0:0:0:1",
}

function F.lookup(kind, sub)
  kind = kind % 13
  local addr = LOOKUP_ADDRS[sub % #LOOKUP_ADDRS + 1]
  local function fam_lo(family)
    return family == 6 and "::1" or "127.0.0.1"
  end
  local f
  if kind == 0 then
    f = function(_, family, cb) cb(nil, fam_lo(family), family) end
  elseif kind == 1 then
    f = function(_, family, cb) dgram.nextTick(cb, nil, fam_lo(family), family) end
  elseif kind == 2 then
    f = function(_, family, cb) dgram.setImmediate(cb, nil, fam_lo(family), family) end
  elseif kind == 3 then
    f = function(_, _, cb) cb(F.errobj) end
  elseif kind == 4 then
    f = function(_, _, cb) cb("fuzz: lookup failed") end
  elseif kind == 5 then
    f = function() end -- never answers
  elseif kind == 6 then
    f = function(_, family, cb)
      cb(nil, fam_lo(family), family)
      cb(nil, fam_lo(family), family)
    end
  elseif kind == 7 then
    f = function() error("fuzz: lookup raised", 0) end
  elseif kind == 8 then
    f = function(_, family, cb) cb(nil, addr, family) end
  elseif kind == 9 then
    f = function(_, family, cb) cb(nil, fam_lo(family), tostring(family)) end
  elseif kind == 10 then
    f = function(_, _, cb) cb(F.marker) end
  elseif kind == 11 then
    f = function(_, family, cb)
      cb(nil, fam_lo(family), family)
      cb(F.errobj)
    end
  else
    f = function(_, family, cb) dgram.nextTick(cb, nil, addr, family) end
  end
  return mark(f), (kind == 6 or kind == 11)
end

-- Marks the socket of slot as one whose look-up may answer twice.
function F.twice(slot)
  if slots[slot] then
    twice[slots[slot]] = true
  end
end

---------------------------------------------------------------------------
-- Hostile and ordinary tables.
local function deep(n)
  local t = {}
  local cur = t
  for _ = 1, n do
    cur[1] = {}
    cur = cur[1]
  end
  return t
end

local TABLES = {
  function() return {} end,
  function() return { "a", "b", "c" } end,
  function() return { "a", nil, "c" } end,
  function() return { 1, 2 } end,
  function() return { BIG, "y" } end,
  function() local t = {} for i = 1, 20 do t[i] = ("p"):rep(i) end return t end,
  function() local t = {} for i = 1, 1000 do t[i] = "" end return t end,
  function()
    return setmetatable({}, {
      __index = function() error("fuzz: __index", 0) end,
      __len = function() error("fuzz: __len", 0) end,
      __tostring = function() error("fuzz: __tostring", 0) end,
    })
  end,
  function() return setmetatable({}, { __tostring = function() return {} end }) end,
  function() return setmetatable({ "a" }, { __len = function() return 2 ^ 40 end }) end,
  function() return { type = "udp4" } end,
  function() local t = {} t.t = t t[1] = t return t end,
  function() return deep(300) end,
  function() return { port = 29100, address = "127.0.0.1" } end,
  function() return { address = "::1", port = "29101", exclusive = true } end,
  function() return { address = "127.0.0.1", family = "IPv4", port = 29100, size = 3 } end,
  function() return { [1] = "a", [3] = "c" } end,
  function() return { "x", slots[1] or "y" } end,
  function() return { n = 5 } end,
  function() return { [1.5] = "x", [-1] = "y", [0] = "z" } end,
  function() return setmetatable({}, { __name = "Hostile\0Name", __index = function(_, k) return k end }) end,
  function() return { aborted = false } end,
  function() return setmetatable({ "a", "b" }, dgram.Error) end,
  function() return { fd = 0 } end,
  function() return { [("k"):rep(1000)] = ("v"):rep(1000), nested = { deeper = { 1, 2, 3 } } } end,
  function() return { "\0", "\255\254", "\u{1F600}", "\xED\xA0\x80" } end,
}

function F.tbl(k)
  return mark(TABLES[k % #TABLES + 1]())
end

---------------------------------------------------------------------------
-- Odd values: coroutines, userdata, signals, controllers.
function F.special(k)
  k = k % 8
  if k == 0 then
    return mark(coroutine.create(noop))
  elseif k == 1 then
    return io.stdout
  elseif k == 2 then
    local c = dgram.AbortController()
    ctrls[#ctrls + 1] = c
    return mark(c.signal)
  elseif k == 3 then
    local c = dgram.AbortController()
    c:abort()
    return mark(c.signal)
  elseif k == 4 then
    return F.errobj
  elseif k == 5 then
    return F.marker
  elseif k == 6 then
    return mark(dgram.AbortController())
  else
    return mark(require("dgram.events").new())
  end
end

-- An AbortSignal for options.signal; its controller is kept for abort ops.
function F.signal(k)
  local c = dgram.AbortController()
  ctrls[#ctrls + 1] = c
  if k % 4 == 0 then
    c:abort(k % 8 == 0 and "fuzz: reason" or nil)
  end
  return mark(c.signal)
end

function F.abort(k, reason)
  local c = ctrls[k % math.max(#ctrls, 1) + 1]
  if c then
    c:abort(reason)
  end
end

---------------------------------------------------------------------------
-- Timers made by the harness are kept so that the clean-up can clear them.
function F.track_timer(t)
  if type(t) == "table" then
    timers[#timers + 1] = t
  end
end

function F.track_immediate(t)
  if type(t) == "table" then
    immediates[#immediates + 1] = t
  end
end

function F.timer(k)
  if #timers == 0 then
    return nil
  end
  return timers[k % #timers + 1]
end

function F.immediate(k)
  if #immediates == 0 then
    return nil
  end
  return immediates[k % #immediates + 1]
end

---------------------------------------------------------------------------
-- Clean-up helpers.

-- Every socket of this input still alive, as a sequence.
function F.sockets()
  local list = {}
  for s in pairs(all) do
    list[#list + 1] = s
  end
  return list
end

function F.clear_timers()
  for _, t in ipairs(timers) do
    dgram.clearTimeout(t)
  end
  for _, im in ipairs(immediates) do
    dgram.clearImmediate(im)
  end
end

-- A debug aid for a Lua heap that grows: the biggest tables reachable from
-- the registry (upvalues of functions included), by entry count, with a
-- path to each. FUZZ_VERBOSE prints it with the heap size.
function F.census(top)
  local seen, list = {}, {}
  local function walk(v, path, depth)
    local t = type(v)
    if (t ~= "table" and t ~= "function") or seen[v] or depth > 12 then
      return
    end
    seen[v] = true
    if t == "function" then
      for i = 1, 255 do
        local name, up = debug.getupvalue(v, i)
        if name == nil then break end
        walk(up, path .. "^" .. name, depth + 1)
      end
      return
    end
    local n, bytes = 0, 0
    for k, x in next, v do
      n = n + 1
      if type(k) == "string" then bytes = bytes + #k end
      if type(x) == "string" then bytes = bytes + #x end
    end
    list[#list + 1] = { n = n, bytes = bytes, path = path }
    for k, x in next, v do
      walk(x, path .. "." .. tostring(k):sub(1, 24), depth + 1)
      if type(k) == "table" or type(k) == "function" then walk(k, path .. ".<key>", depth + 1) end
    end
    local mt = debug.getmetatable(v)
    if mt then walk(mt, path .. ".<mt>", depth + 1) end
  end
  walk(debug.getregistry(), "R", 0)
  table.sort(list, function(a, b) return a.n + a.bytes / 64 > b.n + b.bytes / 64 end)
  local out = {}
  for i = 1, math.min(top or 8, #list) do
    out[#out + 1] = ("  %6d entries %8d string bytes  %s"):format(list[i].n, list[i].bytes, list[i].path)
  end
  return table.concat(out, "\n")
end

function F.open_handles()
  local live, active = core.open_handles()
  return live, active, core.pending_errors(), F.dns_pending
end

return F
