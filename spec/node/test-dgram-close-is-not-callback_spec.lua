-- Port of test/parallel/test-dgram-close-is-not-callback.js: close() with
-- an argument that is not a function ignores it and still emits 'close'.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-close-is-not-callback", function()
  it("close('bad argument') ignores the argument", function()
    local buf = string.rep("\42", 1024)

    local socket = dgram.createSocket("udp4")

    local portGetter
    portGetter = dgram.createSocket("udp4")
      :bind(0, "localhost", common.mustCall(function()
        socket:send(buf, 0, #buf,
                    portGetter:address().port,
                    portGetter:address().address)

        -- If close callback is not function, ignore the argument.
        socket:close("bad argument")
        portGetter:close()

        socket:on("close", common.mustCall())
      end))
    common.run()
  end)
end)
