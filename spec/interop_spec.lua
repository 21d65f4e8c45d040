-- A real Node.js peer: a Node dgram server echoing to a Lua client, and a
-- Lua server echoing to a Node client, with binary payloads of 0, 1, 1400
-- and 65507 bytes (the largest IPv4 UDP payload).
local dgram = require "dgram"
local h = require "helpers"

local SIZES = { 0, 1, 1400, 65507 }

-- Deterministic binary payload: every byte value, NULs included.
local function payload(n)
  local t = {}
  for i = 1, n do
    t[i] = string.char((i * 7 + 3) % 256)
  end
  return table.concat(t)
end

local NODE_ECHO = [[
const dgram = require('dgram');
const ctl = Number(process.argv[2]);
const s = dgram.createSocket('udp4');
let n = 0;
s.on('message', (msg, rinfo) => {
  s.send(msg, rinfo.port, rinfo.address, (err) => {
    if (err) throw err;
    if (++n === Number(process.argv[3])) s.close();
  });
});
s.bind(0, '127.0.0.1', () => s.send('port:' + s.address().port, ctl, '127.0.0.1'));
]]

local NODE_CLIENT = [[
const dgram = require('dgram');
const port = Number(process.argv[2]);
const sizes = process.argv[3].split(',').map(Number);
const c = dgram.createSocket('udp4');
const payload = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = ((i + 1) * 7 + 3) % 256;
  return b;
};
let i = 0;
c.on('message', (msg) => {
  const want = payload(sizes[i]);
  if (!msg.equals(want)) { console.log('MISMATCH at size ' + sizes[i]); process.exit(1); }
  console.log('ok ' + msg.length);
  if (++i === sizes.length) c.close(); else c.send(payload(sizes[i]), port, '127.0.0.1');
});
c.send(payload(sizes[0]), port, '127.0.0.1');
]]

describe("interop with Node.js", function()
  it("a Lua client talks to a Node server", function()
    local ctl = dgram.createSocket("udp4")
    local client = dgram.createSocket("udp4")
    local peer
    local i = 0
    local function sendNext(port)
      i = i + 1
      client:send(payload(SIZES[i]), port, "127.0.0.1", h.mustSucceed(function(bytes)
        assert.equal(SIZES[i], bytes)
      end))
    end
    ctl:on("message", h.mustCall(function(msg)
      local port = tonumber(msg:match("^port:(%d+)$"))
      ctl:close()
      client:on("message", function(msg2, rinfo)
        assert.equal(port, rinfo.port)
        assert.equal(SIZES[i], rinfo.size)
        assert.equal(payload(SIZES[i]), msg2)
        if i == #SIZES then
          client:close()
        else
          sendNext(port)
        end
      end)
      sendNext(port)
    end))
    ctl:bind(0, "127.0.0.1", function()
      peer = h.node(NODE_ECHO, ctl:address().port, #SIZES)
    end)
    h.run(15000)
    local out, ok = peer:wait()
    assert(ok, out)
    assert.equal(#SIZES, i)
  end)

  it("a Node client talks to a Lua server", function()
    local server = dgram.createSocket("udp4")
    local peer
    local n = 0
    server:on("message", function(msg, rinfo)
      n = n + 1
      assert.equal(SIZES[n], #msg)
      assert.equal(payload(SIZES[n]), msg)
      server:send(msg, rinfo.port, rinfo.address, function(err)
        assert.is_nil(err)
        if n == #SIZES then
          server:close()
        end
      end)
    end)
    server:bind(0, "127.0.0.1", function()
      local sizes = {}
      for k, v in ipairs(SIZES) do sizes[k] = tostring(v) end
      peer = h.node(NODE_CLIENT, server:address().port, table.concat(sizes, ","))
    end)
    h.run(15000)
    local out, ok = peer:wait()
    assert(ok, out)
    assert.equal("ok 0\nok 1\nok 1400\nok 65507\n", out)
  end)
end)
