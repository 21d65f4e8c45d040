-- Port of test/parallel/test-dgram-send-cb-quelches-error.js: a send whose
-- look-up fails reports the error to its callback and emits no 'error';
-- without a callback the error is emitted.
--
-- The names (dne.example.com, dne.invalid) must fail to resolve without
-- asking any resolver outside this machine: the body runs in a child
-- process inside a network namespace of its own whose resolver (dnsmasq)
-- answers NXDOMAIN for every name (RECIPES.md). Node's
-- `dns.setServers([])` only affects c-ares, not the getaddrinfo look-ups
-- that dgram makes, so it has no counterpart here.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"
local mustCall = common.mustCall

local socket = dgram.createSocket("udp4")
local buffer = "gary busey"

local onEvent, onError

local function callbackOnly(err)
  assert(err)
  socket:removeListener("error", onEvent)
  socket:on("error", mustCall(onError))
  socket:send(buffer, 0, #buffer, 100, "dne.invalid")
end

function onEvent(err)
  error("Error should not be emitted if there is callback: " .. tostring(err))
end

function onError(err)
  assert(err)
  socket:close()
end

socket:once("error", onEvent)

-- assert that:
-- * callbacks act as "error" listeners if given.
-- * error is never emitter for missing dns entries
--   if a callback that handles error is present
-- * error is emitted if a callback with no argument is passed
socket:send(buffer, 0, #buffer, 100, "dne.example.com", mustCall(callbackOnly))

common.run()
]==]

describe("test-dgram-send-cb-quelches-error", function()
  it("a send callback takes the look-up error instead of 'error'", function()
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
