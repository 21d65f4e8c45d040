-- Port of test/internet/test-dgram-connect.js: connect() to a host that
-- does not resolve calls back with ENOTFOUND (or EAI_AGAIN); without a
-- callback the error is emitted; a connect() to the default host then
-- works.
--
-- Named -internet because test/parallel/test-dgram-connect.js, another
-- test, has test-dgram-connect_spec.lua.
--
-- 'something.invalid' (addresses.INVALID_HOST) must fail to resolve without
-- asking any resolver outside this machine: the body runs in a child
-- lua5.4 inside a network namespace whose own resolver (dnsmasq) answers
-- NXDOMAIN for every name (RECIPES.md). common.PORT is only connected to,
-- inside that namespace; nothing is sent.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local PORT = 12346 -- common.PORT
local INVALID_HOST = "something.invalid" -- addresses.INVALID_HOST

local client = dgram.createSocket("udp4")
client:connect(PORT, INVALID_HOST, common.mustCall(function(err)
  assert(err.code == "ENOTFOUND" or err.code == "EAI_AGAIN", tostring(err))

  client:once("error", common.mustCall(function(err2)
    assert(err2.code == "ENOTFOUND" or err2.code == "EAI_AGAIN", tostring(err2))
    client:once("connect", common.mustCall(function() client:close() end))
    client:connect(PORT)
  end))

  client:connect(PORT, INVALID_HOST)
end))

common.run()
]==]

describe("internet/test-dgram-connect", function()
  it("connect() to a name that does not resolve", function()
    local ns, why = common.netns()
    if not ns then
      print("skipped: " .. why)
      pending(why)
      return
    end
    finally(function() ns:delete() end)
    local ok, reason = common.hermeticResolver(ns)
    if not ok then
      print("skipped: " .. reason)
      pending(reason)
      return
    end
    common.checkChild(common.luaChild(BODY, { netns = ns }))
  end)
end)
