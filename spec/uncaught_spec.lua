-- What a script sees when nothing catches an error raised in a listener or
-- callback: dgram.run() raises it, and the interpreter's report names the
-- lines of the callback and of what it called (Node prints them), for
-- every kind of callback alike; a pcall around run() still gets the very
-- value raised (loop_spec). Each script runs in a child of the Lua under
-- test, on loopback, bounded by `timeout`.
local h = require "helpers"

-- Runs `source` as a script file; returns its output (stdout and stderr),
-- its exit code, and the file's name as Lua prints it.
local function runScript(source, env)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(source)
  f:close()
  local out, _, code = h.sh(('%s LUA_PATH="./lua/?.lua;;" LUA_CPATH="./%s/?.so;;" timeout 20 %s %s')
    :format(env or "", h.build, h.LUA, path), true)
  os.remove(path)
  return out, code, path
end

-- The line of `source` that ends with the comment `-- <marker>`.
local function lineOf(source, marker)
  local n = 0
  for line in (source .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if line:find("-- " .. marker, 1, true) then return n end
  end
  error("no line marked " .. marker)
end

local function escape(s)
  return (s:gsub("%p", "%%%0"))
end

-- The report names path:line of each marked line, in this order.
local function assertNamesLines(out, path, source, markers)
  local previous = 0
  for _, marker in ipairs(markers) do
    local at = out:find(escape(path) .. ":" .. lineOf(source, marker) .. ":", previous + 1)
    assert(at, ("%s:%d (%s) is not in the report, in order:\n%s"):format(path, lineOf(source, marker), marker, out))
    previous = at
  end
end

local PROLOGUE = [[
local dgram = require "dgram"
local function check(msg) error("bad message: " .. msg) end -- raise
]]

describe("an error nothing catches", function()
  it("from a 'message' listener names the listener and what it called", function()
    local source = PROLOGUE .. [[
local s = dgram.createSocket("udp4")
s:on("message", function(msg) check(msg) end) -- listener
s:bind(0, "127.0.0.1", function() s:send("hi", s:address().port, "127.0.0.1") end)
dgram.run() -- run
]]
    local out, code, path = runScript(source)
    assert.are_not.equal(0, code)
    assert.matches("bad message: hi", out, 1, true)
    assertNamesLines(out, path, source, { "raise", "raise", "listener", "run" })
  end)

  it("from a listener of a socket with several listeners, the same way", function()
    local source = PROLOGUE .. [[
local s = dgram.createSocket("udp4")
s:on("message", function() end)
s:on("message", function(msg) check(msg) end) -- listener
s:bind(0, "127.0.0.1", function() s:send("two", s:address().port, "127.0.0.1") end)
dgram.run() -- run
]]
    local out, _, path = runScript(source)
    assertNamesLines(out, path, source, { "raise", "raise", "listener", "run" })
  end)

  it("from a timer, an immediate, a send callback and a tick, the same way", function()
    local cases = {
      [[dgram.setTimeout(function() check("t") end, 1) -- callback]],
      [[dgram.setInterval(function() check("i") end, 1) -- callback]],
      [[dgram.setImmediate(function() check("m") end) -- callback]],
      [[dgram.setTimeout(function() dgram.nextTick(function() check("k") end) end, 1) -- callback]],
      [[
local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1", function()
  s:send("x", s:address().port, "127.0.0.1", function() check("s") end) -- callback
end)]],
      [[dgram.nextTick(function() check("top-level tick") end) -- callback]],
    }
    for _, case in ipairs(cases) do
      local source = PROLOGUE .. case .. "\ndgram.run() -- run\n"
      local out, code, path = runScript(source)
      assert.are_not.equal(0, code, out)
      assert.matches("bad message: ", out, 1, true)
      assertNamesLines(out, path, source, { "raise", "raise", "callback", "run" })
    end
  end)

  it("is the very value for a pcall around run(), and for an xpcall", function()
    local source = PROLOGUE .. [[
dgram.setTimeout(function() check("t") end, 1)
local ok, err = pcall(dgram.run)
print(ok, err)
dgram.setTimeout(function() error("again", 0) end, 1)
print(xpcall(dgram.run, function(e) return "handled " .. e end))
]]
    local out, code = runScript(source)
    assert.equal(0, code, out)
    assert.matches("^false\t[^\n]*:2: bad message: t\nfalse\thandled again\n*$", out)
  end)

  it("that is an error object prints, with its stack naming the user's line", function()
    local source = [[
local dgram = require "dgram"
local s = dgram.createSocket("udp4")
local ok, err = pcall(function()
  s:emit("error", { a = 1 }) -- emit
end)
print(err.stack)
s:emit("error", { a = 1 })
]]
    local out, code, path = runScript(source)
    assert.are_not.equal(0, code)
    local text = "Error [ERR_UNHANDLED_ERROR]: Unhandled error. ({ a: 1 })"
    -- err.stack (stdout, which may come after stderr)
    assert.matches(escape(text) .. "\n    at " .. escape(path) .. ":" .. lineOf(source, "emit") .. "\n", out)
    -- The uncaught one prints too, not "(error object is a table value)",
    -- where the interpreter prints error objects with __tostring (lua5.1's
    -- own reports none: "(error object is not a string)").
    local probe = runScript('error(setmetatable({}, { __tostring = function() return "printed" end }))')
    if probe:find("printed", 1, true) then
      local _, count = out:gsub(escape(text), "")
      assert.equal(2, count, out)
    end
    assert.is_nil(out:find("error object is a table value", 1, true))
  end)
end)

describe("a script that never calls dgram.run()", function()
  -- The suite sets DGRAM_NO_RUN_NOTICE for its children: these want it.
  local NOTICE = "env -u DGRAM_NO_RUN_NOTICE"

  it("says so in one line on stderr, and what it left", function()
    local cases = {
      { [[local s = dgram.createSocket("udp4")
s:send("hello", 9, "127.0.0.1")]], "1 socket and callbacks queued" },
      { [[dgram.setTimeout(print, 10)
dgram.setTimeout(print, 20)]], "2 timers" },
      { [[local a, b = dgram.createSocket("udp4"), dgram.createSocket("udp6")
a:bind(0, "127.0.0.1")
b:on("message", print)
dgram.setInterval(print, 10)]], "2 sockets, 1 timer and callbacks queued" },
      { [[local s = dgram.createSocket("udp4")
s:bind(0, "127.0.0.1")
dgram.run("nowait")
s:close()
s = dgram.createSocket("udp4")
dgram.setImmediate(print)]], nil },
    }
    for _, case in ipairs(cases) do
      local out, code = runScript('local dgram = require "dgram"\n' .. case[1] .. "\n", NOTICE)
      assert.equal(0, code, out)
      if case[2] then
        assert.equal(("dgram: the script ended with %s but never called dgram.run(), so none of it ran\n")
          :format(case[2]), out)
      else
        assert.equal("", out) -- it called dgram.run()
      end
    end
  end)

  it("is quiet where a host runs the loop, and with DGRAM_NO_RUN_NOTICE", function()
    local left = 'dgram.setTimeout(print, 10)\nlocal s = dgram.createSocket("udp4")\ns:send("x", 9, "127.0.0.1")\n'
    local out, code = runScript('local dgram = require "dgram"\nlocal fd = dgram.backendFd()\n' .. left, NOTICE)
    assert.equal(0, code, out)
    assert.equal("", out)
    out = runScript('local dgram = require "dgram"\n' .. left, "DGRAM_NO_RUN_NOTICE=1")
    assert.equal("", out)
  end)
end)
