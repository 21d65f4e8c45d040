-- An error raised in a listener or callback comes out of dgram.run() as
-- the very value raised, and the loop carries on: over and over (10,000
-- times in a row in the quick run, HARDEN_ERROR_COUNT / SOAK=1 for more)
-- the next datagram is still delivered, in order, none lost, and the
-- registry and the Lua heap stay the same size. The same for every other
-- kind of callback, and for several errors raised in one loop iteration
-- (a receive batch, timers due together): one per run(), in order.
local h = require "helpers"
local dgram = require "dgram"
local support = require "hardening.support"

local COUNT = support.size("HARDEN_ERROR_COUNT", 10000, 1000000)
local KIND_COUNT = support.size("HARDEN_ERROR_KIND_COUNT", 1000, 100000)

-- Slack for the heap between the checkpoint (after a tenth of the run)
-- and the end: the figure itself is reported.
local HEAP_SLACK_KB = 64
local TIMEOUT = support.SOAK and 3600 or 60

local MESSAGE_BODY = [==[
local dgram = require "dgram"
local COUNT, BURST = %d, %d
local r = dgram.createSocket("udp4")
local s = dgram.createSocket("udp4")
local boom = setmetatable({}, { __name = "boom" })
local last = 0
r:on("message", function(msg)
  last = tonumber(msg)
  if last %% 2 == 0 then error(boom) else error("boom " .. msg, 0) end
end)
r:bind(0, "127.0.0.1")
s:bind(0, "127.0.0.1")
dgram.run("nowait")
local port = r:address().port
local seq, raised = 0, 0
local reg0, heap0
local checkpoint = math.max(BURST, math.floor(math.floor(COUNT / 10) / BURST) * BURST)
local core = require "dgram.core"
core.update_time()
local t0 = dgram.now()
while seq < COUNT do
  local first = seq + 1
  for i = 1, BURST do
    seq = seq + 1
    s:send(tostring(seq), port, "127.0.0.1")
  end
  -- one run() per datagram, each raising that datagram's error
  for i = first, seq do
    local ok, err = pcall(dgram.run)
    assert(not ok, ("run() returned normally at datagram %%d"):format(i))
    assert(last >= i, ("datagram %%d was not delivered (last %%d)"):format(i, last))
    if i %% 2 == 0 then
      assert(rawequal(err, boom), ("datagram %%d: raised %%s, not the table raised"):format(i, tostring(err)))
    else
      assert(err == "boom " .. i, ("datagram %%d: raised %%s"):format(i, tostring(err)))
    end
    raised = raised + 1
  end
  assert(last == seq, ("delivered up to %%d of %%d"):format(last, seq))
  if seq == checkpoint then
    reg0, heap0 = registry(), heap()
  end
end
local reg1, heap1 = registry(), heap()
r:close()
s:close()
dgram.run()
figure("errors_raised", raised)
figure("registry_entries_checkpoint", reg0)
figure("registry_entries_end", reg1)
figure("heap_kb_checkpoint", ("%%.1f"):format(heap0))
figure("heap_kb_end", ("%%.1f"):format(heap1))
core.update_time()
figure("seconds", ("%%.1f"):format((dgram.now() - t0) / 1000))
]==]

-- Every other kind of callback raising, KIND_COUNT times each; after each
-- raise the next event of that kind still comes.
local KINDS_BODY = [==[
local dgram = require "dgram"
local COUNT = %d
local errorsOut = 0
-- Runs until `done()` says so; every raise must be `expect`'s value.
local function drive(name, done, expect)
  local n = 0
  while not done() do
    local ok, err = pcall(dgram.run)
    if ok then
      assert(done(), name .. ": run() ended before all the errors came (" .. n .. ")")
    else
      assert(err == expect or (type(expect) == "function" and expect(err)),
        name .. ": unexpected error " .. tostring(err))
      n = n + 1
      errorsOut = errorsOut + 1
    end
  end
  return n
end
local marker = setmetatable({}, { __name = "marker" })
local results = {}
local reg0, heap0

-- One pass over every kind, N raises each; the results of the last pass.
local function pass(N)
  results = {}
  -- send callback (fast path), one send per run()
  do
    local r = dgram.createSocket("udp4")
    local s = dgram.createSocket("udp4")
    local calls = 0
    r:bind(0, "127.0.0.1")
    s:bind(0, "127.0.0.1")
    dgram.run("nowait")
    local port = r:address().port
    local i = 0
    local function sendNext()
      i = i + 1
      s:send("x", port, "127.0.0.1", function(err)
        assert(err == nil)
        calls = calls + 1
        if i < N then sendNext() end
        error(marker)
      end)
    end
    sendNext()
    local n = drive("send callback", function() return calls == N end, marker)
    results.send_callback = n
    r:close() s:close() dgram.run()
  end
  -- 'message' with two listeners (the emit path): as in Node, a listener
  -- that raises ends that emit; the next datagram is delivered again.
  do
    local r = dgram.createSocket("udp4")
    local s = dgram.createSocket("udp4")
    local firsts, seconds = 0, 0
    r:on("message", function() firsts = firsts + 1; error(marker) end)
    r:on("message", function() seconds = seconds + 1 end)
    r:bind(0, "127.0.0.1")
    s:bind(0, "127.0.0.1")
    dgram.run("nowait")
    local port = r:address().port
    for i = 1, N do
      s:send("m", port, "127.0.0.1")
      local ok, err = pcall(dgram.run)
      assert(not ok and err == marker, "emit path: " .. tostring(err))
      assert(firsts == i, ("emit path: datagram %%d not delivered"):format(i))
    end
    results.message_emit = firsts
    results.message_emit_second_listener = seconds
    r:close() s:close() dgram.run()
  end

  -- setTimeout, setInterval, setImmediate, nextTick
  do
    local fired = 0
    local function arm()
      dgram.setTimeout(function() fired = fired + 1; if fired < N then arm() end; error(marker) end, 0)
    end
    arm()
    results.timeout = drive("setTimeout", function() return fired == N end, marker)
  end
  do
    local fired = 0
    local t
    t = dgram.setInterval(function()
      fired = fired + 1
      if fired == N then dgram.clearInterval(t) end
      error(marker)
    end, 0)
    results.interval = drive("setInterval", function() return fired == N end, marker)
  end
  do
    local fired = 0
    local function arm()
      dgram.setImmediate(function() fired = fired + 1; if fired < N then arm() end; error(marker) end)
    end
    arm()
    results.immediate = drive("setImmediate", function() return fired == N end, marker)
  end
  do
    local fired = 0
    local function arm()
      dgram.nextTick(function() fired = fired + 1; if fired < N then arm() end; error(marker) end)
    end
    arm()
    results.next_tick = drive("nextTick", function() return fired == N end, marker)
  end

  -- 'listening', 'close', 'connect' and 'error' (bind EADDRINUSE): one
  -- socket per round, each listener raising.
  do
    local holder = dgram.createSocket("udp4")
    holder:bind(0, "127.0.0.1")
    holder:unref()
    dgram.run("nowait")
    local busy = holder:address().port
    local counts = { listening = 0, close = 0, connect = 0, error = 0 }
    for i = 1, N do
      local s = dgram.createSocket("udp4")
      s:on("listening", function() counts.listening = counts.listening + 1; error(marker) end)
      s:on("connect", function() counts.connect = counts.connect + 1; error(marker) end)
      s:on("close", function() counts.close = counts.close + 1; error(marker) end)
      s:bind(0, "127.0.0.1")
      local ok, err = pcall(dgram.run)
      assert(not ok and err == marker and counts.listening == i, "listening")
      s:connect(busy, "127.0.0.1")
      ok, err = pcall(dgram.run)
      assert(not ok and err == marker and counts.connect == i, "connect")
      s:close()
      ok, err = pcall(dgram.run)
      assert(not ok and err == marker and counts.close == i, "close")
      local e = dgram.createSocket("udp4")
      e:on("error", function(ex)
        assert(ex.code == "EADDRINUSE")
        counts.error = counts.error + 1
        e:close()
        error(marker)
      end)
      e:bind(busy, "127.0.0.1")
      ok, err = pcall(dgram.run)
      assert(not ok and err == marker and counts.error == i, "error")
      dgram.run()
    end
    holder:close()
    dgram.run()
    for k, v in pairs(counts) do results[k] = v end
  end
end

-- A warm-up pass (a tenth), the checkpoint, then the measured pass.
pass(math.max(1, math.floor(COUNT / 10)))
reg0, heap0 = registry(), heap()
errorsOut = 0
pass(COUNT)
local reg1, heap1 = registry(), heap()
local names = {}
for k in pairs(results) do names[#names + 1] = k end
table.sort(names)
for _, k in ipairs(names) do figure("raised_" .. k, results[k]) end
figure("errors_raised", errorsOut)
figure("registry_entries_checkpoint", reg0)
figure("registry_entries_end", reg1)
figure("heap_kb_checkpoint", ("%%.1f"):format(heap0))
figure("heap_kb_end", ("%%.1f"):format(heap1))
]==]

local function checkStable(figs)
  assert.equal(figs.registry_entries_checkpoint, figs.registry_entries_end,
    "the registry grew: " .. figs.registry_entries_checkpoint .. " -> " .. figs.registry_entries_end)
  assert(figs.heap_kb_end - figs.heap_kb_checkpoint < HEAP_SLACK_KB,
    ("the Lua heap grew: %.1f KiB -> %.1f KiB"):format(figs.heap_kb_checkpoint, figs.heap_kb_end))
end

describe("errors raised in listeners", function()
  it(("a 'message' listener raising %d times in a row, one datagram per run()"):format(COUNT), function()
    local out = support.check(support.child(MESSAGE_BODY:format(COUNT, 1), { timeout = TIMEOUT }))
    local figs = support.figures(out)
    support.report("listener errors, one datagram per run()", figs)
    assert.equal(COUNT, figs.errors_raised)
    checkStable(figs)
  end)

  it(("a 'message' listener raising for every datagram of bursts of 20 (%d datagrams)"):format(math.floor(COUNT / 10)),
    function()
      local out = support.check(support.child(MESSAGE_BODY:format(math.floor(COUNT / 10), 20), { timeout = TIMEOUT }))
      local figs = support.figures(out)
      support.report("listener errors, bursts of 20", figs)
      assert.equal(math.floor(COUNT / 10), figs.errors_raised)
      checkStable(figs)
    end)

  it(("every other kind of callback raising, %d times each"):format(KIND_COUNT), function()
    local out = support.check(support.child(KINDS_BODY:format(KIND_COUNT), { timeout = TIMEOUT }))
    local figs = support.figures(out)
    support.report("callback errors", figs)
    for _, k in ipairs({ "send_callback", "message_emit", "timeout", "interval", "immediate", "next_tick",
      "listening", "connect", "close", "error" }) do
      assert.equal(KIND_COUNT, figs["raised_" .. k], k)
    end
    -- a listener that raises stops that emit, as in Node
    assert.equal(0, figs.raised_message_emit_second_listener)
    checkStable(figs)
  end)

  -- Timers due in the same iteration all run (uv_stop does not stop
  -- libuv's timer phase), so their errors are stashed together and must
  -- come out one per run(), in order, whatever the values are.
  it("several errors raised in one loop iteration come out one per run(), in order", function()
    local tbl = {}
    local values = { "first", tbl, 42, false, "last" }
    for _, v in ipairs(values) do
      dgram.setTimeout(function()
        error(v, 0)
      end, 1)
    end
    for i, v in ipairs(values) do
      local ok, err = pcall(dgram.run)
      assert.is_false(ok)
      assert(rawequal(err, v), ("run() #%d raised %s, expected %s"):format(i, tostring(err), tostring(v)))
    end
    h.run()
  end)

  -- In a fresh process: whether it goes wrong depends on the internals of
  -- the table that holds stashed errors.
  it("an error whose value is nil, followed by others in the same iteration", function()
    local out = support.check(support.child([=[
      local dgram = require "dgram"
      local values = { n = 3, nil, "second", "third" }
      for i = 1, values.n do
        dgram.setTimeout(function() error(values[i], 0) end, 1)
      end
      local got = {}
      for i = 1, values.n do
        local ok, err = pcall(dgram.run)
        got[i] = ok and "(returned)" or tostring(err)
      end
      print(table.concat(got, " "))
    ]=]))
    assert.equal("nil second third\n", out)
  end)
end)
