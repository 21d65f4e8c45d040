-- Port of test/sequential/test-dgram-pingpong.js: PING/PONG between a
-- server bound on 'localhost' and a client; once the server has closed, a
-- new server binds the same port again (all addresses) and the exchange
-- is repeated.
--
-- Node uses the fixed common.PORT both times; here the first server binds
-- port 0 and the port it got is the one bound again the second time.
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-pingpong", function()
  it("ping-pong, then again on the same port", function()
    local PORT -- common.PORT: the port the first server got

    local function pingPongTest(port, host)
      local server
      server = dgram.createSocket("udp4", common.mustCall(function(msg, rinfo)
        assert.equal("PING", msg)
        server:send("PONG", 0, 4, rinfo.port, rinfo.address)
      end))

      server:on("error", function(e)
        error(e)
      end)

      server:on("listening", common.mustCall(function()
        port = server:address().port
        PORT = PORT or port

        local client = dgram.createSocket("udp4")

        client:on("message", common.mustCall(function(msg)
          assert.equal("PONG", msg)

          client:close()
          server:close()
        end))

        client:on("error", function(e)
          error(e)
        end)

        local function clientSend()
          client:send("PING", 0, 4, port, "localhost")
        end

        clientSend()
      end))
      server:bind(port, host)
      return server
    end

    local server = pingPongTest(0, "localhost")
    server:on("close", common.mustCall(function()
      pingPongTest(PORT)
    end))

    common.run()
  end)
end)
