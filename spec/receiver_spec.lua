-- A method called with `.` instead of `:` (the commonest slip when porting
-- from JavaScript) raises ERR_INVALID_THIS at the caller's line, saying how
-- to call it, before its first argument is misread as the object; and
-- every error object the module makes carries Node's `stack`.
local dgram = require "dgram"
local EventEmitter = require "dgram.events"
local h = require "helpers"

local THIS_FILE = debug.getinfo(1, "S").short_src

-- Calls fn, which must raise; returns the error and the caller's line
-- (where fn, a closure written on that line, makes the call under test).
local function raisedAt(fn)
  local ok, err = pcall(fn)
  assert.is_false(ok, "expected an error")
  return err, debug.getinfo(2, "l").currentline
end

local function checkInvalidThis(err, line, class, method)
  assert.equal("dgram.Error", (getmetatable(err) or {}).__name, tostring(err))
  assert.equal("ERR_INVALID_THIS", err.code)
  assert.equal("TypeError", err.name)
  local object = class == "Socket" and "sock" or "emitter"
  assert.equal(('Value of "this" must be of type %s; call it as %s:%s(...), not %s.%s(...) (%s:%d)')
    :format(class, object, method, object, method, THIS_FILE, line), err.message)
end

-- Every method of a class, by name (metamethods, the constructor and the
-- module's internals left out).
local function methodsOf(class, skip)
  local names = {}
  for name, v in pairs(class) do
    if type(v) == "function" and not name:match("^_") and not skip[name] then
      names[#names + 1] = name
    end
  end
  table.sort(names)
  return names
end

local SOCKET_METHODS = methodsOf(require "dgram.socket", { new = true })
local EMITTER_METHODS = methodsOf(EventEmitter.prototype, {})

describe("a method called with . instead of :", function()
  local s
  before_each(function() s = dgram.createSocket("udp4") end)
  after_each(function()
    pcall(s.close, s) -- some tests close it themselves
    h.run()
  end)

  it("is ERR_INVALID_THIS at the user's line for the slips of the issue", function()
    local err, line = raisedAt(function() s.send("x", 9, "127.0.0.1") end)
    checkInvalidThis(err, line, "Socket", "send")
    err, line = raisedAt(function() s.bind(0) end)
    checkInvalidThis(err, line, "Socket", "bind")
    err, line = raisedAt(function() s.close() end)
    checkInvalidThis(err, line, "Socket", "close")
    err, line = raisedAt(function() s.setBroadcast(true) end)
    checkInvalidThis(err, line, "Socket", "setBroadcast")
    err, line = raisedAt(function() s.on("message", print) end)
    checkInvalidThis(err, line, "EventEmitter", "on")
    err, line = raisedAt(function() s.connect(9, "127.0.0.1") end)
    checkInvalidThis(err, line, "Socket", "connect")
    -- the slips changed nothing: the socket is unbound and listens to nothing
    assert.equal(0, s:listenerCount("message"))
    assert.equal("ERR_SOCKET_DGRAM_NOT_CONNECTED", raisedAt(function() s:remoteAddress() end).code)
  end)

  it("is caught for every Socket method, whatever stands in for the socket", function()
    assert.is_true(#SOCKET_METHODS >= 24, #SOCKET_METHODS .. " methods")
    for _, method in ipairs(SOCKET_METHODS) do
      for _, receiver in ipairs({ "x", 0, true, { "a list" }, print }) do
        local err, line = raisedAt(function() s[method](receiver, 9, "127.0.0.1") end)
        checkInvalidThis(err, line, "Socket", method)
      end
      local err, line = raisedAt(function() s[method]() end)
      checkInvalidThis(err, line, "Socket", method)
    end
  end)

  it("is caught for every EventEmitter method, on a socket and on a plain emitter", function()
    assert.is_true(#EMITTER_METHODS >= 15, #EMITTER_METHODS .. " methods")
    local e = EventEmitter.new()
    for _, method in ipairs(EMITTER_METHODS) do
      for _, receiver in ipairs({ "message", 1, false }) do
        local err, line = raisedAt(function() s[method](receiver, print) end)
        checkInvalidThis(err, line, "EventEmitter", method)
        err, line = raisedAt(function() e[method](receiver, print) end)
        checkInvalidThis(err, line, "EventEmitter", method)
      end
      local err, line = raisedAt(function() e[method]() end)
      checkInvalidThis(err, line, "EventEmitter", method)
    end
  end)

  it("leaves the fast send path to sockets: a string receiver is refused there too", function()
    s:bind(0, "127.0.0.1", h.mustCall(function()
      local port = s:address().port
      local err, line = raisedAt(function() s.send("x", port, "127.0.0.1") end)
      checkInvalidThis(err, line, "Socket", "send")
      s:send("ok", port, "127.0.0.1", h.mustSucceed(function() s:close() end))
    end))
    h.run()
  end)

  it("is caught by receive once the socket has its inbox, whose receive the socket holds", function()
    s:bind(0, "127.0.0.1", h.mustCall(function()
      dgram.spawn(function()
        local msg, err = s:receive(1)
        assert.is_nil(msg)
        assert.equal("ETIMEDOUT", err.code)
        for _, receiver in ipairs({ "x", 0, true, print, { "a list" } }) do
          local e, line = raisedAt(function() s.receive(receiver, 1) end)
          checkInvalidThis(e, line, "Socket", "receive")
        end
        -- another socket is a receiver of its own: the wait is on it
        local other = dgram.createSocket("udp4")
        other:bind(0, "127.0.0.1")
        msg, err = s.receive(other, 1)
        assert.is_nil(msg)
        assert.equal("ETIMEDOUT", err.code)
        other:close()
        s:close()
      end)
    end))
    h.run()
  end)
end)

describe("err.stack", function()
  it("is the Name [CODE]: message line, then where the user made the error", function()
    local s = dgram.createSocket("udp4")
    s:bind(0, "127.0.0.1")
    local err, line = raisedAt(function() s:bind(0) end)
    s:close()
    h.run()
    assert.equal("ERR_SOCKET_ALREADY_BOUND", err.code)
    local first, second = err.stack:match("^([^\n]*)\n([^\n]*)")
    assert.equal("Error [ERR_SOCKET_ALREADY_BOUND]: Socket is already bound", first)
    assert.equal(tostring(err), first)
    -- the first frame is the user's (this file), not the module's
    assert.matches("^    at ", second)
    assert.matches(THIS_FILE:gsub("%p", "%%%0") .. ":" .. line, second)
    assert.is_nil(err.stack:find("dgram/socket.lua", 1, true))
  end)

  it("is there on errors handed to an 'error' listener, as in Node's docs example", function()
    local s, other = dgram.createSocket("udp4"), dgram.createSocket("udp4")
    local printed
    other:bind(0, "127.0.0.1", h.mustCall(function()
      s:on("error", h.mustCall(function(err)
        printed = ("server error:\n%s"):format(err.stack)
        s:close()
        other:close()
      end))
      s:bind(other:address().port, "127.0.0.1")
    end))
    h.run()
    assert.matches("^server error:\nError: bind EADDRINUSE 127%.0%.0%.1:%d+\n    at ", printed)
  end)
end)
