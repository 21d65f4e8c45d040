-- Port of test/parallel/test-dgram-send-address-types.js: an address of
-- '', null, undefined or none at all means the default host; anything else
-- that is not a string is refused with ERR_INVALID_ARG_TYPE.
--
-- Lua mapping: null and undefined are both nil (two sends, as in Node).
-- An empty Lua table is both Node's [] and its {}; the module renders it as
-- "an instance of Object" (errors.describe), so it stands for Node's {},
-- and a non-empty sequence stands for Node's [] ("an instance of Array").
-- BigInts (0n, 1n) and Symbol() have no Lua counterpart and are left out.
local common = require "common"
local dgram = require "dgram"

-- common.invalidArgTypeHelper for the values used below.
local function invalidArgTypeHelper(v)
  if v == nil then
    return " Received undefined"
  elseif type(v) == "table" then
    return v[1] ~= nil and " Received an instance of Array" or " Received an instance of Object"
  end
  return (" Received type %s (%s)"):format(type(v), tostring(v))
end

describe("test-dgram-send-address-types", function()
  it("default and invalid send addresses", function()
    local buf = "test"

    local defaultCases = { "", nil, nil }
    local nDefaultCases = 3

    local onMessage = common.mustSucceed(function(bytes)
      assert.equal(#buf, bytes)
    end, nDefaultCases + 1)

    local client
    client = dgram.createSocket("udp4"):bind(0, common.mustCall(function()
      local port = client:address().port

      -- Check valid addresses
      for i = 1, nDefaultCases do
        client:send(buf, port, defaultCases[i], onMessage)
      end

      -- Valid address: not provided
      client:send(buf, port, onMessage)

      -- Check invalid addresses
      for _, invalidInput in ipairs({
        { "127.0.0.1" },
        0,
        1,
        true,
        false,
        {},
      }) do
        common.expectsError(function() client:send(buf, port, invalidInput) end, {
          code = "ERR_INVALID_ARG_TYPE",
          name = "TypeError",
          message = "The \"address\" argument must be of type string." ..
            invalidArgTypeHelper(invalidInput),
        })
      end
    end))

    client:unref()

    -- Node's process exits with the unref'd socket open; here it is closed
    -- once the loop has nothing referenced left.
    common.runThenClose({ client })
  end)
end)
