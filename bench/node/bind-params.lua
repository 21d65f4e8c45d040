-- Port of Node's benchmark/dgram/bind-params.js to this module: the
-- synchronous cost of createSocket("udp4"):bind(...):on("error", noop):unref(),
-- n times, for port=true|false (true: 0) and address=true|false (true:
-- "127.0.0.1"; Node's uses "0.0.0.0"). port=false address=true measures
-- nothing, as in Node. Reports binds/s; exits without running the loop, so
-- the binds themselves are not part of it (as in Node, where they are async).
local common = dofile((arg[0]:match("^(.*/)") or "./") .. "common.lua")
local dgram = require "dgram"

local conf = common.parse({ n = 10000, port = "true", address = "true" })
local noop = function() end
local port = conf.port == "true" and 0 or nil
local address = conf.address == "true" and "127.0.0.1" or nil
local create = dgram.createSocket

local t0
if port ~= nil and address ~= nil then
  t0 = common.clock()
  for _ = 1, conf.n do
    create("udp4"):bind(port, address):on("error", noop):unref()
  end
elseif port ~= nil then
  t0 = common.clock()
  for _ = 1, conf.n do
    create("udp4"):bind(port):on("error", noop):unref()
  end
elseif address == nil then
  t0 = common.clock()
  for _ = 1, conf.n do
    create("udp4"):bind():on("error", noop):unref()
  end
end
if t0 then common.report("bind-params", conf, conf.n, common.clock() - t0) end
os.exit(0)
