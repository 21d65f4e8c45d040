-- Replies sent without a callback from a 'message' listener are batched
-- (src/batch.c) and leave in one sendmmsg; when sendmmsg meets EAGAIN the
-- rest goes to libuv's queue. Loopback never blocks a UDP send, so each
-- spec runs in a namespace of its own whose lo is shaped by tbf, and the
-- replying socket has a 4 KiB send buffer: the kernel soon says EAGAIN.
-- What Node 20 does in the same namespace is noted on each spec (checked
-- with the same scenario in JS under `ip netns exec`).
local support = require "hardening.support"

local TIMEOUT = 60          -- seconds, per child
local DEADLINE_MS = 10000   -- the peer counts what arrives within this

local function shapedNamespace(rate)
  return support.netns({ ("tc -n $NS qdisc add dev lo root tbf rate %s burst 1600 limit 10000000"):format(rate) })
end

-- Runs `body` in a child inside a namespace whose lo is shaped to `rate`,
-- after a line of parameters; returns the child's figures. The child runs
-- on one CPU: lo hands each packet to the backlog of the CPU that takes it
-- off the shaper's queue (the sender, or the shaper's timer where it was
-- armed), and two CPUs' backlogs may deliver out of order whatever sent
-- it (once in CI: 80 82 83 81). On one CPU the order the peer sees is the
-- order the kernel was given.
local function run(rate, params, body)
  local ns, why = shapedNamespace(rate)
  if not ns then
    return nil, why
  end
  finally(function() ns:delete() end)
  return support.figures(support.check(support.child(params .. "\n" .. body,
    { netns = ns.name, timeout = TIMEOUT, prefix = "taskset -c 0" })))
end

-- A server replies N datagrams of SIZE bytes to the peer's "go" (no
-- callback), then, in the same listener call, MODE:
--   "connect": connect() to the peer (the replies went unconnected);
--   "disconnect": disconnect() (the server was connected to the peer and
--   its replies were connected sends).
-- The peer counts what arrives until all did or DEADLINE_MS passed.
local REPLY_THEN = [==[
local dgram = require "dgram"
local server = dgram.createSocket(SNDBUF > 0 and { type = "udp4", sendBufferSize = SNDBUF } or "udp4")
local peer = dgram.createSocket({ type = "udp4", recvBufferSize = 1048576 })
local got, errs, deadline = 0, {}, nil
local function finish()
  dgram.clearTimeout(deadline)
  figure("received", got)
  figure("server_errors", #errs == 0 and "none" or table.concat(errs, ","))
  server:close()
  peer:close()
end
server:on("error", function(err) errs[#errs + 1] = tostring(err.code) end)
peer:on("message", function()
  got = got + 1
  if got == N then finish() end
end)
server:on("message", function(_, rinfo)
  local reply = ("r"):rep(SIZE)
  for _ = 1, N do
    if MODE == "connect" then server:send(reply, rinfo.port, rinfo.address) else server:send(reply) end
  end
  if MODE == "connect" then server:connect(rinfo.port, rinfo.address) else server:disconnect() end
end)
deadline = dgram.setTimeout(finish, DEADLINE_MS)
server:bind(0, "127.0.0.1", function()
  peer:bind(0, "127.0.0.1", function()
    local function go() peer:send("go", server:address().port, "127.0.0.1") end
    if MODE == "connect" then go() else server:connect(peer:address().port, "127.0.0.1", go) end
  end)
end)
dgram.run()
]==]

-- ROUNDS rounds, each with new sockets: the server answers the peer's "go"
-- with N numbered replies of SIZE bytes (no callback). RAISE: once its
-- send queue is not empty (the kernel pushed back), the listener raises
-- the send buffer to 1 MiB before its next reply. The peer checks the
-- numbers arrive 1..N; stops at the first round that is out of order or
-- short (DEADLINE_MS).
local NUMBERED_REPLIES = [==[
local dgram = require "dgram"
local badRound, seen
local function round(k)
  local server = dgram.createSocket({ type = "udp4", sendBufferSize = 4096 })
  local peer = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024 })
  local got, firstWrong, seq, deadline = 0, nil, {}, nil
  local function finish()
    dgram.clearTimeout(deadline)
    server:close()
    peer:close()
    if got < N or firstWrong then
      local from = math.max(1, (firstWrong or got) - 8)
      badRound = k
      local window = table.concat(seq, " ", from, math.min(got, from + 20))
      seen = ("%d of %d arrived; #%d on: %s"):format(got, N, from, window)
    elseif k < ROUNDS then
      return round(k + 1)
    end
    figure("rounds", k)
    figure("bad_round", badRound or "none")
    figure("seen", seen or "")
  end
  peer:on("message", function(msg)
    got = got + 1
    seq[got] = tonumber(msg:match("^%d+"))
    if seq[got] ~= got then firstWrong = firstWrong or got end
    if got == N then finish() end
  end)
  server:on("message", function(_, rinfo)
    local pad = (" "):rep(SIZE - 4)
    local raised = not RAISE
    for i = 1, N do
      server:send(("%03d "):format(i) .. pad, rinfo.port, rinfo.address)
      if not raised and server:getSendQueueCount() > 0 then
        server:setSendBufferSize(1024 * 1024)
        raised = true
      end
    end
  end)
  deadline = dgram.setTimeout(finish, DEADLINE_MS)
  server:bind(0, "127.0.0.1", function()
    peer:bind(0, "127.0.0.1", function()
      peer:send("go", server:address().port, "127.0.0.1")
    end)
  end)
end
round(1)
dgram.run()
]==]

local function params(t)
  local names, values = {}, {}
  for k, v in pairs(t) do
    -- %q quotes only strings before Lua 5.3
    names[#names + 1], values[#values + 1] = k, type(v) == "string" and ("%q"):format(v) or tostring(v)
  end
  return ("local %s = %s"):format(table.concat(names, ", "), table.concat(values, ", "))
end

describe("batched replies when sendmmsg meets EAGAIN (lo shaped by tbf in a namespace)", function()
  -- connect(): the tail went to uv_udp_send with an address on a socket
  -- that is connected by then; libuv said EISCONN and the replies vanished
  -- (5 of 20 arrived). Node 20: 20 of 20 (15 of them still queued at
  -- connect). disconnect(): the batched connected replies left after it,
  -- with no address: sendmmsg said EDESTADDRREQ to each, 0 of 20 arrived.
  -- Node 20: 20 of 20. There the send buffer is the default one, which
  -- holds the 20 replies: with 4 KiB Node too loses those still queued in
  -- libuv at disconnect (EDESTADDRREQ; 5 of 20 arrive).
  for _, case in ipairs({
    { mode = "connect", sndbuf = 4096, what = "20 replies then connect() to the peer" },
    { mode = "disconnect", sndbuf = 0, what = "20 connected replies then disconnect()" },
  }) do
    it(case.what .. " in the same listener call: all 20 arrive", function()
      local figs, why = run("1mbit", params({ MODE = case.mode, N = 20, SIZE = 1000, SNDBUF = case.sndbuf,
        DEADLINE_MS = DEADLINE_MS }), REPLY_THEN)
      if not figs then
        return support.skip(why, pending)
      end
      assert(figs.received == 20, ("the peer received %d of 20 replies"):format(figs.received))
      assert.equal("none", figs.server_errors)
    end)
  end

  -- Bug: the 65th reply triggers a flush of the full batch (64), whose
  -- tail goes to libuv's queue on EAGAIN, yet the 65th still joins the
  -- batch and leaves at the next flush, ahead of that tail, as soon as
  -- the kernel takes it. Raising the send buffer once the queue shows the
  -- backlog makes the kernel take it at once: `.. 20 21 65 22 23 ..`.
  -- Node 20: 1..200 in order (also connected, where its sends are
  -- synchronous and the raise comes after its 22nd send).
  it("200 replies arrive in order when the listener raises its send buffer once a backlog forms", function()
    local figs, why = run("1mbit", params({ N = 200, SIZE = 100, ROUNDS = 1, RAISE = true,
      DEADLINE_MS = DEADLINE_MS }), NUMBERED_REPLIES)
    if not figs then
      return support.skip(why, pending)
    end
    assert(figs.bad_round == "none", "out of order or short: " .. figs.seen)
  end)

  -- The same without the raise: the 65th overtakes whenever the shaper
  -- frees room in the send buffer before the next flush, a matter of
  -- microseconds; at 200 mbit/s with 1,200-byte replies it happened in
  -- the first round of every run here, idle or with both cores busy.
  -- Node 20: in order in every round.
  it("200 replies arrive in order, 10 rounds behind a 200 mbit/s shaper", function()
    local figs, why = run("200mbit", params({ N = 200, SIZE = 1200, ROUNDS = 10, RAISE = false,
      DEADLINE_MS = DEADLINE_MS }), NUMBERED_REPLIES)
    if not figs then
      return support.skip(why, pending)
    end
    assert(figs.bad_round == "none", ("round %s out of order or short: %s"):format(figs.bad_round, figs.seen))
    assert.equal(10, figs.rounds)
  end)
end)
