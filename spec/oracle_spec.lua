-- Node's dgram as the oracle: every case runs in Node (spec/oracle/run.js)
-- and here, and what happens must match. A case is {state, method, args}:
--   unbound, bound, closed: the method is called on a socket in that
--     state; what it raises (error class, code, message) or returns.
--   peer: a socket listens on 127.0.0.1:P (reuseAddr, so that a case may
--     bind to P too) and the method is called on a fresh reuseAddr socket;
--     what it raises, else what follows: 'listening' and the port bound
--     (bind), 'connect' and the remote port (connect), what P receives (a
--     send to P) or what the send callback gets (a send elsewhere), or
--     'error' and its code. In args, '{P}' is P and {d} {x} {X} {o} {b}
--     {e} {E} inside a string are P written out (spec/oracle/numbers.json);
--     ports read 'P', '65536-P', 'ephemeral' (the kernel's pick) or their
--     number, and P is written back as its template in messages.
--   create: createSocket(args...) and, if it passed, a bind: 'listening'
--     or 'error' and its code.
-- The cases: spec/oracle/cases.json, then each string form of a number of
-- spec/oracle/numbers.json in each of its uses.
local dgram = require "dgram"
local json = require "dkjson"
local h = require "helpers"
local unpack = table.unpack or unpack

local EPHEMERAL_LOW, EPHEMERAL_HIGH
do
  local f = assert(io.open("/proc/sys/net/ipv4/ip_local_port_range"))
  EPHEMERAL_LOW, EPHEMERAL_HIGH = f:read("*n", "*n")
  f:close()
end

local function strip(t)
  if type(t) == "table" then
    setmetatable(t, nil)
    for _, v in pairs(t) do strip(v) end
  end
  return t
end

-- The JSON of a file; dkjson's metatables are kept, so that the cases
-- encode again as they were ({} stays an object).
local function readjson(path)
  local f = assert(io.open(path))
  local v = assert(json.decode(f:read("*a"), 1, json.null))
  f:close()
  return v
end

local function decodeArg(v)
  if v == json.null or v == "__undef__" then return nil end
  if v == "__inf__" then return math.huge end
  return v
end

-- n written as numbers.json's placeholders ask (as run.js's FORMAT).
local FORMAT = {
  d = function(n) return ("%d"):format(n) end,
  x = function(n) return ("%x"):format(n) end,
  X = function(n) return ("%X"):format(n) end,
  o = function(n) return ("%o"):format(n) end,
  b = function(n)
    local s = ""
    repeat s, n = n % 2 .. s, math.floor(n / 2) until n == 0
    return s
  end,
  e = function(n)
    local s = ("%d"):format(n)
    local frac = s:sub(2):gsub("0+$", "")
    return s:sub(1, 1) .. (frac ~= "" and "." .. frac or "") .. "e+" .. #s - 1
  end,
}
FORMAT.E = function(n) return (FORMAT.e(n):upper():gsub("%+", "")) end

local function fill(s, n)
  return (s:gsub("{([dxXobeE])}", function(f) return FORMAT[f](n) end))
end

-- A copy of v with `form` where v has '#' (dkjson's metatables kept).
local function place(v, form)
  if v == "#" then return form end
  if type(v) ~= "table" or v == json.null then return v end
  local t = setmetatable({}, getmetatable(v))
  for k, x in pairs(v) do t[k] = place(x, form) end
  return t
end

local function loadCases()
  local cases = readjson("spec/oracle/cases.json")
  local numbers = readjson("spec/oracle/numbers.json")
  for _, use in ipairs(numbers.uses) do
    local state, method, args, n = unpack(use)
    for _, form in ipairs(numbers.forms) do
      cases[#cases + 1] = { state, method, place(args, n == "P" and form or fill(form, n)) }
    end
  end
  return cases
end

-- args with the peer's port in (see the head of this file); `written`
-- gets {written, template} for each string changed.
local function expand(v, P, written)
  if v == "{P}" then
    written.used = true
    return P
  end
  if type(v) == "string" then
    local s = fill(v, P)
    if s ~= v then
      written[#written + 1] = { s, v }
      written.used = true
    end
    return s
  end
  if type(v) ~= "table" or v == json.null then return v end
  local t = {}
  for k, x in pairs(v) do t[k] = expand(x, P, written) end
  return t
end

local function replace(s, from, to)
  local out, i = {}, 1
  while true do
    local a, b = s:find(from, i, true)
    if not a then break end
    out[#out + 1] = s:sub(i, a - 1) .. to
    i = b + 1
  end
  return table.concat(out) .. s:sub(i)
end

local function portOf(port, P)
  if port == P then return "P" end
  if port == 65536 - P then return "65536-P" end
  if port >= EPHEMERAL_LOW and port <= EPHEMERAL_HIGH then return "ephemeral" end
  return port
end

-- Calls f(...) and says what it returned or raised.
local function syncResult(f, ...)
  local ok, v = pcall(f, ...)
  if ok then
    local tv = type(v)
    return { ok = true, value = (tv == "number" or tv == "string" or tv == "boolean") and v or nil }
  end
  assert(type(v) == "table", "not an error object: " .. tostring(v))
  return { ok = false, name = v.name, code = v.code, message = v.message }
end

local function decodeArgs(args)
  local a = {}
  for k = 1, #args do a[k] = decodeArg(args[k]) end
  return a, #args
end

local function runState(state, method, args)
  local s = dgram.createSocket("udp4")
  s:on("error", function() end)
  local got
  local function call()
    local a, n = decodeArgs(args)
    got = syncResult(s[method], s, unpack(a, 1, n))
    pcall(s.close, s)
  end
  if state == "bound" then
    s:bind(0, "127.0.0.1", call)
  elseif state == "closed" then
    s:close()
    call()
  else
    call()
  end
  h.run()
  return got
end

-- P lies outside the kernel's ephemeral range, and so does 65536 - P: a
-- case's socket shares ports with the peer (reuseAddr), so the kernel's
-- pick for it could otherwise be P itself. The first such port that is
-- free; none (0): the kernel picks P.
local function findPeerPort()
  for port = 1024, math.min(EPHEMERAL_LOW, 65536 - EPHEMERAL_HIGH) - 1 do
    local probe, free = dgram.createSocket("udp4"), false
    probe:on("error", function() probe:close() end)
    probe:bind(port, "127.0.0.1", function()
      free = true
      probe:close()
    end)
    h.run()
    if free then return port end
  end
  return 0
end

local PEER_PORT

local function runPeer(method, args)
  local result, finish
  local peer = dgram.createSocket({ type = "udp4", reuseAddr = true })
  PEER_PORT = PEER_PORT or findPeerPort()
  peer:bind(PEER_PORT, "127.0.0.1", function()
    local P = peer:address().port
    local written = {}
    local a, n = decodeArgs(expand(args, P, written))
    local s = dgram.createSocket({ type = "udp4", reuseAddr = true })
    local timer
    function finish(r)
      if result then return end
      for _, w in ipairs(written) do
        if r.message then r.message = replace(r.message, w[1], w[2]) end
      end
      result = r
      dgram.clearTimeout(timer)
      pcall(s.close, s)
      peer:close()
    end
    s:on("error", function(e) finish({ ok = true, event = "error", code = e.code }) end)
    if method == "bind" then
      s:on("listening", function()
        finish({ ok = true, event = "listening", port = portOf(s:address().port, P) })
      end)
    elseif method == "connect" then
      -- a connect to port 0 passes, and leaves the socket with no peer
      s:on("connect", function()
        local okr, remote = pcall(s.remoteAddress, s)
        finish({ ok = true, event = "connect", port = okr and portOf(remote.port, P) or remote.code })
      end)
    elseif method == "send" then
      -- to P: what P gets; elsewhere: what the callback says
      peer:on("message", function(m) finish({ ok = true, event = "message", msg = m }) end)
      n = n + 1
      a[n] = function(err, bytes)
        if err then
          finish({ ok = true, event = "error", code = err.code })
        elseif not written.used then
          finish({ ok = true, event = "sent", bytes = bytes })
        end
      end
    end
    timer = dgram.setTimeout(function() finish({ ok = true, event = "timeout" }) end, 3000)
    local r = syncResult(s[method], s, unpack(a, 1, n))
    if not r.ok then finish(r) end
  end)
  -- An error raised in a callback or listener ends the case, as Node's
  -- uncaught exception does.
  local ok, e = pcall(dgram.run)
  if not ok then
    assert(type(e) == "table", "not an error object: " .. tostring(e))
    finish({ ok = true, event = "raised", name = e.name, code = e.code, message = e.message })
  end
  h.run(10000)
  return result
end

local function runCreate(args)
  local result, s
  local a, n = decodeArgs(args)
  local r = syncResult(function() s = dgram.createSocket(unpack(a, 1, n)) end)
  if not r.ok then return r end
  s:on("error", function(e)
    s:close()
    result = { ok = true, event = "error", code = e.code }
  end)
  s:bind(0, "127.0.0.1", function()
    s:close()
    result = { ok = true, event = "listening" }
  end)
  h.run()
  return result
end

-- Node's result with null as nil; nil renders as Node renders undefined
-- (API.md), where Node had null.
local function expected(want)
  local t = {}
  for k, v in pairs(want) do
    if v ~= json.null then t[k] = v end
  end
  if t.message then t.message = t.message:gsub("Received null", "Received undefined") end
  return t
end

describe("against Node's dgram", function()
  local cases = loadCases()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(json.encode(cases))
  f:close()
  local out, ok = h.sh("node spec/oracle/run.js " .. path)
  os.remove(path)
  assert(ok, out)
  local results = strip(assert(json.decode(out, 1, json.null)))
  strip(cases)

  for i, c in ipairs(cases) do
    local state, method, args = c[1], c[2], c[3]
    it(("%d, %s socket: %s(%s)"):format(i, state, method, json.encode(args):sub(2, -2)), function()
      local got
      if state == "peer" then
        got = runPeer(method, args)
      elseif state == "create" then
        got = runCreate(args)
      else
        got = runState(state, method, args)
      end
      assert.same(expected(results[i]), got)
    end)
  end
end)
