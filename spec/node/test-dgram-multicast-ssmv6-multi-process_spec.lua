-- Port of test/internet/test-dgram-multicast-ssmv6-multi-process.js: IPv6
-- source-specific multicast. A udp6 sender (TTL 1, broadcast on, multicast
-- TTL 1, loopback on, itself joined to (source, ff3e::1234)) sends four
-- messages to the group; three listeners sharing one port (reuseAddr),
-- joined to the group for that source, each receive all four, then drop
-- the membership and close.
--
-- Node forks three child processes as listeners and counts what they
-- report over IPC. Here the listeners are three sockets in the same
-- process ("workers" below keep Node's bookkeeping), running in a child
-- lua5.4 inside a network namespace of the spec's own whose only
-- non-internal interface is a veth (fd00:200::1/64, which carries the
-- kernel's ff00::/8 multicast route: RECIPES.md), so that no multicast
-- leaves this machine; the sender's copies come back through multicast
-- loopback. The source is that interface's global address (Node takes the
-- first non-internal IPv6 address). common.PORT: the first listener binds
-- port 0, the others bind the port it got. Node's 5 s TIMEOUT is the
-- run() watchdog. The body is shared with the IPv4 port:
-- ssm_multi_process.lua.
local common = require "common"
local run = require "ssm_multi_process"

describe("internet/test-dgram-multicast-ssmv6-multi-process", function()
  it("three listeners receive every IPv6 source-specific multicast message", function()
    if not common.hasIPv6 then
      pending("no IPv6 support")
      return
    end
    run("udp6", common.LAN.ipv6, "ff3e::1234", pending)
  end)
end)
