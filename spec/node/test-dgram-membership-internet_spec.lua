-- Port of test/internet/test-dgram-membership.js: addMembership() on a
-- socket that is not bound yet works; dropMembership() without a previous
-- addMembership() fails with EADDRNOTAVAIL; add then drop works.
--
-- Named -internet because test/parallel/test-dgram-membership.js, another
-- test, has test-dgram-membership_spec.lua.
--
-- Joining a group on the machine's own interfaces would send IGMP reports
-- out of it: the body runs in a child lua5.4 inside a network namespace of
-- its own (a veth interface with the IPv4 multicast route, RECIPES.md).
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"
local multicastAddress = "224.0.0.114"

local function setup()
  return dgram.createSocket({ type = "udp4", reuseAddr = true })
end

-- addMembership() with valid socket and multicast address should not throw
do
  local socket = setup()
  socket:addMembership(multicastAddress)
  socket:close()
end

-- dropMembership() without previous addMembership should throw
do
  local socket = setup()
  local ok, err = pcall(function() socket:dropMembership(multicastAddress) end)
  assert(not ok)
  assert(tostring(err) == "Error: dropMembership EADDRNOTAVAIL", tostring(err))
  socket:close()
end

-- dropMembership() after addMembership() should not throw
do
  local socket = setup()
  socket:addMembership(multicastAddress)
  socket:dropMembership(multicastAddress)
  socket:close()
end

common.run()
]==]

describe("internet/test-dgram-membership", function()
  it("memberships on sockets that are not bound", function()
    local ns, why = common.netns(common.LAN_SETUP)
    if not ns then
      print("skipped: " .. why)
      pending(why)
      return
    end
    finally(function() ns:delete() end)
    common.checkChild(common.luaChild(BODY, { netns = ns }))
  end)
end)
