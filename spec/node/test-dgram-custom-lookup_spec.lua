-- Port of test/parallel/test-dgram-custom-lookup.js: a custom `lookup` is
-- called as lookup(host, family, callback); without one the default
-- look-up is used; a `lookup` that is not a function raises
-- ERR_INVALID_ARG_TYPE.
-- The module has no `dns` module to call or replace: the custom look-up
-- answers the IP literal it is given (bind's default 0.0.0.0) as
-- dns.lookup would, and the second block checks that a socket without one
-- binds through the default look-up. Node's null (nil here: no lookup at
-- all, so no error) and Symbol() have no Lua counterpart and are left out.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-custom-lookup", function()
  it("calls the custom lookup, defaults, and validates", function()
    do
      -- Verify that the provided lookup function is called.
      local lookup = common.mustCall(function(host, family, callback)
        callback(nil, host, family)
      end)

      local socket = dgram.createSocket({ type = "udp4", lookup = lookup })

      socket:bind(common.mustCall(function()
        socket:close()
      end))
    end

    do
      -- Verify that lookup defaults to the module's own look-up.
      local socket = dgram.createSocket({ type = "udp4" })

      socket:bind(common.mustCall(function()
        socket:close()
      end))
    end

    do
      -- Verify that non-functions throw.
      for _, value in ipairs({ true, false, 0, 1, 0 / 0, "", "foo", {} }) do
        common.expectsError(function()
          dgram.createSocket({ type = "udp4", lookup = value })
        end, {
          code = "ERR_INVALID_ARG_TYPE",
          name = "TypeError",
          message = 'The "lookup" argument must be of type function.' ..
                    common.invalidArgTypeHelper(value),
        })
      end
    end
    common.run()
  end)
end)
