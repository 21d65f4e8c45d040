-- Timing and order of events against Node: each scenario in
-- spec/oracle/timing runs as a .js under node and as a .lua here, and both
-- must log the same sequence (listening, callbacks, nextTicks, immediates,
-- messages, close).
local h = require "helpers"

local SCENARIOS = { "bind", "send", "connect", "queue" }

describe("event order matches Node", function()
  for _, name in ipairs(SCENARIOS) do
    it(name, function()
      local want, okn = h.sh("timeout 20 node spec/oracle/timing/" .. name .. ".js")
      assert(okn, want)
      local got, okl = h.lua(assert(io.open("spec/oracle/timing/" .. name .. ".lua")):read("*a"))
      assert(okl, got)
      assert.equal(want, got)
    end)
  end
end)
