-- Port of test/parallel/test-dgram-membership.js: argument and state checks
-- of addMembership/dropMembership and of the source-specific variants.
local common = require "common"
local dgram = require "dgram"

local multicastAddress = "224.0.0.114"

local function setup()
  return dgram.createSocket({ type = "udp4", reuseAddr = true })
end

-- assert.throws(fn, /^<text>$/) on the error's string form.
local function throwsText(fn, text)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error, none was raised")
  assert.equal(text, tostring(err))
end

describe("test-dgram-membership", function()
  it("addMembership() on closed socket should throw", function()
    local socket = setup()
    socket:close(common.mustCall(function()
      common.expectsError(function()
        socket:addMembership(multicastAddress)
      end, {
        code = "ERR_SOCKET_DGRAM_NOT_RUNNING",
        name = "Error",
        message = "^Not running$",
      })
    end))
    common.run()
  end)

  it("dropMembership() on closed socket should throw", function()
    local socket = setup()
    socket:close(common.mustCall(function()
      common.expectsError(function()
        socket:dropMembership(multicastAddress)
      end, {
        code = "ERR_SOCKET_DGRAM_NOT_RUNNING",
        name = "Error",
        message = "^Not running$",
      })
    end))
    common.run()
  end)

  it("addMembership() with no argument should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:addMembership()
    end, {
      code = "ERR_MISSING_ARGS",
      name = "TypeError",
      message = "^The \"multicastAddress\" argument must be specified$",
    })
    socket:close()
    common.run()
  end)

  it("dropMembership() with no argument should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:dropMembership()
    end, {
      code = "ERR_MISSING_ARGS",
      name = "TypeError",
      message = "^The \"multicastAddress\" argument must be specified$",
    })
    socket:close()
    common.run()
  end)

  it("addMembership() with invalid multicast address should throw", function()
    local socket = setup()
    throwsText(function() socket:addMembership("256.256.256.256") end,
      "Error: addMembership EINVAL")
    socket:close()
    common.run()
  end)

  it("dropMembership() with invalid multicast address should throw", function()
    local socket = setup()
    throwsText(function() socket:dropMembership("256.256.256.256") end,
      "Error: dropMembership EINVAL")
    socket:close()
    common.run()
  end)

  it("addSourceSpecificMembership with invalid sourceAddress should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:addSourceSpecificMembership(0, multicastAddress)
    end, {
      code = "ERR_INVALID_ARG_TYPE",
      message = "The \"sourceAddress\" argument must be of type string. " ..
        "Received type number (0)",
    })
    socket:close()
    common.run()
  end)

  it("addSourceSpecificMembership with invalid groupAddress type should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:addSourceSpecificMembership(multicastAddress, 0)
    end, {
      code = "ERR_INVALID_ARG_TYPE",
      message = "The \"groupAddress\" argument must be of type string. " ..
        "Received type number (0)",
    })
    socket:close()
    common.run()
  end)

  it("addSourceSpecificMembership with invalid groupAddress should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:addSourceSpecificMembership(multicastAddress, "0")
    end, {
      code = "EINVAL",
      message = "addSourceSpecificMembership EINVAL",
    })
    socket:close()
    common.run()
  end)

  it("dropSourceSpecificMembership with invalid sourceAddress should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:dropSourceSpecificMembership(0, multicastAddress)
    end, {
      code = "ERR_INVALID_ARG_TYPE",
      message = "The \"sourceAddress\" argument must be of type string. " ..
        "Received type number (0)",
    })
    socket:close()
    common.run()
  end)

  it("dropSourceSpecificMembership with invalid groupAddress should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:dropSourceSpecificMembership(multicastAddress, 0)
    end, {
      code = "ERR_INVALID_ARG_TYPE",
      message = "The \"groupAddress\" argument must be of type string. " ..
        "Received type number (0)",
    })
    socket:close()
    common.run()
  end)

  it("dropSourceSpecificMembership with invalid UDP should throw", function()
    local socket = setup()
    common.expectsError(function()
      socket:dropSourceSpecificMembership(multicastAddress, "0")
    end, {
      code = "EINVAL",
      message = "dropSourceSpecificMembership EINVAL",
    })
    socket:close()
    common.run()
  end)
end)
