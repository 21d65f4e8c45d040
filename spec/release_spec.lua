-- A release's version is written in three places that must agree:
-- dgram._VERSION, the release rockspec (file name, version, source tag) and
-- CHANGELOG.md's newest entry; the release rockspec builds what the scm
-- one does, and luarocks lint accepts both.
local dgram = require "dgram"
local h = require "helpers"

-- A rockspec is a Lua chunk of assignments: run it into a table.
local function loadRockspec(path)
  local src, env = assert(h.readFile(path)), {}
  local chunk
  if setfenv then -- Lua 5.1, LuaJIT
    chunk = assert(loadstring(src, "@" .. path))
    setfenv(chunk, env)
  else
    chunk = assert(load(src, "@" .. path, "t", env))
  end
  chunk()
  return env
end

local VERSION = dgram._VERSION:match("^dgram (%d+%.%d+%.%d+)$")
local RELEASE = ("rockspec/dgram-%s-1.rockspec"):format(VERSION or "?")

describe("the release", function()
  it("dgram._VERSION reads 'dgram <major>.<minor>.<patch>'", function()
    assert(VERSION, "dgram._VERSION is " .. tostring(dgram._VERSION))
  end)

  it("has a rockspec of that version, its source the scm one's at the tag v<version>", function()
    local release, scm = loadRockspec(RELEASE), loadRockspec("rockspec/dgram-scm-1.rockspec")
    assert.equal("dgram", release.package)
    assert.equal(VERSION .. "-1", release.version)
    assert.equal(scm.source.url, release.source.url)
    assert.equal("v" .. VERSION, release.source.tag)
  end)

  it("builds, depends and describes itself as the scm rockspec does", function()
    local release, scm = loadRockspec(RELEASE), loadRockspec("rockspec/dgram-scm-1.rockspec")
    for _, field in ipairs({ "build", "dependencies", "external_dependencies", "description" }) do
      assert.same(scm[field], release[field], field .. " differs: make release-rockspec")
    end
  end)

  it("is CHANGELOG.md's newest entry", function()
    local newest = assert(h.readFile("CHANGELOG.md")):match("\n## %[(%d[^%]]*)%] %- %d%d%d%d%-%d%d%-%d%d\n")
    assert.equal(VERSION, newest)
  end)

  it("passes luarocks lint, as the scm rockspec does", function()
    for _, path in ipairs({ RELEASE, "rockspec/dgram-scm-1.rockspec" }) do
      local out, ok = h.sh("luarocks lint " .. path)
      assert(ok, path .. ": " .. out)
    end
  end)
end)
