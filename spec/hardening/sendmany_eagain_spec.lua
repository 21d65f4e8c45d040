-- sendMany when the kernel would block (src/udp_many.c): what the kernel
-- takes leaves at once (segmented), the rest goes to libuv's queue in
-- order, and one callback reports the count once the last has left.
-- Loopback never blocks a UDP send, so the spec runs in a namespace of its
-- own whose lo is shaped by tbf, and the sender has a 4 KiB send buffer.
local support = require "hardening.support"

local TIMEOUT = 60 -- seconds, per child

-- N numbered datagrams of SIZE bytes in ROUNDS sendMany calls, each
-- followed by a send() of a marker; the peer checks everything arrives in
-- order; the callbacks must come in the order of the calls.
local SENDMANY_BACKLOG = [==[
local dgram = require "dgram"
local sender = dgram.createSocket({ type = "udp4", sendBufferSize = 4096 })
local peer = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024 })
local expected, got, firstWrong = {}, 0, nil
local callbacks, queuedAfterTicks = {}, 0
local deadline
local function finish()
  dgram.clearTimeout(deadline)
  figure("received", got)
  figure("expected", #expected)
  figure("first_wrong", firstWrong or "none")
  figure("callbacks", table.concat(callbacks, ","))
  figure("queued_after_ticks", queuedAfterTicks)
  sender:close()
  peer:close()
end
peer:on("message", function(msg)
  got = got + 1
  if msg ~= expected[got] then firstWrong = firstWrong or got end
  if got == #expected then finish() end
end)
local function start()
  local port = peer:address().port
  for r = 1, ROUNDS do
    local list = {}
    for i = 1, N do
      list[i] = ("%d.%04d "):format(r, i) .. ("x"):rep(SIZE - 8)
      expected[#expected + 1] = list[i]
    end
    sender:sendMany(list, port, "127.0.0.1", function(err, count)
      callbacks[#callbacks + 1] = ("many%d:%s:%s"):format(r, tostring(err and err.code), tostring(count))
    end)
    local marker = "marker " .. r
    expected[#expected + 1] = marker
    sender:send(marker, port, "127.0.0.1", function(err)
      callbacks[#callbacks + 1] = ("send%d:%s"):format(r, tostring(err and err.code))
    end)
  end
  -- Once the look-up ticks have run, the lists are sent or queued.
  dgram.setImmediate(function()
    queuedAfterTicks = sender:getSendQueueCount()
  end)
end
peer:bind(0, "127.0.0.1", function()
  sender:bind(0, "127.0.0.1", start) -- its 4 KiB send buffer is set once bound
end)
deadline = dgram.setTimeout(finish, DEADLINE_MS)
dgram.run()
]==]

describe("sendMany when the kernel would block (lo shaped by tbf in a namespace)", function()
  it("the tail waits in libuv's queue, in order before later sends, and calls back with the count", function()
    local ns, why = support.netns({ "tc -n $NS qdisc add dev lo root tbf rate 50mbit burst 1600 limit 10000000" })
    if not ns then
      return support.skip(why, pending)
    end
    finally(function() ns:delete() end)
    local params = "local N, SIZE, ROUNDS, DEADLINE_MS = 150, 1000, 3, 10000\n"
    -- On one CPU, as batch_eagain_spec: lo's per-CPU backlogs could
    -- otherwise reorder what left the shaper in order.
    local figs = support.figures(support.check(support.child(params .. SENDMANY_BACKLOG,
      { netns = ns.name, timeout = TIMEOUT, prefix = "taskset -c 0" })))
    assert.equal(figs.expected, figs.received)
    assert.equal("none", figs.first_wrong)
    assert.equal("many1:nil:150,send1:nil,many2:nil:150,send2:nil,many3:nil:150,send3:nil", figs.callbacks)
    -- The kernel did push back: part of a list waited in libuv's queue.
    assert.is_true(figs.queued_after_ticks > 0)
  end)
end)
