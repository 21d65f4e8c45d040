-- The rockspec lists every source file, and installs offline into a tree.
local h = require "helpers"

-- The Lua under test, and the version luarocks and its tree name it by
-- (LuaJIT's is 5.1; its headers are LuaJIT's own).
local VERSION = h.LUA == "luajit" and "5.1" or h.LUA:match("^lua(%d%.%d)$") or "5.4"
local ROCKS_VARS = ""
if h.LUA == "luajit" then
  ROCKS_VARS = " LUA_INCDIR=" .. h.sh("pkg-config --variable=includedir luajit"):match("%S+")
end

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
  local rockspec = assert(h.readFile("rockspec/dgram-scm-1.rockspec"))

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
    local out, ok = h.sh(("luarocks --lua-version=%s --tree %q make rockspec/dgram-scm-1.rockspec%s")
      :format(VERSION, tree, ROCKS_VARS))
    assert(ok, out)
    local function loads(lua)
      return h.sh(("LUA_PATH='%s/share/lua/%s/?.lua' LUA_CPATH='%s/lib/lua/%s/?.so' %s -e "
        .. "'local d = require \"dgram\"; local s = d.createSocket(\"udp4\"); s:close(); d.run(); print(\"loaded\")'")
        :format(tree, VERSION, tree, VERSION, lua))
    end
    out = loads(h.LUA)
    -- One 5.1 build serves both 5.1 interpreters, as a 5.1 tree does.
    local jitOut = h.LUA == "lua5.1" and loads("luajit") or "loaded\n"
    local exported = exports(("%s/lib/lua/%s/dgram/core.so"):format(tree, VERSION))
    os.execute(("rm -rf %q"):format(tree))
    assert.equal("loaded\n", out)
    assert.equal("loaded\n", jitOut)
    assert.same(API, exported)
  end)
end)

describe("the Makefile's build", function()
  it("exports only the embedding API", function()
    assert.same(API, exports(h.build .. "/dgram/core.so"))
  end)
end)
