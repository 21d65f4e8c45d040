-- Node's dgram as the oracle: every case of spec/oracle/cases.json (a
-- method called with given arguments on an unbound, bound or closed
-- socket) runs in Node and here; what each raises synchronously, or
-- returns, must match: error class, code and message text.
local dgram = require "dgram"
local json = require "dkjson"
local h = require "helpers"

local CASES = "spec/oracle/cases.json"

local function strip(t)
  if type(t) == "table" then
    setmetatable(t, nil)
    for _, v in pairs(t) do strip(v) end
  end
  return t
end

local function readjson(s)
  return strip(assert(json.decode(s, 1, json.null)))
end

local function decodeArg(v)
  if v == json.null or v == "__undef__" then return nil end
  if v == "__inf__" then return math.huge end
  return v
end

-- nil renders as Node renders undefined (API.md), where Node had null.
local function expectedMessage(m)
  return (m:gsub("Received null", "Received undefined"))
end

describe("against Node's dgram", function()
  local f = assert(io.open(CASES))
  local cases = readjson(f:read("a"))
  f:close()
  local out, ok = h.sh("node spec/oracle/run.js " .. CASES)
  assert(ok, out)
  local expected = readjson(out)

  for i, c in ipairs(cases) do
    local state, method, args = c[1], c[2], c[3]
    it(("%s socket: %s(%s)"):format(state, method, json.encode(args):sub(2, -2)), function()
      local s = dgram.createSocket("udp4")
      s:on("error", function() end)
      local got
      local function call()
        local n = #args
        local a = {}
        for k = 1, n do a[k] = decodeArg(args[k]) end
        local okc, v = pcall(s[method], s, table.unpack(a, 1, n))
        if okc then
          local tv = type(v)
          got = { ok = true, value = (tv == "number" or tv == "string" or tv == "boolean") and v or nil }
        else
          assert(type(v) == "table", "not an error object: " .. tostring(v))
          got = { ok = false, name = v.name, code = v.code, message = v.message }
        end
        pcall(s.close, s)
      end
      if state == "bound" then
        s:bind(0, "127.0.0.1", call)
      elseif state == "closed" then
        s:close()
        call()
      else
        call()
      end
      h.run()
      local want = expected[i]
      assert.equal(want.ok, got.ok)
      if want.ok then
        assert.equal(want.value ~= json.null and want.value or nil, got.value)
      else
        assert.same({ want.name, want.code ~= json.null and want.code or nil, expectedMessage(want.message) },
          { got.name, got.code, got.message })
      end
    end)
  end
end)
