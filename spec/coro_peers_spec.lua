-- Sequential code against real peers: a DNS client written top to bottom
-- in a coroutine (query, receive(500), two retries, parse) against dnsmasq
-- in a network namespace of its own, 200 queries in flight from 200
-- coroutines, and the timeout path against a port that never answers; an
-- echo server written as a for loop over sock:messages(), driven by Node's
-- dgram; and the blocking style of a five-line script at top level.
local dgram = require "dgram"
local compat = require "dgram.compat"
local common = require "common"
local h = require "helpers"

-- The DNS client, as a user would write it (Lua 5.1 syntax: it runs on
-- every Lua). resolve(name, server, port) -> address, tries; or nil, why.
local DNS_CLIENT = [==[
local dgram = require "dgram"

local function u16(s, i) return s:byte(i) * 256 + s:byte(i + 1) end

local function question(id, name)
  local labels = {}
  for label in name:gmatch("[^.]+") do labels[#labels + 1] = string.char(#label) .. label end
  return string.char(math.floor(id / 256), id % 256, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0)
    .. table.concat(labels) .. "\0\0\1\0\1" -- type A, class IN
end

-- Skips a name (labels, or a compression pointer) at i; returns what follows.
local function skipName(msg, i)
  while true do
    local len = msg:byte(i)
    if len == nil then return nil end
    if len >= 192 then return i + 2 end
    if len == 0 then return i + 1 end
    i = i + 1 + len
  end
end

-- The first A record of the answer to query `id`.
local function parse(msg, id)
  if #msg < 12 or u16(msg, 1) ~= id then return nil, "not our answer" end
  local rcode, answers = msg:byte(4) % 16, u16(msg, 7)
  if rcode ~= 0 then return nil, "rcode " .. rcode end
  local i = skipName(msg, 13) + 4
  for _ = 1, answers do
    i = skipName(msg, i)
    local rtype, rdlen = u16(msg, i), u16(msg, i + 8)
    if rtype == 1 and rdlen == 4 then
      return ("%d.%d.%d.%d"):format(msg:byte(i + 10, i + 13))
    end
    i = i + 10 + rdlen
  end
  return nil, "no A record"
end

function resolve(name, server, port)
  local sock = dgram.createSocket("udp4")
  local id = math.random(0, 65535)
  local query = question(id, name)
  for try = 1, 3 do
    sock:send(query, port, server)
    local reply, err = sock:receive(500)
    if reply then
      sock:close()
      local address, why = parse(reply, id)
      return address or nil, address and try or why
    elseif err.code ~= "ETIMEDOUT" then
      sock:close()
      return nil, tostring(err)
    end
  end
  sock:close()
  return nil, "timeout"
end
]==]

describe("a DNS client in coroutines, against dnsmasq in a namespace", function()
  it("resolves 200 names from 200 coroutines at once, and times out on a silent port", function()
    local dnsmasq = common.sh("command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null"):match("(%S+)")
    assert(dnsmasq, "dnsmasq is not installed (Debian package dnsmasq-base)")
    local ns = assert(common.netns())
    finally(function() ns:delete() end)
    local pidfile = os.tmpname()
    ns.files[#ns.files + 1] = pidfile
    local out, ok = ns:exec(dnsmasq .. " --no-resolv --no-hosts --listen-address=127.0.0.1"
      .. " --bind-interfaces --port=53 --user=root --conf-file=/dev/null --pid-file=" .. pidfile
      .. " --address=/coro.test/10.9.8.7 --host-record=alpha.coro.test,10.0.0.42")
    assert(ok, out)
    local f = assert(io.open(pidfile))
    ns.pids[#ns.pids + 1] = f:read("*l")
    f:close()
    out, ok = common.luaChild(DNS_CLIENT .. [==[
local results, started = {}, dgram.now()
for i = 1, 200 do
  dgram.spawn(function()
    local name = i == 1 and "alpha.coro.test" or ("host" .. i .. ".coro.test")
    results[i] = { resolve(name, "127.0.0.1", 53) }
  end)
end
local silent = dgram.createSocket("udp4") -- bound, never answers (and sends no ICMP)
silent:bind(0, "127.0.0.1")
local timedOut
dgram.spawn(function()
  dgram.once(silent, "listening")
  local t0 = dgram.now()
  local address, why = resolve("never.coro.test", "127.0.0.1", silent:address().port)
  timedOut = { address, why, dgram.now() - t0 }
  silent:close()
end)
dgram.run()
local answered, firstTry = 0, 0
for i = 2, 200 do
  local r = results[i]
  if r and r[1] == "10.9.8.7" then answered = answered + 1 end
  if r and r[2] == 1 then firstTry = firstTry + 1 end
end
print("alpha", results[1][1])
print("answered", answered, "first try", firstTry)
print("silent", tostring(timedOut[1]), timedOut[2], timedOut[3])
print("all within", dgram.now() - started)
]==], { netns = ns, timeout = 60 })
    assert(ok, out)
    assert.matches("alpha\t10.0.0.42", out, 1, true)
    assert.matches("answered\t199\t", out, 1, true)
    assert.matches("silent\tnil\ttimeout\t", out, 1, true)
    local elapsed = tonumber(out:match("silent\tnil\ttimeout\t(%d+)"))
    assert.is_true(elapsed >= 1490 and elapsed < 1500 + 1500 * h.SLOWDOWN, out) -- three tries of 500 ms
  end)
end)

describe("an echo server written as a for loop over sock:messages()", function()
  it("echoes what Node's dgram sends it", function()
    local server = dgram.createSocket("udp4")
    server:bind(0, "127.0.0.1")
    dgram.once(server, "listening")
    local COUNT = 500
    local client = h.node([[
      const dgram = require('dgram');
      const [port, count] = process.argv.slice(2).map(Number);
      const c = dgram.createSocket('udp4');
      const seen = new Set();
      let sent = 0;
      const next = () => c.send('datagram ' + sent++, port, '127.0.0.1');
      const bye = () => c.send('bye', port, '127.0.0.1', () => c.close());
      // Ten in flight: more would overflow the receive buffers of loopback.
      c.on('message', (msg) => {
        seen.add(msg.toString());
        if (sent < count) next();
        else if (seen.size === count) { console.log('echoed', seen.size); bye(); }
      });
      c.bind(0, '127.0.0.1', () => { for (let i = 0; i < 10; i++) next(); });
      setTimeout(() => { console.log('only', seen.size); bye(); process.exitCode = 1; }, 10000).unref();
    ]], server:address().port, COUNT)
    local echoed = 0
    local function serve(sock)
      for msg, rinfo in sock:messages() do
        if msg == "bye" then sock:close() else
          sock:send(msg, rinfo.port, rinfo.address)
          echoed = echoed + 1
        end
      end
    end
    if compat.noYieldAcrossFor then
      serve(server) -- Lua 5.1: the generic for runs on the main thread, which runs the loop
    else
      dgram.spawn(serve, server)
    end
    h.run(20000)
    local out, ok = client:wait()
    assert(ok, out)
    assert.matches("echoed " .. COUNT, out, 1, true)
    assert.equal(COUNT, echoed)
  end)
end)

describe("the blocking style at top level", function()
  -- The five lines, as a script would have them.
  local SCRIPT = [[
local dgram = require "dgram"
local sock = dgram.createSocket("udp4")
sock:send("what time is it?", tonumber(os.getenv("PORT")), "127.0.0.1")
local reply = sock:receive(1000)
print(reply or "timeout") sock:close()
]]

  -- Starts SCRIPT in a child of the Lua under test, sending to port; its
  -- :wait() gives the output, ending with the milliseconds it took.
  local function start(port)
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(SCRIPT)
    f:close()
    local run = ("PORT=%d LUA_PATH=%s LUA_CPATH=%s timeout 30 %s %s"):format(port,
      common.shellQuote(package.path), common.shellQuote(package.cpath), h.LUA, path)
    local p = h.pipe("t0=$(date +%s%N); " .. run .. " 2>&1; echo elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))")
    return {
      wait = function()
        local out, ok = p:wait()
        os.remove(path)
        return out, ok, tonumber(out:match("elapsed_ms=(%d+)"))
      end,
    }
  end

  it("prints the reply", function()
    local peer = dgram.createSocket("udp4")
    peer:on("message", function(msg, rinfo)
      peer:send("reply to " .. msg, rinfo.port, rinfo.address, function() peer:close() end)
    end)
    peer:bind(0, "127.0.0.1")
    dgram.once(peer, "listening")
    local child = start(peer:address().port)
    h.run(20000)
    local out, ok = child:wait()
    assert(ok, out)
    assert.matches("^reply to what time is it%?\n", out)
  end)

  it("prints timeout after 1 s when nothing answers", function()
    local silent = dgram.createSocket("udp4")
    silent:bind(0, "127.0.0.1")
    dgram.once(silent, "listening")
    local out, ok, ms = start(silent:address().port):wait()
    silent:close()
    h.run()
    assert(ok, out)
    assert.matches("^timeout\n", out)
    assert.is_true(ms >= 1000 and ms < 1000 + 2000 * h.SLOWDOWN, out)
  end)
end)
