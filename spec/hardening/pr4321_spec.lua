-- libuv 1.44.2 (Debian's) keeps working on a UDP handle closed inside its
-- receive callback while sends are queued: a use-after-free fixed upstream
-- in libuv PR #4321. The module defers the real uv_close until libuv has
-- returned. This reproduces the pattern: a small send buffer, thousands of
-- queued sends, a peer flooding back, close() in the first 'message'; and
-- libuv's mistake shows in two ways: sends completed with EBADF (libuv
-- wrote to the closed fd) and, under valgrind, an invalid write in uv_run
-- (ASan cannot see it: libuv is not instrumented). Without the deferral
-- both were seen here; with it, every queued send ends ECANCELED. SOAK=1 runs the issue's
-- figure of 1,000 rounds with 10,000 queued sends each. On loopback the
-- kernel never blocks a UDP send, so the sockets live in a namespace whose
-- lo has a tbf shaper: sends wait in the qdisc, the small send buffer
-- fills, and libuv queues the rest until the socket is writable again.
local common = require "common"
local h = require "helpers"

local SOAK = os.getenv("SOAK") == "1"
local ROUNDS = SOAK and 1000 or 60
local SENDS = SOAK and 10000 or 2000

local function childSource(rounds, sends)
  return ([[
      local dgram = require "dgram"
      local ROUNDS, SENDS = %d, %d
      local rounds, withQueue, cancelled, completed, badCodes = 0, 0, 0, 0, ""
      local function round()
        local peer = dgram.createSocket("udp4")
        local s = dgram.createSocket({ type = "udp4", sendBufferSize = 4096 })
        s:on("message", function()
          if s:getSendQueueCount() > 0 then withQueue = withQueue + 1 end
          s:close()
        end)
        s:on("close", function()
          peer:close()
          rounds = rounds + 1
          if rounds < ROUNDS then round() end
        end)
        s:bind(0, "127.0.0.1", function()
          peer:bind(0, "127.0.0.1", function()
            local sp, pp = s:address().port, peer:address().port
            local payload = ("z"):rep(1200)
            for i = 1, SENDS do
              s:send(payload, pp, "127.0.0.1", function(err)
                if err then
                  cancelled = cancelled + 1
                  if err.code ~= "ECANCELED" then badCodes = badCodes .. " " .. err.code end
                else
                  completed = completed + 1
                end
              end)
            end
            -- The flood, then hold the loop while it lands and the shaper
            -- drains, so that the next poll finds the socket readable and
            -- writable at once: the case libuv mishandles.
            dgram.setTimeout(function()
              for i = 1, 64 do peer:send("flood", sp, "127.0.0.1") end
              local t = os.clock() + 0.02
              while os.clock() < t do end
            end, 1)
          end)
        end)
      end
      round()
      dgram.run()
      io.write(("rounds %%d queued %%d callbacks %%d bad[%%s]\n"):format(rounds, withQueue,
        cancelled + completed, badCodes:sub(1, 200)))
    ]]):format(rounds, sends)
end

local function check(out, rounds, sends)
  local r, queued, callbacks, bad = out:match("rounds (%d+) queued (%d+) callbacks (%d+) bad%[(.-)%]\n$")
  assert(r, out)
  assert.equal(rounds, tonumber(r))
  -- The hazard needs sends still queued in libuv when close() runs.
  assert.is_true(tonumber(queued) > 0, "no round had sends queued at close(): " .. out)
  -- Every send callback ran exactly once: done, or cancelled by close().
  assert.equal(rounds * sends, tonumber(callbacks))
  -- No send ever went to the closed fd.
  assert.equal("", bad)
end

describe("close() in 'message' while sends are queued (libuv PR #4321)", function()
  local ns, why
  setup(function()
    ns, why = common.netns({ "tc -n $NS qdisc add dev lo root tbf rate 20mbit burst 32kbit latency 400ms" })
  end)
  teardown(function()
    if ns then ns:delete() end
  end)

  it(("survives %d rounds of %d queued sends"):format(ROUNDS, SENDS), function()
    if not ns then
      print("skipped: " .. why)
      pending(why)
      return
    end
    local out, ok, code = common.luaChild(childSource(ROUNDS, SENDS), { netns = ns, timeout = SOAK and 1800 or 60 })
    assert(common.checkChild(out, ok, code))
    check(out, ROUNDS, SENDS)
  end)

  it("is clean under valgrind, which sees into libuv", function()
    if not ns then
      pending(why)
      return
    end
    if not common.sh("which valgrind"):match("valgrind") or (os.getenv("LD_PRELOAD") or ""):match("asan") then
      pending("needs valgrind and a build without ASan (make test runs it)")
      return
    end
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(childSource(10, 500))
    f:close()
    local out, ok = common.sh(("ip netns exec %s env LUA_PATH=%s LUA_CPATH=%s timeout 300 valgrind -q "
      .. "--error-exitcode=99 %s %s"):format(ns.name, common.shellQuote(package.path),
      common.shellQuote(package.cpath), h.LUA, path))
    os.remove(path)
    assert(ok, out)
    check(out, 10, 500)
  end)
end)
