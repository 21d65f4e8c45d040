-- Real peers receive what sendMany sends, datagram by datagram: Node's
-- dgram, socat and a plain C recvfrom loop (spec/recv_digest.c) each get
-- every datagram of a list whose equal-sized runs leave segmented
-- (UDP_SEGMENT), whole, in order.
local dgram = require "dgram"
local h = require "helpers"
local support = require "hardening.support"

local HOST = "127.0.0.1"

-- 100 datagrams of 1400 bytes (three segmented sends), one of 700 that
-- ends the last run, then 19 of 1200: none over 1400 bytes.
local function peerList()
  local list = {}
  for i = 1, 120 do
    list[i] = h.numberedDatagram(i, i <= 100 and 1400 or i == 101 and 700 or 1200)
  end
  return list
end

local function digests(list)
  local lines = {}
  for i, s in ipairs(list) do
    lines[i] = ("%d %d"):format(#s, h.adler32(s))
  end
  return lines
end

-- Sends the list to port and runs the loop until the callback.
local function sendAll(list, port)
  local s = dgram.createSocket("udp4")
  s:sendMany(list, port, HOST, h.mustCall(function(err, count)
    assert.is_nil(err)
    assert.equal(#list, count)
    s:close()
  end))
  h.run()
end

-- A peer started with io.popen that prints "port P" first, then one line
-- per datagram: returns its port and a function that reads those lines.
local function startPeer(cmd)
  local p = assert(io.popen(cmd))
  local first = p:read("*l")
  local port = tonumber(first and first:match("^port (%d+)$"))
  assert(port, "the peer did not start: " .. tostring(first))
  return port, function()
    local lines = {}
    for line in p:lines() do
      lines[#lines + 1] = line
    end
    p:close()
    return lines
  end
end

local NODE_PEER = [[
const dgram = require('dgram');
const count = Number(process.argv[1]);
const adler = (b) => {
  let a = 1, c = 0;
  for (const x of b) { a = (a + x) % 65521; c = (c + a) % 65521; }
  return c * 65536 + a;
};
const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
const lines = [];
s.on('message', (m) => {
  lines.push(m.length + ' ' + adler(m));
  if (lines.length === count) { console.log(lines.join('\n')); s.close(); }
});
s.bind(0, '127.0.0.1', () => console.log('port ' + s.address().port));
setTimeout(() => { console.log(lines.join('\n')); process.exit(1); }, 10000).unref();
]]

describe("sendMany to real peers", function()
  it("Node's dgram gets every datagram intact", function()
    local list = peerList()
    local port, lines = startPeer(("env -u LD_PRELOAD timeout 20 node -e %s %d"):format(
      support.q(NODE_PEER), #list))
    sendAll(list, port)
    assert.same(digests(list), lines())
  end)

  it("a C recvfrom loop gets every datagram intact", function()
    local list = peerList()
    local program = assert(support.program("spec/recv_digest.c", "recv-digest"))
    local port, lines = startPeer(("env -u LD_PRELOAD %s %d 5000"):format(support.q(program), #list))
    sendAll(list, port)
    assert.same(digests(list), lines())
  end)

  it("socat reading at most 1400 bytes a datagram gets every byte in order", function()
    local list = peerList()
    local expected = table.concat(list)
    -- socat cannot say which port it bound: take one the kernel just gave.
    local probe = dgram.createSocket("udp4")
    local port
    probe:bind(0, HOST, h.mustCall(function()
      port = probe:address().port
      probe:close()
    end))
    h.run()
    local out, log = os.tmpname(), os.tmpname()
    local p = assert(io.popen(("env -u LD_PRELOAD timeout 20 socat -d -d -u -b 1400 "
      .. "UDP4-RECV:%d,bind=%s,rcvbuf=4194304 OPEN:%s,creat,trunc 2>%s & echo $!"):format(
      port, HOST, support.q(out), support.q(log))))
    local pid = assert(tonumber(p:read("*l")))
    p:close()
    local function fileText(path)
      return h.readFile(path) or ""
    end
    -- Wait, bounded by h.run's watchdog, until socat reads, then until
    -- it wrote as many bytes as were sent.
    local poll
    poll = dgram.setInterval(function()
      if fileText(log):find("starting data transfer loop", 1, true) then
        dgram.clearInterval(poll)
        local s = dgram.createSocket("udp4")
        s:sendMany(list, port, HOST, h.mustSucceed(function()
          s:close()
        end))
        poll = dgram.setInterval(function()
          if #fileText(out) >= #expected then
            dgram.clearInterval(poll)
          end
        end, 10)
      end
    end, 10)
    local ok, err = pcall(h.run)
    os.execute("kill " .. pid .. " 2>/dev/null")
    local got = fileText(out)
    os.remove(out)
    os.remove(log)
    assert(ok, err)
    assert.equal(#expected, #got)
    assert.is_true(expected == got, "socat's bytes differ from the list's")
  end)
end)
