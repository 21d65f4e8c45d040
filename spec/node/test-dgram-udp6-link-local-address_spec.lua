-- Port of test/parallel/test-dgram-udp6-link-local-address.js: a udp6
-- server bound to a link-local address with its scope (`fe80::…%ifname`)
-- receives from a client that sends there, and rinfo.address carries the
-- same `%ifname`.
--
-- Node takes the first link-local address from os.networkInterfaces(). To
-- stay off the machine's own interfaces, the spec makes a namespace with a
-- veth interface (vA, duplicate address detection off so its fe80::
-- address is usable at once), reads that address with `ip`, and runs the
-- body in a child lua5.4 inside the namespace.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local iface = { address = os.getenv("LINK_LOCAL"), ifname = os.getenv("IFNAME") }

local address = ("%s%%%s"):format(iface.address, iface.ifname)
local message = "Hello, local world!"

-- Create a client socket for sending to the link-local address.
local client = dgram.createSocket("udp6")

-- Create the server socket listening on the link-local address.
local server = dgram.createSocket("udp6")

server:on("listening", common.mustCall(function()
  local port = server:address().port
  client:send(message, 0, #message, port, address)
end))

server:on("message", common.mustCall(function(buf, info)
  local received = buf
  assert(received == message, received)
  -- Check that the sender address is the one bound,
  -- including the link local scope identifier.
  assert(info.address == address, ("%s ~= %s"):format(info.address, address))
  server:close()
  client:close()
end, 1))

server:bind({ address = address })

common.run()
]==]

describe("test-dgram-udp6-link-local-address", function()
  it("send to and receive from fe80::…%ifname", function()
    if not common.hasIPv6 then
      pending("no IPv6 support")
      return
    end
    local ns, why = common.netns(common.LAN_SETUP)
    if not ns then
      print("skipped: " .. why)
      pending(why)
      return
    end
    finally(function() ns:delete() end)
    local out = ns:exec("ip -6 -o addr show dev " .. common.LAN.ifname .. " scope link")
    local linklocal = out:match("inet6 (fe80:[%x:]+)/")
    if not linklocal then
      print("skipped: cannot find any IPv6 interfaces with a link local address")
      pending("cannot find any IPv6 interfaces with a link local address")
      return
    end
    common.checkChild(common.luaChild(BODY, {
      netns = ns,
      env = { LINK_LOCAL = linklocal, IFNAME = common.LAN.ifname },
    }))
  end)
end)
