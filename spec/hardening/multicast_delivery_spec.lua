-- Counted multicast delivery across hosts made of two network namespaces of
-- our own joined by a veth pair: NS (the sender's host, vA, 10.200.0.1 and
-- fd00:200::1) and PEER (the receiving host, vB, 10.200.0.2 and
-- fd00:200::2). Nothing is sent outside them: the only interfaces are lo
-- and the veth pair, and neither namespace has a default route.
--
-- Each case runs one sender (a child of the Lua under test in NS) and one or two
-- receivers (children in PEER, or in NS for the loopback and TTL cases).
-- A case is a list of phases; each phase sends N numbered datagrams
-- (HARDEN_MCAST_COUNT: 2,000, SOAK=1: 100,000) of 24 to 200 bytes from a
-- fresh socket, and each receiver counts, per phase, what it got: every
-- payload is checked against its phase and sequence number (and rinfo's
-- size and family), duplicates and reordering are counted, and the rinfo
-- addresses are collected. Where a receiver is expected to get a phase's
-- datagrams, at least 99.9% must arrive, none corrupt or twice, all from
-- the expected address; where not, none may arrive.
--
-- Control traffic is unicast IPv4 between the children on a socket of
-- their own (PORT carries only the data): a receiver says "ready" until
-- the sender answers, which it does only once joined; the sender
-- heartbeats every 200 ms (a receiver gives up after 3 s of silence), and
-- after a phase sends a marker (with the count sent) until each receiver
-- has acknowledged it. A receiver acknowledges once it has every datagram
-- of the phase or nothing has arrived for 150 ms, and before that drops a
-- membership if the case says so. The sender fails after 8 s without any
-- progress; a failed sender's receivers are killed at once.
--
-- Pacing: the sender sends from a 1 ms interval timer, at most 50,000
-- datagrams a second and at most 2 ms' worth at once; while a receiver is
-- expected to get the datagrams, the sender also keeps at most 256 of them
-- beyond the highest sequence number that receiver has reported (it
-- reports every 2 ms), so the receive buffer (rmem_max caps the 4 MiB
-- asked for) cannot overflow even when the receiver is slow (ASan): a
-- datagram lost to a full buffer would be an artefact of the test, not a
-- loss by the module. (A receiver that reports nothing for a second, e.g.
-- one whose join failed, stops holding the sender back.) The kernel's UDP
-- RcvbufErrors of both namespaces are reported.
--
-- TTL 0, as measured here on Linux 6.18 and with Node 20 in the same
-- namespaces: a datagram with TTL / hop limit 0 stays on the host only
-- when the sending host is itself a member of the group (IPv4: the copy
-- for the wire is dropped whether or not loopback is on; IPv6: only when
-- loopback is on). Without a member on the sending host it goes out over
-- the veth with TTL 0 and the peer delivers it. The TTL cases assert that.
local support = require "hardening.support"

local COUNT = support.size("HARDEN_MCAST_COUNT", 2000, 100000)
local RATE = 50000 -- datagrams per second, at most
local WINDOW = 256 -- datagrams ahead of a receiver's report, at most
local PORT, CTL_PORT = 5000, 6999
local RATIO = 0.999

local SETUP = {
  -- the peer namespace: addresses usable at once (no DAD), lo up
  "ip netns exec $PEER sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
  "ip -n $PEER link set lo up",
  "ip -n $NS link add vA type veth peer name vB netns $PEER",
  "ip -n $NS addr add 10.200.0.1/24 dev vA",
  "ip -n $NS -6 addr add fd00:200::1/64 dev vA nodad",
  "ip -n $PEER addr add 10.200.0.2/24 dev vB",
  "ip -n $PEER -6 addr add fd00:200::2/64 dev vB nodad",
  "ip -n $NS link set vA up",
  "ip -n $PEER link set vB up",
  -- IPv4 multicast routes (joins with INADDR_ANY, sends without an interface)
  "ip -n $NS route add 224.0.0.0/4 dev vA",
  "ip -n $PEER route add 224.0.0.0/4 dev vB",
  -- site-local IPv6 multicast out of vA (the kernel's ff00::/8 route in
  -- the local table would do too, with vA the only multicast interface)
  "ip -n $NS -6 route add ff05::/16 dev vA",
}
-- A second source address on the sender's host, for the source-specific cases.
local SECOND_SOURCE = {
  "ip -n $NS addr add 10.200.0.3/24 dev vA",
  "ip -n $NS -6 addr add fd00:200::3/64 dev vA nodad",
}

-- Shared by both ends: the payload of datagram `seq` of phase `ph` (the
-- children's prelude, support.PRELUDE, has bitset()).
local SHARED = [==[
local function payload(ph, seq)
  local head = ("D%d|%d|"):format(ph, seq)
  local len = 24 + (seq * 7919) % 177
  local unit = string.char(65 + seq % 26, 97 + math.floor(seq / 26) % 26, 48 + (seq + ph) % 10, (seq * 31 + ph) % 256)
  return (head .. unit:rep(math.floor((len - #head) / 4) + 1)):sub(1, len)
end
local dgram = require "dgram"
local core = require "dgram.core"
]==]

local SENDER = [==[
local N, RATE, WINDOW = CFG.count, CFG.rate, CFG.window
local MAXBURST = math.max(1, math.floor(RATE / 1000) * 2)
local names, peers = CFG.receivers, {}
for _, n in ipairs(names) do peers[n] = { progress = {}, acked = {} } end
local ready, current = 0, 0
local ctl = dgram.createSocket("udp4")
local startPhase, finish, heartbeat

-- Bounded waits: the whole run, and any stretch of STALL ms in which no
-- receiver said anything and nothing was sent (a receiver that failed).
local STALL = 8000
local lastEvent = dgram.now()
local watchdog = dgram.setTimeout(function()
  error(("sender: phase %d not done after %d ms (ready receivers: %d)"):format(current, CFG.timeout_ms, ready), 0)
end, CFG.timeout_ms)
local stallCheck = dgram.setInterval(function()
  core.update_time()
  if dgram.now() - lastEvent > STALL then
    error(("sender: stalled in phase %d for %d ms (ready receivers: %d of %d)")
      :format(current, STALL, ready, #names), 0)
  end
end, 100)

ctl:on("message", function(msg, rinfo)
  lastEvent = dgram.now()
  local kind, name, a, b = msg:match("^(%u) (%S+) ?(%d*) ?(%d*)$")
  local p = name and peers[name]
  if not p then return end
  if kind == "R" then
    if not p.port then
      p.addr, p.port = rinfo.address, rinfo.port
      ready = ready + 1
    end
    ctl:send("G", rinfo.port, rinfo.address)
    if ready == #names and current == 0 then startPhase(1) end
  elseif kind == "P" then
    p.lastReport = dgram.now()
    local i, seq = tonumber(a), tonumber(b)
    if seq > (p.progress[i] or 0) then p.progress[i] = seq end
  elseif kind == "A" then
    p.acked[tonumber(a)] = true
  elseif kind == "Z" then
    p.done = true
  end
end)
ctl:bind(CFG.ctl_port)
heartbeat = dgram.setInterval(function()
  for _, n in ipairs(names) do
    local p = peers[n]
    if p.port then ctl:send("H", p.port, p.addr) end
  end
end, 200)

function startPhase(i)
  current = i
  local ph = CFG.phases[i]
  local s = dgram.createSocket(ph.family)
  local sent, cbs, errs, firstErr = 0, 0, 0, "-"
  local function onSent(err)
    cbs = cbs + 1
    if err then
      errs = errs + 1
      if firstErr == "-" then firstErr = tostring(err.message):gsub("%s", "_") end
    end
  end
  local function onBound()
    if ph.ttl then s:setMulticastTTL(ph.ttl) end
    if ph.loop ~= nil then s:setMulticastLoopback(ph.loop) end
    if ph.iface then s:setMulticastInterface(ph.iface) end
    core.update_time()
    local t0 = dgram.now()
    local held = 0 -- pacer ticks where a receiver's window held the sender back
    local gaveUp = {}
    local pacer
    pacer = dgram.setInterval(function()
      core.update_time()
      local due = math.min(N, math.floor((dgram.now() - t0) * RATE / 1000) + 1, sent + MAXBURST)
      for _, n in ipairs(ph.paced_by) do
        local p = peers[n]
        local limit = (p.progress[i] or 0) + WINDOW
        if limit < due and not gaveUp[n] then
          -- a receiver that reports nothing for a second gets nothing
          -- (a failed join): send on without its window, so that the
          -- phase ends and its count shows what arrived
          if dgram.now() - math.max(p.lastReport or 0, t0) > 1000 then
            gaveUp[n] = true
            figure(ph.name .. "_window_given_up_" .. n, sent)
          else
            due = limit
            held = held + 1
          end
        end
      end
      if sent < due then lastEvent = dgram.now() end
      while sent < due do
        sent = sent + 1
        s:send(payload(i, sent), CFG.port, ph.dest, onSent)
      end
      if sent < N or cbs < N then return end
      dgram.clearInterval(pacer)
      core.update_time()
      local ms = dgram.now() - t0
      s:close()
      figure(ph.name .. "_sent", sent)
      figure(ph.name .. "_send_errors", errs)
      if errs > 0 then figure(ph.name .. "_send_first_error", firstErr) end
      figure(ph.name .. "_send_ms", ms)
      figure(ph.name .. "_window_held_ticks", held)
      -- the marker, until every receiver has acknowledged the phase
      local marker
      local function mark()
        local all = true
        for _, n in ipairs(names) do
          local p = peers[n]
          if not p.acked[i] then
            all = false
            ctl:send(("M %d %d"):format(i, sent), p.port, p.addr)
          end
        end
        if all then
          dgram.clearInterval(marker)
          if i < #CFG.phases then startPhase(i + 1) else finish() end
        end
      end
      marker = dgram.setInterval(mark, 50)
      mark()
    end, 1)
  end
  if ph.bind then s:bind(0, ph.bind, onBound) else s:bind(0, onBound) end
end

function finish()
  current = #CFG.phases + 1
  local tries = 0
  local t
  t = dgram.setInterval(function()
    tries = tries + 1
    local all = true
    for _, n in ipairs(names) do
      local p = peers[n]
      if not p.done then all = false; ctl:send("E", p.port, p.addr) end
    end
    if all or tries > 40 then
      dgram.clearInterval(t)
      dgram.clearInterval(heartbeat)
      dgram.clearInterval(stallCheck)
      dgram.clearTimeout(watchdog)
      ctl:close()
    end
  end, 50)
end

core.update_time()
local started = dgram.now()
dgram.run()
core.update_time()
figure("sender_run_ms", dgram.now() - started)
figure("sender_live_handles_end", (core.open_handles()))
]==]

local RECEIVER = [==[
local NAME = CFG.name
-- QUIET: the wait for more datagrams after a marker; IDLE: the longest
-- silence of the sender (it heartbeats every 200 ms) before a receiver
-- gives up, longer while it has not answered yet (start-up under ASan)
local QUIET, IDLE, IDLE_START = 150, 3000, 10000
do
  local f = assert(io.open(CFG.pidfile, "w"))
  f:write(PID)
  f:close()
end
-- udp6 receivers are IPv6-only: a udp4 receiver may share the port
local s = dgram.createSocket({ type = CFG.family, ipv6Only = CFG.family == "udp6",
  recvBufferSize = 4 * 1024 * 1024 })
local ctl = dgram.createSocket("udp4")
local stats, bits, closed, finishing = {}, {}, {}, {}
local latest, other = 0, 0
local function stat(i)
  local st = stats[i]
  if not st then
    st = { received = 0, unique = 0, dup = 0, corrupt = 0, ooo = 0, maxseq = 0, from = {}, last = 0 }
    stats[i], bits[i] = st, bitset()
  end
  return st
end

s:on("message", function(msg, rinfo)
  local i, seq = msg:match("^D(%d+)|(%d+)|")
  i, seq = tonumber(i), tonumber(seq)
  if not i or not CFG.phases[i] then other = other + 1 return end
  local st = stat(i)
  st.received = st.received + 1
  if seq < 1 or seq > CFG.count or msg ~= payload(i, seq) or rinfo.size ~= #msg
      or rinfo.family ~= CFG.rinfo_family then
    st.corrupt = st.corrupt + 1
  elseif bits[i](seq) then
    st.dup = st.dup + 1
  else
    st.unique = st.unique + 1
  end
  if seq < st.maxseq then st.ooo = st.ooo + 1 else st.maxseq = seq end
  local a = rinfo.address
  st.from[a] = (st.from[a] or 0) + 1
  st.last = dgram.now()
  latest = i
end)

local sender, go, tick
core.update_time()
local lastCtl, lastReady, lastReport, reported = dgram.now(), -1000, 0, -1

local function done()
  if not tick then return end
  dgram.clearInterval(tick)
  tick = nil
  for i, name in ipairs(CFG.phases) do
    local st = stat(i)
    local from = {}
    for a in pairs(st.from) do from[#from + 1] = a end
    table.sort(from)
    local p = name .. "_" .. NAME .. "_"
    figure(p .. "received", st.received)
    figure(p .. "unique", st.unique)
    figure(p .. "duplicate", st.dup)
    figure(p .. "corrupt", st.corrupt)
    figure(p .. "out_of_order", st.ooo)
    figure(p .. "from", #from > 0 and table.concat(from, ",") or "-")
  end
  figure(NAME .. "_other_datagrams", other)
  s:close()
  ctl:close()
end

ctl:on("message", function(msg, rinfo)
  lastCtl = dgram.now()
  local kind, a, b = msg:match("^(%u) ?(%d*) ?(%d*)$")
  if kind == "G" then
    go = true
    sender = sender or { rinfo.address, rinfo.port }
  elseif kind == "M" then
    local i, sent = tonumber(a), tonumber(b)
    if closed[i] then
      ctl:send(("A %s %d"):format(NAME, i), rinfo.port, rinfo.address)
    elseif not finishing[i] then
      finishing[i] = { sent = sent, t = dgram.now() }
    end
  elseif kind == "E" then
    ctl:send("Z " .. NAME, rinfo.port, rinfo.address)
    done()
  end
end)

local function act(i)
  for _, k in ipairs(CFG.after[i] or {}) do
    local j = CFG.joins[k]
    if j.source then
      s:dropSourceSpecificMembership(j.source, j.group, j.iface)
    else
      s:dropMembership(j.group, j.iface)
    end
  end
end

s:bind(CFG.port, CFG.bind, function()
  for _, j in ipairs(CFG.joins) do
    if j.source then
      s:addSourceSpecificMembership(j.source, j.group, j.iface)
    else
      s:addMembership(j.group, j.iface)
    end
  end
  ctl:bind(0, function()
    tick = dgram.setInterval(function()
      core.update_time()
      local now = dgram.now()
      local idle = go and IDLE or IDLE_START
      if now - lastCtl > idle then
        error(("receiver %s: no word from the sender for %d ms"):format(NAME, idle), 0)
      end
      if not go then
        if now - lastReady >= 20 then
          lastReady = now
          ctl:send("R " .. NAME, CFG.ctl_port, CFG.ctl_addr)
        end
        return
      end
      -- progress report: the highest sequence number of the latest phase
      if latest > 0 and not closed[latest] then
        local m = stats[latest].maxseq
        if m ~= reported or now - lastReport >= 20 then
          reported, lastReport = m, now
          ctl:send(("P %s %d %d"):format(NAME, latest, m), sender[2], sender[1])
        end
      end
      for i, f in pairs(finishing) do
        local st = stat(i)
        if st.unique >= f.sent or now - math.max(f.t, st.last) >= QUIET then
          finishing[i] = nil
          closed[i] = true
          act(i)
          ctl:send(("A %s %d"):format(NAME, i), sender[2], sender[1])
        end
      end
    end, 2)
  end)
end)

dgram.run()
figure(NAME .. "_live_handles_end", (core.open_handles()))
]==]

-- A Lua literal of a value made of tables, strings, numbers and booleans.
local function literal(v)
  if type(v) == "table" then
    local parts = {}
    for k, x in pairs(v) do
      parts[#parts + 1] = ("[%s]=%s"):format(literal(k), literal(x))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif type(v) == "string" then
    return ("%q"):format(v)
  end
  return tostring(v)
end

-- UDP receive-buffer drops (IPv4 + IPv6) counted by a namespace's kernel,
-- from its /proc/net/snmp and /proc/net/snmp6.
local function rcvbufErrors(snmp)
  local total = 0
  local names, values = snmp:match("Udp: (%u[^\n]*)\nUdp: ([^\n]*)")
  if names then
    local i, cols, vals = 0, {}, {}
    for n in names:gmatch("%S+") do i = i + 1; cols[n] = i end
    for v in values:gmatch("%S+") do vals[#vals + 1] = tonumber(v) end
    total = total + (vals[cols.RcvbufErrors] or 0)
  end
  total = total + (tonumber(snmp:match("Udp6RcvbufErrors%s+(%d+)")) or 0)
  return total
end

-- The link-local address of vA (the sender's interface).
local function linkLocal(ns)
  local out = support.sh("ip -n " .. ns.name .. " -6 addr show dev vA scope link")
  return out:match("inet6 (fe80:[%x:]+)/")
end

-- Runs a case: c.receivers (name, where = "peer" | "here", family, bind,
-- joins, after = { [phase name] = { join index, ... } }), c.phases (name,
-- family, dest, bind, ttl, loop, iface, expect = { [receiver] = "all" |
-- "none" }, from = { [receiver] = address }), c.setup (extra setup lines).
-- Returns the figures.
local function runCase(c)
  -- one shell for the whole set-up (each shell costs 50 ms under ASan)
  local setup = {}
  for _, l in ipairs(SETUP) do setup[#setup + 1] = l end
  for _, l in ipairs(c.setup or {}) do setup[#setup + 1] = l end
  local ns, why = support.netns({ table.concat(setup, " && ") })
  if not ns then
    support.skip(why, pending)
    return nil
  end
  -- the receivers (children in the background): each writes its pid to a
  -- file, so that a failed run can end the ones still waiting
  local children = {}
  local function killReceivers()
    for _, ch in ipairs(children) do
      local f = io.open(ch.pidfile)
      local pid = f and f:read("*l")
      if f then f:close() end
      if pid and pid:match("^%d+$") and not ch.waited then
        support.sh("kill " .. pid .. " 2>/dev/null")
      end
    end
  end
  finally(function()
    killReceivers()
    for _, ch in ipairs(children) do
      if not ch.waited then ch.handle.wait() end
      os.remove(ch.pidfile)
    end
    ns:delete()
  end)
  local lla = linkLocal(ns)
  assert(lla, "no link-local address on vA")
  local phaseIndex, phaseNames = {}, {}
  for i, ph in ipairs(c.phases) do
    phaseIndex[ph.name], phaseNames[i] = i, ph.name
  end
  local timeout = 30 + math.ceil(#c.phases * COUNT / RATE * 4)
  -- receivers first; each reports itself ready once it has joined
  local receiverNames = {}
  for _, r in ipairs(c.receivers) do
    receiverNames[#receiverNames + 1] = r.name
    local after = {}
    for phName, joins in pairs(r.after or {}) do
      after[phaseIndex[phName]] = joins
    end
    local cfg = {
      name = r.name, family = r.family, bind = r.bind, port = PORT, joins = r.joins, after = after,
      phases = phaseNames, count = COUNT, rinfo_family = r.family == "udp6" and "IPv6" or "IPv4",
      ctl_addr = "10.200.0.1", ctl_port = CTL_PORT, pidfile = os.tmpname(),
    }
    local src = "local CFG = " .. literal(cfg) .. "\n" .. SHARED .. RECEIVER
    children[#children + 1] = {
      pidfile = cfg.pidfile,
      handle = support.spawn(src, { netns = r.where == "peer" and ns.peer or ns.name, timeout = timeout }),
    }
  end
  local phases = {}
  for i, ph in ipairs(c.phases) do
    local paced = {}
    for _, r in ipairs(c.receivers) do
      if ph.expect[r.name] == "all" then paced[#paced + 1] = r.name end
    end
    phases[i] = {
      name = ph.name, family = ph.family, dest = ph.dest, bind = ph.bind, ttl = ph.ttl, loop = ph.loop,
      iface = ph.iface, paced_by = paced,
    }
  end
  local cfg = {
    receivers = receiverNames, phases = phases, count = COUNT, rate = RATE, window = WINDOW, port = PORT,
    ctl_port = CTL_PORT, timeout_ms = (timeout - 10) * 1000,
  }
  local sout, sok, scode = support.child("local CFG = " .. literal(cfg) .. "\n" .. SHARED .. SENDER,
    { netns = ns.name, timeout = timeout })
  local figs = support.figures(sout)
  local routs = {}
  if not sok then
    killReceivers() -- they would wait for the sender's heartbeat to time out
  end
  for _, ch in ipairs(children) do
    local out, ok, code = ch.handle.wait()
    ch.waited = true
    routs[#routs + 1] = { out, ok, code }
    for k, v in pairs(support.figures(out)) do
      figs[k] = v
    end
  end
  support.check(sout, sok, scode)
  for _, r in ipairs(routs) do
    support.check(r[1], r[2], r[3])
  end
  local snmp = support.sh(("ip netns exec %s cat /proc/net/snmp /proc/net/snmp6; echo '<>';"
    .. " ip netns exec %s cat /proc/net/snmp /proc/net/snmp6"):format(ns.peer, ns.name))
  local peerSnmp, hostSnmp = snmp:match("^(.*)<>(.*)$")
  figs.peer_rcvbuf_errors = rcvbufErrors(peerSnmp)
  figs.sender_host_rcvbuf_errors = rcvbufErrors(hostSnmp)
  for _, ph in ipairs(c.phases) do
    for _, r in ipairs(c.receivers) do
      local p = ph.name .. "_" .. r.name .. "_"
      figs[p .. "delivered"] = ("%.2f%%"):format(100 * (figs[p .. "unique"] or 0) / COUNT)
    end
  end
  support.report("multicast delivery: " .. c.key, figs)
  -- the checks
  assert.equal(0, figs.sender_live_handles_end)
  for _, r in ipairs(c.receivers) do
    assert.equal(0, figs[r.name .. "_live_handles_end"])
    assert.equal(0, figs[r.name .. "_other_datagrams"])
  end
  for _, ph in ipairs(c.phases) do
    assert.equal(COUNT, figs[ph.name .. "_sent"])
    assert.equal(0, figs[ph.name .. "_send_errors"], "send errors in " .. ph.name .. ": "
      .. tostring(figs[ph.name .. "_send_first_error"]))
    for _, r in ipairs(c.receivers) do
      local p = ph.name .. "_" .. r.name .. "_"
      local what = ("%s, receiver %s"):format(ph.name, r.name)
      if ph.expect[r.name] == "all" then
        local need = math.ceil(COUNT * RATIO)
        assert(figs[p .. "unique"] >= need,
          ("%s: %d of %d delivered (need %d; receive-buffer drops: peer %d, sender's host %d)"):format(
            what, figs[p .. "unique"], COUNT, need, figs.peer_rcvbuf_errors, figs.sender_host_rcvbuf_errors))
        assert(figs[p .. "corrupt"] == 0, ("%s: %d corrupt"):format(what, figs[p .. "corrupt"]))
        assert(figs[p .. "duplicate"] == 0, ("%s: %d duplicates"):format(what, figs[p .. "duplicate"]))
        local from = ph.from[r.name]:gsub("%$LLA", lla)
        assert(from == figs[p .. "from"], ("%s: rinfo.address %s, expected %s"):format(what, figs[p .. "from"], from))
      else
        assert(figs[p .. "received"] == 0, ("%s: %d of %d received where none should arrive")
          :format(what, figs[p .. "received"], COUNT))
      end
    end
  end
  return figs
end

describe(("multicast delivery across a veth pair, %d datagrams a phase"):format(COUNT), function()
  it("IPv4 239.1.2.3: receiver joined on its veth address gets >= 99.9%, intact", function()
    runCase({
      key = "ipv4 239.x",
      receivers = {
        { name = "peer", where = "peer", family = "udp4", bind = "0.0.0.0",
          joins = { { group = "239.1.2.3", iface = "10.200.0.2" } } },
      },
      phases = {
        { name = "v4", family = "udp4", dest = "239.1.2.3", ttl = 1,
          expect = { peer = "all" }, from = { peer = "10.200.0.1" } },
      },
    })
  end)

  it("IPv6 ff02::1:3 link-local, by setMulticastInterface('::%vA') and by 'ff02::1:3%vA': "
    .. "sender seen as fe80::…%vB", function()
    runCase({
      key = "ipv6 ff02::",
      receivers = {
        { name = "peer", where = "peer", family = "udp6", bind = "::",
          joins = { { group = "ff02::1:3", iface = "::%vB" } } },
      },
      phases = {
        { name = "ff02_multicast_interface", family = "udp6", dest = "ff02::1:3", iface = "::%vA",
          expect = { peer = "all" }, from = { peer = "$LLA%vB" } },
        { name = "ff02_scoped_destination", family = "udp6", dest = "ff02::1:3%vA",
          expect = { peer = "all" }, from = { peer = "$LLA%vB" } },
      },
    })
  end)

  it("IPv6 ff05::1:3 site-local (route ff05::/16 dev vA, no multicast interface set)", function()
    runCase({
      key = "ipv6 ff05::",
      receivers = {
        { name = "peer", where = "peer", family = "udp6", bind = "::",
          joins = { { group = "ff05::1:3" } } },
      },
      phases = {
        { name = "ff05", family = "udp6", dest = "ff05::1:3",
          expect = { peer = "all" }, from = { peer = "fd00:200::1" } },
      },
    })
  end)

  it("IPv4 source-specific 232.1.1.1: >= 99.9% from the joined source, 0 from a second address", function()
    runCase({
      key = "ipv4 ssm 232.x",
      setup = SECOND_SOURCE,
      receivers = {
        { name = "peer", where = "peer", family = "udp4", bind = "0.0.0.0",
          joins = { { source = "10.200.0.1", group = "232.1.1.1", iface = "10.200.0.2" } } },
      },
      phases = {
        { name = "ssm4_source", family = "udp4", bind = "10.200.0.1", dest = "232.1.1.1",
          expect = { peer = "all" }, from = { peer = "10.200.0.1" } },
        { name = "ssm4_other_source", family = "udp4", bind = "10.200.0.3", dest = "232.1.1.1",
          expect = { peer = "none" } },
      },
    })
  end)

  it("IPv6 source-specific ff3e::1234: >= 99.9% from the joined source, 0 from a second address", function()
    runCase({
      key = "ipv6 ssm ff3e::",
      setup = SECOND_SOURCE,
      receivers = {
        { name = "peer", where = "peer", family = "udp6", bind = "::",
          joins = { { source = "fd00:200::1", group = "ff3e::1234", iface = "::%vB" } } },
      },
      phases = {
        { name = "ssm6_source", family = "udp6", bind = "fd00:200::1", dest = "ff3e::1234",
          expect = { peer = "all" }, from = { peer = "fd00:200::1" } },
        { name = "ssm6_other_source", family = "udp6", bind = "fd00:200::3", dest = "ff3e::1234",
          expect = { peer = "none" } },
      },
    })
  end)

  it("dropMembership (IPv4 239.1.2.5, IPv6 ff05::1:5): >= 99.9% before, 0 after", function()
    runCase({
      key = "dropMembership",
      receivers = {
        { name = "peer4", where = "peer", family = "udp4", bind = "0.0.0.0",
          joins = { { group = "239.1.2.5", iface = "10.200.0.2" } }, after = { v4_joined = { 1 } } },
        { name = "peer6", where = "peer", family = "udp6", bind = "::",
          joins = { { group = "ff05::1:5" } }, after = { v6_joined = { 1 } } },
      },
      phases = {
        { name = "v4_joined", family = "udp4", dest = "239.1.2.5",
          expect = { peer4 = "all", peer6 = "none" }, from = { peer4 = "10.200.0.1" } },
        { name = "v4_dropped", family = "udp4", dest = "239.1.2.5", expect = { peer4 = "none", peer6 = "none" } },
        { name = "v6_joined", family = "udp6", dest = "ff05::1:5",
          expect = { peer4 = "none", peer6 = "all" }, from = { peer6 = "fd00:200::1" } },
        { name = "v6_dropped", family = "udp6", dest = "ff05::1:5", expect = { peer4 = "none", peer6 = "none" } },
      },
    })
  end)

  it("loopback: a receiver on the sender's host gets >= 99.9% with setMulticastLoopback(true), 0 with false", function()
    runCase({
      key = "loopback",
      receivers = {
        { name = "here4", where = "here", family = "udp4", bind = "0.0.0.0",
          joins = { { group = "239.1.2.6", iface = "10.200.0.1" } } },
        { name = "here6", where = "here", family = "udp6", bind = "::",
          joins = { { group = "ff05::1:6", iface = "::%vA" } } },
      },
      phases = {
        { name = "v4_loop_on", family = "udp4", dest = "239.1.2.6", loop = true,
          expect = { here4 = "all", here6 = "none" }, from = { here4 = "10.200.0.1" } },
        { name = "v4_loop_off", family = "udp4", dest = "239.1.2.6", loop = false,
          expect = { here4 = "none", here6 = "none" } },
        { name = "v6_loop_on", family = "udp6", dest = "ff05::1:6", loop = true,
          expect = { here4 = "none", here6 = "all" }, from = { here6 = "fd00:200::1" } },
        { name = "v6_loop_off", family = "udp6", dest = "ff05::1:6", loop = false,
          expect = { here4 = "none", here6 = "none" } },
      },
    })
  end)

  -- Linux (and Node 20 on it): TTL 0 stays on the host only while the host
  -- itself is a member of the group (see the top of the file).
  it("IPv4 setMulticastTTL(0): 0 across the veth while a local member exists (delivered locally with loopback), "
    .. "leaves without one", function()
    runCase({
      key = "ttl0 ipv4",
      receivers = {
        { name = "here", where = "here", family = "udp4", bind = "0.0.0.0",
          joins = { { group = "239.1.2.7", iface = "10.200.0.1" } }, after = { ttl0_loop_off = { 1 } } },
        { name = "peer", where = "peer", family = "udp4", bind = "0.0.0.0",
          joins = { { group = "239.1.2.7", iface = "10.200.0.2" } } },
      },
      phases = {
        { name = "ttl0_loop_on", family = "udp4", dest = "239.1.2.7", ttl = 0, loop = true,
          expect = { here = "all", peer = "none" }, from = { here = "10.200.0.1" } },
        { name = "ttl0_loop_off", family = "udp4", dest = "239.1.2.7", ttl = 0, loop = false,
          expect = { here = "none", peer = "none" } },
        { name = "ttl0_no_local_member", family = "udp4", dest = "239.1.2.7", ttl = 0, loop = true,
          expect = { here = "none", peer = "all" }, from = { peer = "10.200.0.1" } },
      },
    })
  end)

  it("IPv6 setMulticastTTL(0): 0 across the veth with a local member and loopback on; "
    .. "leaves with loopback off or no member", function()
    runCase({
      key = "ttl0 ipv6",
      receivers = {
        { name = "here", where = "here", family = "udp6", bind = "::",
          joins = { { group = "ff05::1:7", iface = "::%vA" } }, after = { ttl0_loop_off = { 1 } } },
        { name = "peer", where = "peer", family = "udp6", bind = "::",
          joins = { { group = "ff05::1:7", iface = "::%vB" } } },
      },
      phases = {
        { name = "ttl0_loop_on", family = "udp6", dest = "ff05::1:7", ttl = 0, loop = true,
          expect = { here = "all", peer = "none" }, from = { here = "fd00:200::1" } },
        { name = "ttl0_loop_off", family = "udp6", dest = "ff05::1:7", ttl = 0, loop = false,
          expect = { here = "none", peer = "all" }, from = { peer = "fd00:200::1" } },
        { name = "ttl0_no_local_member", family = "udp6", dest = "ff05::1:7", ttl = 0, loop = true,
          expect = { here = "none", peer = "all" }, from = { peer = "fd00:200::1" } },
      },
    })
  end)
end)
