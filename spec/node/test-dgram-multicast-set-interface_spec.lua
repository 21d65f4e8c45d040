-- Port of test/parallel/test-dgram-multicast-set-interface.js:
-- setMulticastInterface() with the default selection, after close, with a
-- wrong address class, a wrong type, a non-unicast address, and (udp6)
-- unparsable addresses and a scope that does not exist.
local common = require "common"
local dgram = require "dgram"

-- assert.throws(fn, /pattern/): the error's string form must match.
local function throwsMatching(fn, pattern)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error, none was raised")
  assert(tostring(err):find(pattern), ("%q does not match %q"):format(tostring(err), pattern))
end

describe("test-dgram-multicast-set-interface", function()
  it("setMulticastInterface in every case of Node's test", function()
    do
      local socket = dgram.createSocket("udp4")

      socket:bind(0)
      socket:on("listening", common.mustCall(function()
        -- Explicitly request default system selection
        socket:setMulticastInterface("0.0.0.0")

        socket:close()
      end))
    end

    do
      local socket = dgram.createSocket("udp4")

      socket:bind(0)
      socket:on("listening", common.mustCall(function()
        socket:close(common.mustCall(function()
          throwsMatching(function() socket:setMulticastInterface("0.0.0.0") end, "Not running")
        end))
      end))
    end

    do
      local socket = dgram.createSocket("udp4")

      socket:bind(0)
      socket:on("listening", common.mustCall(function()
        -- Try to set with an invalid interfaceAddress (wrong address class)
        --
        -- This operation succeeds on some platforms, throws `EINVAL` on some
        -- platforms, and throws `ENOPROTOOPT` on others. This is unpleasant, but
        -- we should at least test for it.
        local ok, e = pcall(function()
          socket:setMulticastInterface("::")
        end)
        if not ok then
          assert(e.code == "EINVAL" or e.code == "ENOPROTOOPT")
        end

        socket:close()
      end))
    end

    do
      local socket = dgram.createSocket("udp4")

      socket:bind(0)
      socket:on("listening", common.mustCall(function()
        -- Try to set with an invalid interfaceAddress (wrong Type)
        throwsMatching(function()
          socket:setMulticastInterface(1)
        end, "TypeError")

        socket:close()
      end))
    end

    do
      local socket = dgram.createSocket("udp4")

      socket:bind(0)
      socket:on("listening", common.mustCall(function()
        -- Try to set with an invalid interfaceAddress (non-unicast)
        throwsMatching(function()
          socket:setMulticastInterface("224.0.0.2")
        end, "Error")

        socket:close()
      end))
    end

    -- If IPv6 is not supported, skip the rest of the test.
    if common.hasIPv6 then
      do
        local socket = dgram.createSocket("udp6")

        socket:bind(0)
        socket:on("listening", common.mustCall(function()
          -- Try to set with an invalid interfaceAddress ('undefined')
          throwsMatching(function()
            socket:setMulticastInterface("undefined") -- String(undefined)
          end, "EINVAL")

          socket:close()
        end))
      end

      do
        local socket = dgram.createSocket("udp6")

        socket:bind(0)
        socket:on("listening", common.mustCall(function()
          -- Try to set with an invalid interfaceAddress ('')
          throwsMatching(function()
            socket:setMulticastInterface("")
          end, "EINVAL")

          socket:close()
        end))
      end

      do
        local socket = dgram.createSocket("udp6")

        socket:bind(0)
        socket:on("listening", common.mustCall(function()
          -- Using lo0 for OsX, on all other OSes, an invalid Scope gets
          -- turned into #0 (default selection) which is also acceptable.
          socket:setMulticastInterface("::%lo0")

          socket:close()
        end))
      end
    end

    common.run()
  end)
end)
