-- Port of test/parallel/test-dgram-unref.js: a bound socket that is
-- unref()'d does not keep the loop running, and unref() on a closed socket
-- does not throw.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-unref", function()
  it("unref()'d sockets let run() return", function()
    local s1
    do
      -- Test the case of unref()'ing a socket with a handle.
      local s = dgram.createSocket("udp4")
      s:bind()
      s:unref()
      s1 = s
    end

    do
      -- Test the case of unref()'ing a socket with no handle.
      local s = dgram.createSocket("udp4")

      s:close(common.mustCall(function() s:unref() end))
    end

    local timer = dgram.setTimeout(common.mustNotCall(), 1000):unref()

    -- Node's process exits here with the unref'd socket still bound (and
    -- drops the unref'd timer); run() returns instead, well before the
    -- timer would fire. Then the socket is closed (and the timer cleared)
    -- before the check that nothing is left open.
    local started = dgram.now()
    common.runThenClose({ s1, function() dgram.clearTimeout(timer) end })
    assert(dgram.now() - started < 1000, "run() waited for the unref'd timer")
  end)
end)
