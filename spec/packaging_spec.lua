-- The rockspec lists every source file, and installs offline into a tree.
local function readfile(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

local h = require "helpers"

local function lines(cmd)
  local t = {}
  for l in io.popen(cmd):lines() do
    t[#t + 1] = l
  end
  return t
end

-- What a build may export: luaopen_dgram_core and dgram.h's functions.
local API = { "dgram_get_loop", "dgram_set_loop", "luaopen_dgram_core" }

local function exports(so)
  local names = lines(("nm -D --defined-only %q | awk '{print $3}' | grep -v '^_' | sort"):format(so))
  assert(#names > 0, "no symbols read from " .. so)
  return names
end

describe("rockspec", function()
  local rockspec = readfile("rockspec/dgram-scm-1.rockspec")

  it("lists every C source", function()
    for _, f in ipairs(lines("ls src/*.c")) do
      assert.matches('"' .. f .. '"', rockspec, 1, true)
    end
  end)

  it("lists every Lua module", function()
    for _, f in ipairs(lines("find lua -name '*.lua' | sort")) do
      assert.matches('"' .. f .. '"', rockspec, 1, true)
    end
  end)

  it("builds and installs with luarocks make, offline, into a tree, exporting only the embedding API", function()
    local tree = os.tmpname()
    os.remove(tree)
    local out, ok = h.sh(("luarocks --lua-version=5.4 --tree %q make rockspec/dgram-scm-1.rockspec"):format(tree))
    assert(ok, out)
    out = h.sh(("LUA_PATH='%s/share/lua/5.4/?.lua' LUA_CPATH='%s/lib/lua/5.4/?.so' lua5.4 -e "
      .. "'local d = require \"dgram\"; local s = d.createSocket(\"udp4\"); s:close(); d.run(); print(\"loaded\")'")
      :format(tree, tree))
    local exported = exports(tree .. "/lib/lua/5.4/dgram/core.so")
    os.execute(("rm -rf %q"):format(tree))
    assert.equal("loaded\n", out)
    assert.same(API, exported)
  end)
end)

describe("the Makefile's build", function()
  it("exports only the embedding API", function()
    assert.same(API, exports(h.build .. "/dgram/core.so"))
  end)
end)
