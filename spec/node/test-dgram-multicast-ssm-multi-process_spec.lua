-- Port of test/internet/test-dgram-multicast-ssm-multi-process.js: IPv4
-- source-specific multicast. A sender (TTL 1, broadcast on, multicast TTL
-- 1, loopback on, itself joined to (source, 232.1.1.1)) sends four
-- messages to the group; three listeners sharing one port (reuseAddr),
-- joined to the group for that source, each receive all four, then drop
-- the membership and close.
--
-- Node forks three child processes as listeners and counts what they
-- report over IPC. Here the listeners are three sockets in the same
-- process ("workers" below keep Node's bookkeeping), running in a child
-- lua5.4 inside a network namespace of the spec's own whose only
-- non-internal interface is a veth (10.200.0.1/24, IPv4 multicast routed
-- there: RECIPES.md), so that no multicast leaves this machine; the
-- sender's copies come back through multicast loopback. The source is
-- that interface's address, as Node takes the first non-internal IPv4
-- address. common.PORT: the first listener binds port 0, the others bind
-- the port it got. Node's 5 s TIMEOUT is the run() watchdog.
local common = require "common"
local run = require "ssm_multi_process"

describe("internet/test-dgram-multicast-ssm-multi-process", function()
  it("three listeners receive every source-specific multicast message", function()
    run("udp4", common.LAN.ipv4, "232.1.1.1", pending)
  end)
end)
