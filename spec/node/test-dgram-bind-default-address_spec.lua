-- Port of test/parallel/test-dgram-bind-default-address.js: bind(0) binds
-- the wildcard address of the family.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-bind-default-address", function()
  it("binds 0.0.0.0 and ::", function()
    local s4 = dgram.createSocket("udp4")
    s4:bind(0, common.mustCall(function()
      assert.equal("number", type(s4:address().port))
      assert.is_true(math.abs(s4:address().port) ~= math.huge)
      assert.is_true(s4:address().port > 0)
      assert.equal("0.0.0.0", s4:address().address)
      s4:close()
    end))

    if common.hasIPv6 then
      local s6 = dgram.createSocket("udp6")
      s6:bind(0, common.mustCall(function()
        assert.equal("number", type(s6:address().port))
        assert.is_true(math.abs(s6:address().port) ~= math.huge)
        assert.is_true(s6:address().port > 0)
        local address = s6:address().address
        if address == "::ffff:0.0.0.0" then
          address = "::"
        end
        assert.equal("::", address)
        s6:close()
      end))
    end

    common.run()
  end)
end)
