-- useLoop's contract: luv's module only, before the first socket or timer;
-- again with the same luv, nothing changes.
local uv = require "luv"
local dgram = require "dgram"

local function raises(code, fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "did not raise")
  assert(getmetatable(err) == dgram.Error, tostring(err))
  assert(err.code == code, tostring(err))
  return err
end

raises("ERR_INVALID_ARG_TYPE", dgram.useLoop, nil)
raises("ERR_INVALID_ARG_TYPE", dgram.useLoop, "luv")
raises("ERR_INVALID_ARG_VALUE", dgram.useLoop, { run = print })
raises("ERR_INVALID_ARG_VALUE", dgram.useLoop, { run = function() end })
raises("ERR_INVALID_ARG_TYPE", dgram.setErrorHandler, 42)

-- Before anything, a setImmediate moves along to luv's loop.
local ran = false
dgram.setImmediate(function() ran = true end)
dgram.useLoop(uv)
dgram.useLoop(uv)
dgram.setTimeout(function() end, 1)
dgram.useLoop(uv) -- the same loop: fine

-- A fresh state's module, used first: too late.
uv.run()
assert(ran, "the immediate queued before useLoop did not run")
print("ok")
