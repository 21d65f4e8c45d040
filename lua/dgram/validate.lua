-- dgram.validate: Node's argument validators (lib/internal/validators.js
-- semantics), raising dgram.errors objects. Each raises with level 3: the
-- validator is called by an API function, so the API's caller is blamed
-- (the level only shows for string errors; it documents the intent here).

local compat = require "dgram.compat"
local errors = require "dgram.errors"
local js = require "dgram.js"

local validate = {}

local UINT32_MAX = 4294967295

-- The receiver of a Socket method: a method called with `.` instead of `:`
-- gets its first argument as self; say so at the caller's line before that
-- argument is misread. Returns the socket's state.
function validate.socket(self, method)
  local st = type(self) == "table" and rawget(self, "_state")
  if not st then
    error(errors.ERR_INVALID_THIS("Socket", "sock", method))
  end
  return st
end

-- Node's validatePort: numbers and numeric strings (' 12 ', '0x10', '1e3')
-- that are integers in 0..65535; a blank string never passes; the number 0
-- fails when allowZero is false, while the string '0' passes (Node's
-- quirk). Returns the port as a Lua integer.
function validate.port(port, name, allowZero)
  local t, n = type(port), nil
  if t == "number" then
    n = port
  elseif t == "string" then
    local s = js.trim(port)
    if s ~= "" then n = js.tonumber(s) end
  end
  if n == nil or n ~= n or n < 0 or n > 0xFFFF or not js.isinteger(n)
    or (t == "number" and n == 0 and allowZero == false) then
    error(errors.ERR_SOCKET_BAD_PORT(port, name, allowZero ~= false))
  end
  return compat.tointeger(n)
end

function validate.string(v, name)
  if type(v) ~= "string" then
    error(errors.ERR_INVALID_ARG_TYPE(name, "string", v))
  end
end

-- NaN is a number, as in Node.
function validate.number(v, name)
  if type(v) ~= "number" then
    error(errors.ERR_INVALID_ARG_TYPE(name, "number", v))
  end
end

function validate.uint32(v, name)
  if type(v) ~= "number" then
    error(errors.ERR_INVALID_ARG_TYPE(name, "number", v))
  end
  if not js.isinteger(v) then
    error(errors.ERR_OUT_OF_RANGE(name, "an integer", v))
  end
  if v < 0 or v > UINT32_MAX then
    error(errors.ERR_OUT_OF_RANGE(name, ">= 0 && <= " .. UINT32_MAX, v))
  end
end

-- Only real functions, as `typeof v === 'function'`: a callable table is
-- not accepted.
function validate.func(v, name)
  if type(v) ~= "function" then
    error(errors.ERR_INVALID_ARG_TYPE(name, "Function", v))
  end
end

-- nil (Node's undefined) or an object with an `aborted` field; Lua's nil
-- stands for null too, so the null that Node refuses cannot be told apart.
function validate.abortSignal(v, name)
  if v ~= nil and (type(v) ~= "table" or v.aborted == nil) then
    error(errors.ERR_INVALID_ARG_TYPE(name, { "AbortSignal" }, v))
  end
end

-- Node's isInt32, `v === (v | 0)`: integral numbers in -2^31..2^31-1.
function validate.int32(v)
  return type(v) == "number" and js.toint32(v) == v
end

return validate
