-- What the receive path hands a 'message' listener, whatever shortcuts it
-- takes (the sender's address string cached across datagrams, rinfo's
-- keys made once, a single listener called directly): every datagram gets
-- a fresh rinfo of its own, with exactly Node's four fields, that later
-- datagrams never change.
local dgram = require "dgram"
local h = require "helpers"

local function fields(rinfo)
  local keys = {}
  for k in pairs(rinfo) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return table.concat(keys, ",")
end

-- Two clients on `host` send alternately to a server with `listeners`
-- 'message' listeners; returns what each listener kept, in order.
local function exchange(type_, host, listeners, count)
  local server = dgram.createSocket(type_)
  local clients = { dgram.createSocket(type_), dgram.createSocket(type_) }
  local kept = {}
  for l = 1, listeners do
    kept[l] = {}
    server:on("message", function(msg, rinfo)
      kept[l][#kept[l] + 1] = { msg = msg, rinfo = rinfo }
      -- A user may write into the rinfo it got: the next one is untouched.
      rinfo.address, rinfo.port = "scribbled", -1
      if l == listeners and #kept[l] == count then
        server:close()
        clients[1]:close()
        clients[2]:close()
      end
    end)
  end
  h.bindServerAndClients(host, server, clients, function(port)
    for i = 1, count do
      clients[(i - 1) % 2 + 1]:send(("m%d"):format(i) .. ("x"):rep(i), port, host)
    end
  end)
  h.run()
  return kept
end

describe("rinfo", function()
  for _, case in ipairs({ { "udp4", "127.0.0.1", "IPv4" }, { "udp6", "::1", "IPv6" } }) do
    local type_, host, family = case[1], case[2], case[3]
    for _, listeners in ipairs({ 1, 2 }) do
      it(("is a fresh table per datagram with Node's four fields (%s, %d listener%s)")
        :format(type_, listeners, listeners == 1 and "" or "s"), function()
        local count = 6
        local kept = exchange(type_, host, listeners, count)
        for l = 1, listeners do
          assert.equal(count, #kept[l])
        end
        local seen = {}
        for i, got in ipairs(kept[1]) do
          local r = got.rinfo
          assert.is_nil(seen[r], "a rinfo table handed out twice")
          seen[r] = true
          assert.equal("address,family,port,size", fields(r))
          -- What the listener wrote stays; nothing else changed it.
          assert.equal("scribbled", r.address)
          assert.equal(-1, r.port)
          assert.equal(family, r.family)
          assert.equal(#got.msg, r.size)
          assert.is_true(h.isInteger(r.size))
          assert.equal(("m%d"):format(i) .. ("x"):rep(i), got.msg)
          for l = 2, listeners do
            assert.equal(r, kept[l][i].rinfo, "listeners of one datagram share its rinfo")
          end
        end
      end)
    end

    it(("names each datagram's own sender when peers alternate (%s)"):format(type_), function()
      local server = dgram.createSocket(type_)
      local clients = { dgram.createSocket(type_), dgram.createSocket(type_) }
      local count, got = 8, {}
      local clientPorts -- set once every socket is bound
      server:on("message", function(msg, rinfo)
        got[#got + 1] = { msg = msg, address = rinfo.address, port = rinfo.port }
        if #got == count then
          server:close()
          clients[1]:close()
          clients[2]:close()
        end
      end)
      h.bindServerAndClients(host, server, clients, function(port, ports)
        clientPorts = ports
        for i = 1, count do
          clients[(i - 1) % 2 + 1]:send(tostring((i - 1) % 2 + 1), port, host)
        end
      end)
      h.run()
      assert.equal(count, #got)
      for _, g in ipairs(got) do
        assert.equal(host, g.address)
        assert.equal(clientPorts[tonumber(g.msg)], g.port)
      end
    end)
  end
end)
