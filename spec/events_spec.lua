-- The emitter alone: every method, checked against what Node 20's
-- `node:events` does for the same calls (each expectation was run in node).

local EventEmitter = require "dgram.events"
-- table.pack, and -0 (Lua 5.1 reads the literal -0.0 as 0), on every Lua
local function pack(...) return { n = select("#", ...), ... } end
local NEG_ZERO = -tonumber("0.0")

-- The value raised by fn (fn must raise).
local function raised(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return err
end

-- Runs fn with io.stderr replaced; returns what was written to it.
local function captureStderr(fn)
  local saved, buf = io.stderr, {}
  io.stderr = {
    write = function(self, ...)
      for i = 1, select("#", ...) do buf[#buf + 1] = tostring((select(i, ...))) end
      return self
    end,
  }
  local ok, err = pcall(fn)
  io.stderr = saved
  if not ok then error(err, 0) end
  return table.concat(buf)
end

-- A listener that appends `tag` to `log`.
local function logger(log, tag)
  return function() log[#log + 1] = tag end
end

local function leakText(count, name, class, max)
  return ("(lua) MaxListenersExceededWarning: Possible EventEmitter memory leak"
    .. " detected. %d %s listeners added to [%s]. MaxListeners is %d. Use"
    .. " emitter.setMaxListeners() to increase limit\n"):format(count, name, class, max)
end

describe("EventEmitter", function()
  local e
  before_each(function() e = EventEmitter.new() end)

  describe("module", function()
    it("exports the class pieces", function()
      assert.is_function(EventEmitter.new)
      assert.is_function(EventEmitter.init)
      assert.is_table(EventEmitter.prototype)
      assert.equal(10, EventEmitter.defaultMaxListeners)
      assert.equal("Symbol(events.errorMonitor)", tostring(EventEmitter.errorMonitor))
    end)

    it("gives each emitter its own listeners", function()
      local other = EventEmitter.new()
      e:on("x", function() end)
      assert.equal(0, other:listenerCount("x"))
      assert.is_false(other:emit("x"))
    end)

    it("lets a class inherit through prototype and init", function()
      local Socket = setmetatable({}, { __index = EventEmitter.prototype })
      local meta = { __index = Socket, __name = "Socket" }
      function Socket.new() return EventEmitter.init(setmetatable({}, meta)) end
      function Socket:poke(v) return self:emit("poke", v) end
      local s = Socket.new()
      local got
      assert.equal(s, s:on("poke", function(v) got = v end))
      assert.is_true(s:poke(7))
      assert.equal(7, got)
      -- the warning names the class, as Node's inspect does: [Socket]
      s:setMaxListeners(1)
      local out = captureStderr(function() s:on("poke", function() end) end)
      assert.equal(leakText(2, "poke", "Socket", 1), out)
    end)

    it("init returns the object and keeps existing listeners", function()
      local obj = {}
      assert.equal(obj, EventEmitter.init(obj))
      local f = function() end
      setmetatable(obj, { __index = EventEmitter.prototype })
      obj:on("x", f)
      EventEmitter.init(obj)
      assert.equal(1, obj:listenerCount("x"))
    end)
  end)

  describe("on / addListener", function()
    it("takes nil and NaN as event names, stored as \"nil\" and \"nan\"", function()
      -- Node keys listeners by String(name): on(undefined) is on('undefined').
      local log = {}
      e:on(nil, logger(log, "nil"))
      e:once(0 / 0, logger(log, "nan"))
      assert.is_true(e:emit(nil))
      assert.is_true(e:emit("nan"))
      assert.is_false(e:emit(0 / 0))
      assert.same({ "nil", "nan" }, log)
      assert.equal(1, e:listenerCount(nil))
      assert.equal(1, #e:listeners("nil"))
      assert.same({ "nil" }, e:eventNames())
      e:removeAllListeners(nil)
      assert.is_false(e:emit(nil))
      assert.same({}, e:eventNames())
    end)

    it("returns the emitter", function()
      local f = function() end
      assert.equal(e, e:on("x", f))
      assert.equal(e, e:addListener("x", f))
      assert.equal(e, e:prependListener("x", f))
      assert.equal(e, e:once("x", f))
      assert.equal(e, e:prependOnceListener("x", f))
      assert.equal(5, e:listenerCount("x"))
    end)

    it("calls listeners in order with exactly the emitted arguments", function()
      local calls = {}
      e:on("x", function(...) calls[#calls + 1] = pack(...) end)
      e:on("x", function(...) calls[#calls + 1] = pack(...) end)
      assert.is_true(e:emit("x", 1, nil, "b", nil))
      assert.equal(2, #calls)
      for _, c in ipairs(calls) do
        assert.same({ n = 4, 1, nil, "b", nil }, c)
      end
    end)

    it("passes no arguments when none are emitted", function()
      local n
      e:on("x", function(...) n = select("#", ...) end)
      e:emit("x")
      assert.equal(0, n)
    end)

    it("adds the same function twice and calls it twice", function()
      local log = {}
      local f = logger(log, "f")
      e:on("x", f):on("x", f)
      e:emit("x")
      assert.same({ "f", "f" }, log)
    end)

    it("accepts any non-nil event name", function()
      local log = {}
      local key = {}
      e:on(1, logger(log, 1)):on(key, logger(log, "key")):on(true, logger(log, true))
      e:emit(1); e:emit(key); e:emit(true)
      assert.same({ 1, "key", true }, log)
      assert.is_false(e:emit("1"))
    end)

    it("rejects a listener that is not a function", function()
      for _, method in ipairs({ "on", "addListener", "prependListener", "once",
                                "prependOnceListener", "off", "removeListener" }) do
        local err = raised(e[method], e, "x", 5)
        assert.equal("ERR_INVALID_ARG_TYPE", err.code)
        assert.equal("TypeError", err.name)
        assert.equal('The "listener" argument must be of type function.'
          .. " Received type number (5)", err.message)
      end
      local err = raised(e.on, e, "x", nil)
      assert.equal('The "listener" argument must be of type function.'
        .. " Received undefined", err.message)
      assert.equal(0, e:listenerCount("x"))
    end)
  end)

  describe("emit", function()
    it("returns whether there were listeners", function()
      assert.is_false(e:emit("x"))
      e:on("x", function() end)
      assert.is_true(e:emit("x"))
      e:on("x", function() end)
      assert.is_true(e:emit("x"))
    end)

    it("lets listener errors propagate unchanged", function()
      local boom = setmetatable({}, {})
      e:on("x", function() error(boom) end)
      assert.equal(boom, raised(e.emit, e, "x"))
      local log = {}
      local f = EventEmitter.new()
      f:on("x", function() error("plain", 0) end)
      f:on("x", logger(log, "second"))
      assert.equal("plain", raised(f.emit, f, "x"))
      assert.same({}, log)   -- a failing listener stops the emit
    end)

    it("is not affected by listeners removed during it", function()
      -- node: D removes E and adds F; E still runs this time, F only next time
      local log = {}
      local E = logger(log, "E")
      local F = logger(log, "F")
      e:on("q", function()
        log[#log + 1] = "D"
        e:off("q", E)
        e:on("q", F)
      end)
      e:on("q", E)
      e:emit("q")
      e:emit("q")
      assert.same({ "D", "E", "D", "F" }, log)
    end)

    it("finishes an emit when all listeners are removed during it", function()
      local log = {}
      e:on("q", function() log[#log + 1] = "A"; e:removeAllListeners() end)
      e:on("q", logger(log, "B"))
      assert.is_true(e:emit("q"))
      assert.same({ "A", "B" }, log)
      assert.is_false(e:emit("q"))
    end)

    it("does not call a listener added during the emit", function()
      local log = {}
      e:on("q", function() e:on("q", logger(log, "late")) end)
      e:emit("q")
      assert.same({}, log)
      assert.equal(2, e:listenerCount("q"))
    end)
  end)

  describe("once", function()
    it("calls the listener once, with the arguments", function()
      local got = {}
      e:once("x", function(a, b) got[#got + 1] = { a, b } end)
      assert.is_true(e:emit("x", 1, 2))
      assert.is_false(e:emit("x", 3, 4))
      assert.same({ { 1, 2 } }, got)
      assert.same({}, e:eventNames())
    end)

    it("does not fire again when its listener emits the event", function()
      local n = 0
      e:once("r", function() n = n + 1; e:emit("r") end)
      e:emit("r")
      assert.equal(1, n)
    end)

    it("is removed before its listener runs", function()
      local count
      e:once("x", function() count = e:listenerCount("x") end)
      e:on("x", function() end)
      e:emit("x")
      assert.equal(1, count)
    end)

    it("can be removed with the original function", function()
      local f = function() error("must not run") end
      e:once("x", f)
      e:off("x", f)
      assert.is_false(e:emit("x"))
    end)

    it("exposes wrappers through rawListeners", function()
      local sum = 0
      local f = function(a) sum = sum + a end
      e:once("z", f)
      local w = e:rawListeners("z")[1]
      assert.are_not.equal(f, w)
      assert.equal(f, w.listener)
      assert.same({ f }, e:listeners("z"))
      -- node: calling the wrapper calls the listener once and removes it
      w(5)
      assert.equal(5, sum)
      assert.equal(0, e:listenerCount("z"))
      w(5)
      assert.equal(5, sum)
    end)

    it("accepts a wrapper as a listener, as Node accepts its wrapper function", function()
      local n = 0
      e:once("x", function() n = n + 1 end)
      local w = e:rawListeners("x")[1]
      local other = EventEmitter.new()
      other:on("y", w)
      assert.equal(1, other:listenerCount("y", w.listener))
      e:emit("x")
      assert.equal(1, n)
    end)
  end)

  describe("prependListener / prependOnceListener", function()
    it("put listeners first", function()
      -- node: ["C","B","A","A","B","A"]
      local log = {}
      local A, B, C = logger(log, "A"), logger(log, "B"), logger(log, "C")
      e:on("p", A)
      e:prependListener("p", B)
      e:prependOnceListener("p", C)
      e:once("p", A)
      e:emit("p")
      e:emit("p")
      assert.same({ "C", "B", "A", "A", "B", "A" }, log)
    end)
  end)

  describe("newListener", function()
    it("is emitted before the listener is added, with the unwrapped listener", function()
      local seen = {}
      local A = function() end
      e:on("newListener", function(name, l)
        seen[#seen + 1] = { name, e:listenerCount(name), l }
      end)
      e:on("x", A)
      e:once("y", A)
      e:prependOnceListener("y", A)
      assert.same({ { "x", 0, A }, { "y", 0, A }, { "y", 1, A } }, seen)
    end)

    it("lets a listener added from newListener go first", function()
      -- node's documented example: B, added inside newListener, runs before A
      local log = {}
      local A, B = logger(log, "A"), logger(log, "B")
      e:once("newListener", function(name)
        if name == "x" then e:on("x", B) end
      end)
      e:on("x", A)
      e:emit("x")
      assert.same({ "B", "A" }, log)
    end)

    it("reports itself when added while listening for itself", function()
      local seen = {}
      e:on("newListener", function(name) seen[#seen + 1] = name end)
      e:on("newListener", function() end)
      assert.same({ "newListener" }, seen)
    end)
  end)

  describe("removeListener / off", function()
    it("returns the emitter, also when nothing matches", function()
      local f = function() end
      assert.equal(e, e:off("nope", f))
      e:on("x", f)
      assert.equal(e, e:removeListener("x", function() end))
      assert.equal(e, e:removeListener("x", f))
      assert.equal(0, e:listenerCount("x"))
    end)

    it("removes the last added match only", function()
      local log = {}
      local A, B = logger(log, "A"), logger(log, "B")
      e:on("x", A):on("x", B):on("x", A)
      e:off("x", A)
      e:emit("x")
      assert.same({ "A", "B" }, log)
    end)

    it("removes a once wrapper or a plain listener, whichever came last", function()
      local A = function() end
      e:on("d", A):once("d", A)
      e:off("d", A)
      assert.equal(A, e:rawListeners("d")[1])
      local f = EventEmitter.new()
      f:once("d", A):on("d", A)
      f:off("d", A)
      assert.equal(A, f:rawListeners("d")[1].listener)
    end)

    it("emits removeListener after removal with the listener", function()
      local seen = {}
      local A, B = function() end, function() end
      e:on("x", A):on("x", B):on("y", A)
      e:on("removeListener", function(name, l)
        seen[#seen + 1] = { name, l, e:listenerCount(name) }
      end)
      e:off("x", B)
      e:off("x", A)
      e:off("y", A)
      e:off("y", A)   -- no longer there: no event
      assert.same({ { "x", B, 1 }, { "x", A, 0 }, { "y", A, 0 } }, seen)
    end)

    it("reports a once listener that fires alone unwrapped, and among others wrapped", function()
      -- node quirk: the array path passes removeListener's own argument,
      -- which for a firing once listener is its wrapper
      local seen = {}
      local f = function() end
      e:on("removeListener", function(_, l) seen[#seen + 1] = l end)
      e:once("y", f)
      e:emit("y")
      assert.equal(f, seen[1])
      e:once("x", f)
      e:on("x", function() end)
      e:emit("x")
      assert.are_not.equal(f, seen[2])
      assert.equal(f, seen[2].listener)
    end)

    it("does not report removing the last removeListener listener", function()
      local n = 0
      local f = function() n = n + 1 end
      e:on("removeListener", f)
      e:off("removeListener", f)
      assert.equal(0, n)
    end)
  end)

  describe("removeAllListeners", function()
    it("removes everything, or one event, and returns the emitter", function()
      local f = function() end
      e:on("a", f):on("b", f):on("b", f)
      assert.equal(e, e:removeAllListeners("b"))
      assert.same({ "a" }, e:eventNames())
      assert.equal(e, e:removeAllListeners("nope"))
      assert.equal(e, e:removeAllListeners())
      assert.same({}, e:eventNames())
      assert.is_false(e:emit("a"))
    end)

    it("treats an explicit nil as a name, not as 'all'", function()
      -- node: removeAllListeners(undefined) removes the 'undefined' event only
      e:on("a", function() end)
      e:removeAllListeners(nil)
      assert.equal(1, e:listenerCount("a"))
    end)

    it("reports each removal, last added first, removeListener last", function()
      -- node: [["a","C",1],["a","A",0],["b","B",0]] and no events left
      local A, B, C = function() end, function() end, function() end
      local names = { [A] = "A", [B] = "B", [C] = "C" }
      local seen = {}
      e:on("a", A):on("b", B):on("a", C)
      e:on("removeListener", function(name, l)
        seen[#seen + 1] = { name, names[l] or "other", e:listenerCount(name) }
      end)
      e:removeAllListeners()
      assert.same({ { "a", "C", 1 }, { "a", "A", 0 }, { "b", "B", 0 } }, seen)
      assert.same({}, e:eventNames())
    end)

    it("reports a once wrapper as the wrapper when removing one event", function()
      -- node: [["a","other"],["a","B"],["a","A"]], removeListener kept
      local A, B, C = function() end, function() end, function() end
      local names = { [A] = "A", [B] = "B", [C] = "C" }
      local seen = {}
      e:on("removeListener", function(name, l) seen[#seen + 1] = { name, names[l] or "other" } end)
      e:on("a", A):on("a", B):once("a", C)
      e:removeAllListeners("a")
      assert.same({ { "a", "other" }, { "a", "B" }, { "a", "A" } }, seen)
      assert.same({ "removeListener" }, e:eventNames())
    end)
  end)

  describe("listeners / rawListeners / listenerCount", function()
    it("return copies", function()
      local A, B = function() end, function() end
      e:on("c", A)
      local l = e:listeners("c")
      l[2] = B
      local r = e:rawListeners("c")
      r[2] = B
      assert.equal(1, e:listenerCount("c"))
      assert.same({}, e:listeners("none"))
      assert.same({}, e:rawListeners("none"))
    end)

    it("unwrap once listeners in listeners() only", function()
      local A, B = function() end, function() end
      e:on("x", A):once("x", B)
      assert.same({ A, B }, e:listeners("x"))
      local raw = e:rawListeners("x")
      assert.equal(A, raw[1])
      assert.equal(B, raw[2].listener)
    end)

    it("counts all listeners or those matching one function", function()
      -- node: 3 2
      local f = function() end
      e:once("a", f):on("a", f):on("a", function() end)
      assert.equal(3, e:listenerCount("a"))
      assert.equal(2, e:listenerCount("a", f))
      assert.equal(0, e:listenerCount("b"))
      assert.equal(0, e:listenerCount("b", f))
      local g = EventEmitter.new()
      g:once("a", f)
      assert.equal(1, g:listenerCount("a", f))
      assert.equal(0, g:listenerCount("a", function() end))
    end)
  end)

  describe("eventNames", function()
    it("lists names in Node's key order", function()
      -- node: [ '1', 'a', 'b', Symbol(events.errorMonitor) ]; 'b' went and came back
      local f = function() end
      e:on("b", f):on(EventEmitter.errorMonitor, f):on("a", f):on(1, f):on("b", f)
      e:off("b", f):off("b", f):on("b", f)
      assert.same({ 1, "a", "b", EventEmitter.errorMonitor }, e:eventNames())
    end)

    it("is empty for a new emitter", function()
      assert.same({}, e:eventNames())
    end)
  end)

  describe("max listeners", function()
    it("defaults to EventEmitter.defaultMaxListeners, read when asked", function()
      assert.equal(10, e:getMaxListeners())
      EventEmitter.defaultMaxListeners = 2
      local n = e:getMaxListeners()
      EventEmitter.defaultMaxListeners = 10
      assert.equal(2, n)
    end)

    it("setMaxListeners returns the emitter and takes math.huge", function()
      assert.equal(e, e:setMaxListeners(3))
      assert.equal(3, e:getMaxListeners())
      e:setMaxListeners(math.huge)
      assert.equal(math.huge, e:getMaxListeners())
    end)

    it("setMaxListeners checks its argument", function()
      local err = raised(e.setMaxListeners, e, -1)
      assert.equal("ERR_OUT_OF_RANGE", err.code)
      assert.equal('The value of "setMaxListeners" is out of range. It must be >= 0.'
        .. " Received -1", err.message)
      err = raised(e.setMaxListeners, e, 0 / 0)
      assert.equal("ERR_OUT_OF_RANGE", err.code)
      assert.equal('The value of "setMaxListeners" is out of range. It must be >= 0.'
        .. " Received NaN", err.message)
      err = raised(e.setMaxListeners, e, "a")
      assert.equal("ERR_INVALID_ARG_TYPE", err.code)
      assert.equal('The "setMaxListeners" argument must be of type number.'
        .. " Received type string ('a')", err.message)
      err = raised(e.setMaxListeners, e)
      assert.equal('The "setMaxListeners" argument must be of type number.'
        .. " Received undefined", err.message)
      assert.equal(10, e:getMaxListeners())
    end)

    it("warns once when a name goes past the limit", function()
      local out = captureStderr(function()
        for _ = 1, 12 do e:on("foo", function() end) end
      end)
      assert.equal(leakText(11, "foo", "EventEmitter", 10), out)
      assert.equal(12, e:listenerCount("foo"))
    end)

    it("warns per name, symbols named as Node prints them", function()
      e:setMaxListeners(1)
      local f = function() end
      local out = captureStderr(function()
        e:on("a", f):on("a", f):on("a", f)
        e:prependListener("b", f):prependOnceListener("b", f)
        e:on(EventEmitter.errorMonitor, f):on(EventEmitter.errorMonitor, f)
      end)
      assert.equal(leakText(2, "a", "EventEmitter", 1) .. leakText(2, "b", "EventEmitter", 1)
        .. leakText(2, "Symbol(events.errorMonitor)", "EventEmitter", 1), out)
    end)

    it("warns again once the listeners dropped to one and grew back", function()
      -- node keeps the flag on the listener array, which goes at one listener
      e:setMaxListeners(1)
      local g = function() end
      local out = captureStderr(function()
        e:on("w", g):on("w", g):off("w", g):on("w", g)
      end)
      assert.equal(leakText(2, "w", "EventEmitter", 1):rep(2), out)
    end)

    it("does not warn while the count stays above one", function()
      e:setMaxListeners(2)
      local g = function() end
      local out = captureStderr(function()
        e:on("w", g):on("w", g):on("w", g):off("w", g):on("w", g)
      end)
      assert.equal(leakText(3, "w", "EventEmitter", 2), out)
    end)

    it("never warns with 0 (unlimited)", function()
      e:setMaxListeners(0)
      local out = captureStderr(function()
        for _ = 1, 20 do e:on("x", function() end) end
      end)
      assert.equal("", out)
      assert.equal(20, e:listenerCount("x"))
    end)
  end)

  describe("error", function()
    it("is handled by an 'error' listener", function()
      local got
      e:on("error", function(err) got = err end)
      assert.is_true(e:emit("error", "q"))
      assert.equal("q", got)
    end)

    it("raises an error object (a table that prints) itself when unhandled", function()
      local err = setmetatable({ message = "x" }, { __tostring = function() return "x" end })
      assert.equal(err, raised(e.emit, e, "error", err))
      local dgramError = require("dgram.errors").new("Error", "E", "m")
      assert.equal(dgramError, raised(e.emit, e, "error", dgramError, "more"))
    end)

    it("wraps a table that does not print, as Node wraps a plain object", function()
      -- node: emit('error', {a: 1}) throws 'Unhandled error. ({ a: 1 })'
      local plain = { a = 1 }
      local err = raised(e.emit, e, "error", plain, "more")
      assert.equal("ERR_UNHANDLED_ERROR", err.code)
      assert.equal("Unhandled error. ({ a: 1 })", err.message)
      assert.equal(plain, err.context)
      local classless = setmetatable({}, {})
      assert.equal(classless, raised(e.emit, e, "error", classless).context)
    end)

    it("wraps anything else in ERR_UNHANDLED_ERROR, rendered as Node does", function()
      local cases = {
        { "boom", "Unhandled error. ('boom')" },
        { "it's", [[Unhandled error. ("it's")]] },
        { 42, "Unhandled error. (42)" },
        { 1.5, "Unhandled error. (1.5)" },
        { true, "Unhandled error. (true)" },
        { 1.0, "Unhandled error. (1)" },
        { NEG_ZERO, "Unhandled error. (-0)" },
        { math.huge, "Unhandled error. (Infinity)" },
        { "a\"b'c", "Unhandled error. (`a\"b'c`)" },
        { "a\"b'c`d", [[Unhandled error. ('a"b\'c`d')]] },
        { "x\ny\t\1\127\\", [[Unhandled error. ('x\ny\t\x01\x7F\\')]] },
        { print, "Unhandled error. ([Function (anonymous)])" },
      }
      for _, c in ipairs(cases) do
        local err = raised(e.emit, e, "error", c[1])
        assert.equal("ERR_UNHANDLED_ERROR", err.code)
        assert.equal("Error", err.name)
        assert.equal(c[2], err.message)
        assert.equal(c[1], err.context)
        assert.equal(getmetatable(require("dgram.errors").ERR_UNHANDLED_ERROR("x")),
          getmetatable(err))
      end
    end)

    it("prints as Node prints it", function()
      local err = raised(e.emit, e, "error", "boom")
      assert.equal("Error [ERR_UNHANDLED_ERROR]: Unhandled error. ('boom')", tostring(err))
      err = raised(e.emit, e, "error", 0 / 0)
      assert.equal("Unhandled error. (NaN)", err.message)
    end)

    it("renders nil and no argument as undefined", function()
      assert.equal("Unhandled error. (undefined)", raised(e.emit, e, "error", nil).message)
      assert.equal("Unhandled error. (undefined)", raised(e.emit, e, "error").message)
    end)

    it("raises when only once-listeners were there and have fired", function()
      e:once("error", function() end)
      assert.is_true(e:emit("error", "a"))
      assert.equal("ERR_UNHANDLED_ERROR", raised(e.emit, e, "error", "a").code)
    end)
  end)

  describe("errorMonitor", function()
    local errorMonitor = EventEmitter.errorMonitor

    it("runs before the 'error' listeners, with all the arguments", function()
      -- node: ["mon q","err q"] and emit returns true
      local log = {}
      e:on("error", function(x) log[#log + 1] = "err " .. x end)
      e:on(errorMonitor, function(x, y) log[#log + 1] = "mon " .. x .. " " .. tostring(y) end)
      assert.is_true(e:emit("error", "q", 2))
      assert.same({ "mon q 2", "err q" }, log)
    end)

    it("does not count as handling the error", function()
      local seen
      local err = require("dgram.errors").new("Error", "E", "m")
      e:on(errorMonitor, function(x) seen = x end)
      assert.equal(err, raised(e.emit, e, "error", err))
      assert.equal(err, seen)
      assert.equal(0, e:listenerCount("error"))
    end)

    it("can be emitted on its own", function()
      local n = 0
      e:once(errorMonitor, function() n = n + 1 end)
      assert.is_true(e:emit(errorMonitor, 1))
      assert.is_false(e:emit(errorMonitor, 1))
      assert.equal(1, n)
    end)

    it("once-listeners on it are removed by 'error'", function()
      local n = 0
      e:once(errorMonitor, function() n = n + 1 end)
      e:on("error", function() end)
      e:emit("error", "a")
      e:emit("error", "b")
      assert.equal(1, n)
      assert.equal(0, e:listenerCount(errorMonitor))
    end)
  end)
end)
