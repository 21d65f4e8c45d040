-- Node's timers and their ordering: nextTick before immediates and timers,
-- drained after every callback; setTimeout, setInterval, setImmediate and
-- their clear*, ref/unref/hasRef.
local dgram = require "dgram"
local h = require "helpers"

describe("timers", function()
  it("orders nextTick, then timers and immediates, ticks draining after each callback", function()
    local order = {}
    local function log(s) return function() order[#order + 1] = s end end
    -- The timeout starts in the immediate: started beside it, it would
    -- race the loop's first pass (under valgrind 10 ms can pass first).
    dgram.setImmediate(function()
      order[#order + 1] = "immediate"
      dgram.nextTick(log("tick after immediate"))
      dgram.setTimeout(function()
        order[#order + 1] = "timeout 10"
        dgram.nextTick(log("tick after timeout"))
      end, 10)
    end)
    dgram.nextTick(log("tick"))
    h.run()
    assert.same({ "tick", "immediate", "tick after immediate", "timeout 10", "tick after timeout" }, order)
  end)

  it("passes extra arguments to callbacks", function()
    dgram.setTimeout(h.mustCall(function(a, b, c) assert.same({ 1, nil, 3 }, { a, b, c }) end), 1, 1, nil, 3)
    dgram.setImmediate(h.mustCall(function(a, b) assert.same({ "x", "y" }, { a, b }) end), "x", "y")
    dgram.nextTick(h.mustCall(function(...) assert.equal(5, select("#", ...)) end), 1, 2, 3, 4, 5)
    h.run()
  end)

  -- Timers started inside a callback share the loop's clock; outside run()
  -- each start reads the clock anew, and a slow machine would reorder them.
  it("fires timers in order of due time, equal delays in creation order", function()
    local order = {}
    dgram.setImmediate(function()
      for _, d in ipairs({ 30, 10, 20, 10 }) do
        dgram.setTimeout(function() order[#order + 1] = d end, d)
      end
    end)
    h.run()
    assert.same({ 10, 10, 20, 30 }, order)
  end)

  it("reads a delay given as a string as JavaScript's Number() does", function()
    -- Node 20: h (2 ms), g (5 ms), f (10 ms)
    local order = {}
    dgram.setImmediate(function()
      dgram.setTimeout(function() order[#order + 1] = "f" end, "0b1010")
      dgram.setTimeout(function() order[#order + 1] = "g" end, 5)
      dgram.setTimeout(function() order[#order + 1] = "h" end, " 0x2 ")
    end)
    h.run()
    assert.same({ "h", "g", "f" }, order)
  end)

  it("repeats an interval until cleared", function()
    local n = 0
    local t
    t = dgram.setInterval(function()
      n = n + 1
      if n == 3 then dgram.clearInterval(t) end
    end, 2)
    h.run()
    assert.equal(3, n)
  end)

  it("clears timeouts and immediates before they run", function()
    local t = dgram.setTimeout(h.mustNotCall(), 1)
    local i = dgram.setImmediate(h.mustNotCall())
    dgram.clearTimeout(t)
    dgram.clearImmediate(i)
    dgram.clearTimeout(nil)
    h.run()
  end)

  it("clearTimeout and clearInterval are interchangeable", function()
    dgram.clearInterval(dgram.setTimeout(h.mustNotCall(), 1))
    dgram.clearTimeout(dgram.setInterval(h.mustNotCall(), 1))
    h.run()
  end)

  it("an unref'd timer does not keep run() going; ref() brings it back", function()
    local t = dgram.setTimeout(h.mustNotCall(), 50):unref()
    assert.is_false(t:hasRef())
    assert.is_false(dgram.run())
    assert.equal(t, t:ref())
    assert.is_true(t:hasRef())
    dgram.clearTimeout(t)
    local u = dgram.setTimeout(h.mustCall(), 5):unref():ref()
    assert.is_true(u:hasRef())
    h.run()
  end)

  it("an unref'd immediate still runs while something else keeps the loop alive", function()
    dgram.setImmediate(h.mustCall()):unref()
    dgram.setTimeout(h.mustCall(), 5)
    h.run()
  end)

  it("immediates queued by an immediate run on the next iteration", function()
    local order = {}
    dgram.setImmediate(function()
      order[#order + 1] = "a"
      dgram.setImmediate(function() order[#order + 1] = "c" end)
    end)
    dgram.setImmediate(function() order[#order + 1] = "b" end)
    h.run()
    assert.same({ "a", "b", "c" }, order)
  end)

  it("an immediate that raises loses none of the others", function()
    local ran = {}
    dgram.setImmediate(function() error("first") end)
    dgram.setImmediate(function() ran[#ran + 1] = "second" end)
    local ok = pcall(dgram.run)
    assert.is_false(ok)
    h.run()
    assert.same({ "second" }, ran)
  end)

  it("rejects a callback that is not a function", function()
    for _, f in ipairs({ dgram.setTimeout, dgram.setInterval, dgram.setImmediate, dgram.nextTick }) do
      local ok, err = pcall(f, 42)
      assert.is_false(ok)
      assert.equal("ERR_INVALID_ARG_TYPE", err.code)
    end
  end)

  it("refresh() restarts a timeout", function()
    local start = dgram.now()
    local t = dgram.setTimeout(h.mustCall(function()
      assert.is_true(dgram.now() - start >= 35)
    end), 30)
    dgram.setTimeout(function() t:refresh() end, 10)
    h.run()
  end)
end)
