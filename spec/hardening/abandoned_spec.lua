-- Sockets the script drops. One never bound is collected: 100,000 created
-- and dropped (HARDEN_ABANDON_COUNT; SOAK=1: 1,000,000) leave open file
-- descriptors, live handles and RSS bounded, whether the loop runs between
-- them or only at the end. Sockets that got an OS socket without binding
-- (addMembership binds implicitly in libuv, in a namespace of our own) are
-- collected too, with their file descriptors. A bound socket that nothing
-- references keeps receiving until it is closed (Node's rule: an open
-- socket lives on), and is collected after that.
local support = require "hardening.support"

local COUNT = support.size("HARDEN_ABANDON_COUNT", 100000, 1000000)
local MEMBERSHIP_COUNT = support.size("HARDEN_ABANDON_MEMBERSHIP_COUNT", 20000, 200000)
local TIMEOUT = support.SOAK and 1800 or 60

-- Bounds: handles waiting for their close callback between two loop
-- iterations, and the RSS growth of the whole run.
local LIVE_BOUND = 5000
local RSS_BOUND_KB = 16 * 1024

local DROP_BODY = [==[
local dgram = require "dgram"
local core = require "dgram.core"
local COUNT, RUN_EVERY = %d, %d
local fd0, rss0 = fds(), rss()
local maxFds, maxLive = fd0, 0
for i = 1, COUNT do
  local s = dgram.createSocket(i %% 2 == 0 and "udp4" or { type = "udp6", reuseAddr = true })
  s:on("message", function() end)
  s:on("error", function() end)
  if RUN_EVERY > 0 and i %% RUN_EVERY == 0 then
    dgram.run("nowait")
  end
  if i %% math.floor(COUNT / 20) == 0 then
    maxFds = math.max(maxFds, fds())
    maxLive = math.max(maxLive, (core.open_handles()))
  end
end
local rssPeak = rss()
collectgarbage() collectgarbage()
dgram.run()
figure("created", COUNT)
figure("fds_start", fd0)
figure("fds_max", maxFds)
figure("live_handles_max", maxLive)
figure("live_handles_end", (core.open_handles()))
figure("rss_growth_kb", rssPeak - rss0)
]==]

-- Unbound sockets that joined a group: libuv's implicit bind gave each an
-- OS socket; dropped, the GC closes them and their fds.
local MEMBERSHIP_BODY = [==[
local dgram = require "dgram"
local core = require "dgram.core"
local COUNT = %d
local fd0, rss0 = fds(), rss()
local maxFds = fd0
for i = 1, COUNT do
  local s = dgram.createSocket({ type = "udp4", reuseAddr = true })
  s:addMembership("239.7.7.7", "127.0.0.1")
  if i == 1 then assert(core.udp_fileno(s._state.handle), "addMembership made no OS socket") end
  if i %% 500 == 0 then dgram.run("nowait") end
  if i %% math.floor(COUNT / 20) == 0 then maxFds = math.max(maxFds, fds()) end
end
collectgarbage() collectgarbage()
dgram.run()
figure("created", COUNT)
figure("fds_start", fd0)
figure("fds_max", maxFds)
figure("fds_end", fds())
figure("live_handles_end", (core.open_handles()))
figure("rss_growth_kb", rss() - rss0)
]==]

-- A bound socket with no reference left but a weak table: it keeps
-- receiving through many full collections; closed through the weak table,
-- it is collected.
local BOUND_BODY = [==[
local dgram = require "dgram"
local core = require "dgram.core"
local WANT = 200
local weak = setmetatable({}, { __mode = "k" })
local received, port = 0, nil
local fd0 = fds()
do
  local s = dgram.createSocket("udp4")
  weak[s] = true
  s:on("message", function(msg)
    -- no upvalue refers to the socket
    received = received + 1
    assert(msg == "datagram " .. received, "out of order or lost: " .. msg)
    collectgarbage()
    if received == WANT then
      for sock in pairs(weak) do sock:close() end
    end
  end)
  s:bind(0, "127.0.0.1")
end
dgram.run("nowait")
collectgarbage() collectgarbage()
assert(next(weak), "a bound socket was collected")
port = next(weak):address().port
local sender = dgram.createSocket("udp4")
local sent = 0
local t
t = dgram.setInterval(function()
  collectgarbage()
  sent = sent + 1
  sender:send("datagram " .. sent, port, "127.0.0.1")
  if sent == WANT then dgram.clearInterval(t) sender:close() end
end, 1)
dgram.run()
local stillThere = next(weak) ~= nil
collectgarbage() collectgarbage()
figure("received", received)
figure("alive_until_close", stillThere and "yes" or "no")
figure("collected_after_close", next(weak) == nil and "yes" or "no")
figure("fds_delta_end", fds() - fd0)
figure("live_handles_end", (core.open_handles()))
]==]

local function checkDropped(figs, rssBound)
  assert.equal(COUNT, figs.created)
  assert(figs.fds_max <= figs.fds_start + 2, ("open fds grew: %d -> %d"):format(figs.fds_start, figs.fds_max))
  assert.equal(0, figs.live_handles_end)
  if not support.sanitized() then
    assert(figs.rss_growth_kb < rssBound, ("RSS grew by %d KiB"):format(figs.rss_growth_kb))
  end
end

describe("abandoned sockets", function()
  it(("%d sockets created and dropped, never bound, the loop running meanwhile"):format(COUNT), function()
    local figs = support.figures(support.check(support.child(DROP_BODY:format(COUNT, 1000), { timeout = TIMEOUT })))
    support.report("abandoned, loop running", figs)
    checkDropped(figs, RSS_BOUND_KB)
    assert(figs.live_handles_max < LIVE_BOUND, ("%d handles waiting to close"):format(figs.live_handles_max))
  end)

  it(("%d sockets created and dropped, never bound, the loop run only at the end"):format(COUNT), function()
    local figs = support.figures(support.check(support.child(DROP_BODY:format(COUNT, 0), { timeout = TIMEOUT })))
    support.report("abandoned, loop run at the end", figs)
    -- Without the loop their close callbacks wait (libuv frees a handle
    -- only in its close callback): memory, no fds, under 1 KiB a socket,
    -- all freed by the run at the end.
    checkDropped(figs, COUNT)
  end)

  it(("%d unbound sockets with an OS socket (addMembership), dropped"):format(MEMBERSHIP_COUNT), function()
    local ns, why = support.netns({
      "ip -n $NS link set lo multicast on",
      "ip -n $NS route add 224.0.0.0/4 dev lo src 127.0.0.1",
    })
    if not ns then
      return support.skip(why, pending)
    end
    finally(function() ns:delete() end)
    local figs = support.figures(support.check(support.child(MEMBERSHIP_BODY:format(MEMBERSHIP_COUNT),
      { netns = ns.name, timeout = TIMEOUT })))
    support.report("abandoned with an OS socket", figs)
    assert(figs.fds_max <= figs.fds_start + 1000, ("open fds grew: %d -> %d"):format(figs.fds_start, figs.fds_max))
    assert(figs.fds_end <= figs.fds_start + 1, ("fds left open: %d -> %d"):format(figs.fds_start, figs.fds_end))
    assert.equal(0, figs.live_handles_end)
  end)

  it("a bound socket nothing refers to keeps receiving until closed", function()
    local figs = support.figures(support.check(support.child(BOUND_BODY, { timeout = 60 })))
    support.report("bound and unreferenced", figs)
    assert.equal(200, figs.received)
    assert.equal("yes", figs.alive_until_close)
    assert.equal("yes", figs.collected_after_close)
    assert(figs.fds_delta_end <= 0, "fds left open: " .. figs.fds_delta_end)
    assert.equal(0, figs.live_handles_end)
  end)
end)
