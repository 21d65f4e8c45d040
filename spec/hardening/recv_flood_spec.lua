-- A receive flood: spec/hardening/flood.c sends 64-byte datagrams at full
-- rate (sendmmsg on loopback) into one socket for 1 s (SOAK=1: 10 s;
-- HARDEN_FLOOD_SECONDS) while a 10 ms interval timer runs. The timer is
-- never more than 100 ms late because of the loop's own work (it leaves
-- the socket to run timers), RSS grows by less than 16 MiB, every datagram
-- delivered is whole, and the socket closes cleanly right after.
--
-- Lateness: with two cores, the flooder and the (gVisor) network stack
-- sometimes keep this process off the CPU: a timer-only process with the
-- same flood aimed elsewhere measured up to 74 ms late. So the assertion
-- is on the lateness this process could have caused, the lesser of the
-- wall-clock gap and the CPU time it used in the gap; the wall-clock
-- figure is reported and must stay under 1 s.
local support = require "hardening.support"

local SECONDS = support.size("HARDEN_FLOOD_SECONDS", 1, 10)
local MAX_LATE_MS = 100
local RSS_BOUND_KB = 16 * 1024

local BODY = [==[
local dgram = require "dgram"
local core = require "dgram.core"
local FLOODER, SECONDS, FAMILY, HOST = %q, %d, %q, %q
local r = dgram.createSocket(FAMILY)
local received, bad, bytes = 0, 0, 0
r:on("message", function(msg, rinfo)
  received = received + 1
  bytes = bytes + #msg
  if #msg ~= 64 or msg ~= ("f"):rep(64) or rinfo.size ~= 64 then bad = bad + 1 end
end)
local ticks, maxLate, lastTick = 0, 0, nil
-- The CPU time this process used between two ticks: lateness the loop's
-- own work caused is at most that; the rest is time off the CPU (the
-- flooder and the network stack share the machine's cores).
local maxOwnLate, lastCpu = 0, nil
local rss0, rssMax
local flood
local t
r:bind(0, HOST, function()
  -- warm up: the first GC cycles, the slab
  collectgarbage()
  rss0 = rss()
  rssMax = rss0
  flood = io.popen(("env -u LD_PRELOAD %%s %%s %%d %%d 64"):format(FLOODER, HOST, r:address().port, SECONDS))
  core.update_time()
  lastTick = dgram.now()
  lastCpu = os.clock()
  local started = lastTick
  t = dgram.setInterval(function()
    core.update_time()
    local now = dgram.now()
    local cpu = os.clock()
    local late = now - lastTick - 10
    if late > maxLate then maxLate = late end
    local own = math.min(now - lastTick, (cpu - lastCpu) * 1000) - 10
    if own > maxOwnLate then maxOwnLate = own end
    lastTick, lastCpu = now, cpu
    ticks = ticks + 1
    if ticks %% 10 == 0 then
      local m = rss()
      if m > rssMax then rssMax = m end
    end
    if now - started >= SECONDS * 1000 + 300 then
      dgram.clearInterval(t)
      r:close()
    end
  end, 10)
end)
dgram.run()
local floodOut = flood:read("*a")
flood:close()
local sent = tonumber(floodOut:match("sent (%%d+)")) or 0
figure("seconds", SECONDS)
figure("datagrams_sent", sent)
figure("datagrams_received", received)
figure("received_per_second", math.floor(received / SECONDS))
figure("corrupted", bad)
figure("timer_ticks", ticks)
figure("timer_max_late_ms", maxLate)
figure("timer_max_late_own_cpu_ms", math.floor(maxOwnLate + 0.5))
figure("rss_growth_kb", rssMax - rss0)
figure("live_handles_end", (core.open_handles()))
]==]

describe("receive flood", function()
  for _, v in ipairs({ { "udp4", "127.0.0.1" }, { "udp6", "::1" } }) do
    local family, host = v[1], v[2]
    it(("%s: %d s at full rate into one socket, a 10 ms timer running"):format(family, SECONDS), function()
      local flooder, why = support.flooder()
      if not flooder then
        return support.skip(why, pending)
      end
      local out = support.check(support.child(BODY:format(flooder, SECONDS, family, host),
        { timeout = SECONDS + 60 }))
      local figs = support.figures(out)
      support.report("receive flood " .. family, figs)
      assert(figs.datagrams_received > 0, "nothing received:\n" .. out)
      assert.equal(0, figs.corrupted)
      assert(figs.timer_ticks >= SECONDS * 1000 / 10 / 2, ("the timer ran %d times"):format(figs.timer_ticks))
      assert(figs.timer_max_late_own_cpu_ms < MAX_LATE_MS,
        ("the loop kept the timer %d ms late"):format(figs.timer_max_late_own_cpu_ms))
      assert(figs.timer_max_late_ms < 1000, ("the timer was %d ms late"):format(figs.timer_max_late_ms))
      if not support.sanitized() then
        assert(figs.rss_growth_kb < RSS_BOUND_KB, ("RSS grew by %d KiB"):format(figs.rss_growth_kb))
      end
      assert.equal(0, figs.live_handles_end)
    end)
  end
end)
