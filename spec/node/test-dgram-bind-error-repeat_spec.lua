-- Port of test/parallel/test-dgram-bind-error-repeat.js: twenty binds in a
-- row that fail with EADDRINUSE each emit 'error', never call their bind
-- callback, and leave no listener behind (Node checks that no
-- MaxListenersExceededWarning is emitted; the emitter here writes that
-- warning to io.stderr, so the spec watches io.stderr for it).
local common = require "common"
local dgram = require "dgram"

describe("test-dgram-bind-error-repeat", function()
  it("repeated failed binds leak no listener", function()
    local realStderr = io.stderr
    local warnings = {}
    io.stderr = setmetatable({
      write = function(self, ...)
        for _, s in ipairs({ ... }) do
          warnings[#warnings + 1] = tostring(s)
        end
        return self
      end,
    }, { __index = function(_, k) return function(_, ...) return realStderr[k](realStderr, ...) end end })

    local ok, err = pcall(function()
      local reservePortSocket = dgram.createSocket("udp4")
      reservePortSocket:bind(common.mustCall(function()
        local port = reservePortSocket:address().port

        local newSocket = dgram.createSocket("udp4")

        local errors = 0
        newSocket:on("error", common.mustCall(function()
          errors = errors + 1
          if errors < 20 then
            newSocket:bind(port, common.mustNotCall())
          else
            newSocket:close()
            reservePortSocket:close()
          end
        end, 20))
        newSocket:bind(port, common.mustNotCall())
      end))
      common.run()
    end)
    io.stderr = realStderr
    assert(ok, err)
    assert.same({}, warnings)
  end)
end)
