-- Echo soak across a veth pair between two namespaces of our own, with
-- nftables impairing the path (RECIPES.md 2.2): 10% random loss on the
-- server's input, 1% duplication on the client's egress. The client sends
-- 10,000 datagrams (SOAK=1: 1,000,000; HARDEN_ECHO_COUNT) of 16 to 1,200
-- bytes, each with a callback, at a steady pace; the server (dgram too)
-- echoes each back. Every send callback runs exactly once and without
-- error, no echoed payload is corrupted, losses and duplicates are counted
-- (nftables' counters near what it was told), every echo the server sent
-- is accounted for at the client (the return path is not impaired), and
-- neither process's RSS grows by 8 MiB or more. The server replies
-- without callbacks, so its replies go out in batches (sendmmsg).
local support = require "hardening.support"

local COUNT = support.size("HARDEN_ECHO_COUNT", 10000, 1000000)
local RATE = support.size("HARDEN_ECHO_RATE", 25000, 25000) -- datagrams per second
local TIMEOUT = math.floor(COUNT / RATE) + 60
local RSS_BOUND_KB = 8 * 1024
local PORT = 7000

local SETUP = {
  "ip -n $NS link add vA type veth peer name vB netns $PEER",
  "ip -n $NS addr add 10.200.0.1/24 dev vA",
  "ip -n $PEER addr add 10.200.0.2/24 dev vB",
  "ip -n $NS link set vA up",
  "ip -n $PEER link set lo up",
  "ip -n $PEER link set vB up",
  -- 10% loss, silent for the sender: on the server's input
  "ip netns exec $PEER nft -f - <<'EOF'\ntable inet harden_impair {\n chain in {\n"
    .. "  type filter hook input priority 0; policy accept;\n"
    .. "  udp dport " .. PORT .. " numgen random mod 100 < 10 counter drop\n }\n}\nEOF",
  -- 1% duplication on the client's egress
  "ip netns exec $NS nft -f - <<'EOF'\ntable netdev harden_impair {\n chain eg {\n"
    .. "  type filter hook egress device \"vA\" priority 0; policy accept;\n"
    .. "  udp dport " .. PORT .. " numgen random mod 100 < 1 counter dup to \"vA\"\n }\n}\nEOF",
}

-- Shared by both ends: the payload of datagram `seq`.
local PAYLOAD = [==[
local function payload(seq)
  local len = 16 + (seq * 7919) %% 1185
  local head = ("%%09d:"):format(seq)
  local unit = string.char(65 + seq %% 26, 97 + math.floor(seq / 26) %% 26, 48 + seq %% 10, (seq * 31) %% 256)
  return (head .. unit:rep(math.floor((len - #head) / 4) + 1)):sub(1, len)
end
]==]

local SERVER = PAYLOAD .. [==[
local dgram = require "dgram"
local s = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024, sendBufferSize = 4 * 1024 * 1024 })
local received, last = 0, nil
local rss0, rssMax
s:on("message", function(msg, rinfo)
  received = received + 1
  s:send(msg, rinfo.port, rinfo.address)
end)
s:bind(%d, "10.200.0.2", function()
  collectgarbage()
  rss0 = rss()
  rssMax = rss0
  io.write("listening\n")
  io.flush()
end)
local started = dgram.now()
local seen = 0
local t
t = dgram.setInterval(function()
  if received ~= seen then
    seen, last = received, dgram.now()
    local m = rss()
    if m > rssMax then rssMax = m end
  end
  local now = dgram.now()
  -- done once the client went quiet, or never came
  if (last and now - last > 1500) or (not last and now - started > 20000) then
    dgram.clearInterval(t)
    s:close()
  end
end, 100)
dgram.run()
figure("server_received", received)
figure("server_rss_growth_kb", rssMax - rss0)
]==]

local CLIENT = PAYLOAD .. [==[
local dgram = require "dgram"
local core = require "dgram.core"
local N, RATE, PORT = %d, %d, %d
local MAXBURST = math.max(1, math.floor(RATE / 1000) * 2)
local s = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024, sendBufferSize = 4 * 1024 * 1024 })
local callbackSeen, replySeen = bitset(), bitset()
local sent, callbacks, callbackErrors, doubleCallbacks = 0, 0, 0, 0
local replies, unique, dups, corrupted = 0, 0, 0, 0
local lastReply = 0
local maxGap, maxGapCpu = 0, 0
local rss0, rssMax
local start
local started, hellos = false, 0
s:on("message", function(msg)
  if msg == "hello" then -- the handshake: the server is up
    hellos = hellos + 1
    if not started then started = true start() end
    return
  end
  replies = replies + 1
  lastReply = dgram.now()
  local seq = tonumber(msg:sub(1, 9))
  if not seq or seq < 1 or seq > N or msg ~= payload(seq) then
    corrupted = corrupted + 1
  elseif replySeen(seq) then
    dups = dups + 1
  else
    unique = unique + 1
  end
end)
local function onSent(seq)
  return function(err)
    callbacks = callbacks + 1
    if err then callbackErrors = callbackErrors + 1 end
    if callbackSeen(seq) then doubleCallbacks = doubleCallbacks + 1 end
  end
end
local t0
function start()
  t0 = dgram.now()
  collectgarbage()
  rss0 = rss()
  rssMax = rss0
  local pacer
  local lastTick, lastCpu = nil, nil
  pacer = dgram.setInterval(function()
    core.update_time()
    -- stalls: the longest gap between two ticks, and the CPU time this
    -- process used in it (a stall of the VM's vCPU uses none)
    local now, cpu = dgram.now(), os.clock()
    if lastTick then
      local gap = now - lastTick
      if gap > maxGap then maxGap, maxGapCpu = gap, math.floor((cpu - lastCpu) * 1000 + 0.5) end
    end
    lastTick, lastCpu = now, cpu
    -- on schedule, but never more than two ticks' worth at once: after a
    -- stall (the VM's vCPUs are shared) the schedule slips rather than
    -- bursting into the peer's receive buffers
    local due = math.min(N, math.floor((dgram.now() - t0) * RATE / 1000) + 1, sent + MAXBURST)
    while sent < due do
      sent = sent + 1
      s:send(payload(sent), PORT, "10.200.0.2", onSent(sent))
    end
    if sent %% 10000 < 100 then
      local m = rss()
      if m > rssMax then rssMax = m end
    end
    if sent == N then
      dgram.clearInterval(pacer)
      local waiter
      waiter = dgram.setInterval(function()
        local m = rss()
        if m > rssMax then rssMax = m end
        if callbacks >= N and dgram.now() - lastReply > 500 then
          dgram.clearInterval(waiter)
          s:close()
        end
      end, 50)
    end
  end, 1)
end
-- say hello until the server answers
s:bind(0, "10.200.0.1", function()
  local hello
  hello = dgram.setInterval(function()
    if started then dgram.clearInterval(hello) else s:send("hello", PORT, "10.200.0.2") end
  end, 20)
end)
dgram.run()
figure("sent", sent)
figure("send_callbacks", callbacks)
figure("send_callback_errors", callbackErrors)
figure("send_callbacks_twice", doubleCallbacks)
figure("replies", replies)
figure("replies_unique", unique)
figure("replies_duplicate", dups)
figure("replies_corrupted", corrupted)
figure("hello_replies", hellos)
figure("lost_percent", ("%%.2f"):format(100 * (N - unique) / N))
figure("duplicate_percent", ("%%.2f"):format(100 * dups / N))
figure("seconds", ("%%.1f"):format((dgram.now() - t0) / 1000))
figure("client_rss_growth_kb", rssMax - rss0)
figure("client_max_tick_gap_ms", maxGap)
figure("client_max_tick_gap_cpu_ms", maxGapCpu)
figure("live_handles_end", (core.open_handles()))
]==]

describe("echo soak", function()
  it(("%d datagrams echoed across veth with 10%% loss and 1%% duplication (nftables)"):format(COUNT), function()
    if not support.haveNft() then
      return support.skip("nft is not installed (Debian package nftables)", pending)
    end
    local ns, why = support.netns(SETUP)
    if not ns then
      return support.skip(why, pending)
    end
    finally(function() ns:delete() end)
    local server = support.spawn(SERVER:format(PORT), { netns = ns.peer, timeout = TIMEOUT + 30 })
    local out = support.check(support.child(CLIENT:format(COUNT, RATE, PORT), { netns = ns.name, timeout = TIMEOUT }))
    local sout = support.check(server.wait())
    local figs = support.figures(out)
    for k, v in pairs(support.figures(sout)) do
      figs[k] = v
    end
    local dropped = tonumber(support.sh("ip netns exec " .. ns.peer .. " nft list table inet harden_impair")
      :match("counter packets (%d+)"))
    local duplicated = tonumber(support.sh("ip netns exec " .. ns.name .. " nft list table netdev harden_impair")
      :match("counter packets (%d+)"))
    -- datagrams the kernel dropped for a full receive buffer (server, client)
    for _, side in ipairs({ { "server", ns.peer }, { "client", ns.name } }) do
      local snmp = support.sh("ip netns exec " .. side[2] .. " cat /proc/net/snmp")
      local names, values = snmp:match("Udp: (%u[^\n]*)\nUdp: ([^\n]*)")
      if names then
        local i, cols = 0, {}
        for n in names:gmatch("%S+") do i = i + 1; cols[n] = i end
        local vals = {}
        for v in values:gmatch("%S+") do vals[#vals + 1] = tonumber(v) end
        figs[side[1] .. "_rcvbuf_errors"] = vals[cols.RcvbufErrors]
      end
    end
    figs.nft_dropped, figs.nft_duplicated = dropped, duplicated
    support.report("echo soak", figs)
    assert.equal(COUNT, figs.sent)
    assert.equal(COUNT, figs.send_callbacks)
    assert.equal(0, figs.send_callbacks_twice)
    assert.equal(0, figs.send_callback_errors)
    assert.equal(0, figs.replies_corrupted)
    assert.equal(0, figs.live_handles_end)
    -- the impairment did its work (nftables' own counters)
    assert(figs.nft_dropped > COUNT * 0.05 and figs.nft_dropped < COUNT * 0.2,
      "nftables dropped " .. tostring(figs.nft_dropped))
    assert(figs.nft_duplicated > 0, "nftables duplicated nothing")
    assert.equal(figs.replies, figs.replies_unique + figs.replies_duplicate)
    -- The return path is not impaired: every echo the server sent came
    -- back, but for those the kernel dropped for a full receive buffer at
    -- the client (counted; under ASan the client is slower and some are).
    assert.equal(figs.server_received, figs.replies + figs.hello_replies + figs.client_rcvbuf_errors)
    if not support.sanitized() then
      assert(figs.client_rss_growth_kb < RSS_BOUND_KB, ("client RSS grew by %d KiB"):format(figs.client_rss_growth_kb))
      assert(figs.server_rss_growth_kb < RSS_BOUND_KB, ("server RSS grew by %d KiB"):format(figs.server_rss_growth_kb))
    end
  end)
end)
