-- What the specs of spec/hosts share: each starts a real host (an
-- interpreter with luv, Neovim, LÖVE, the C host of examples/) as a child
-- process bounded by `timeout -k`, with the module on its paths.
local h = require "helpers"

local M = {}

-- The repository (specs run from its root; PWD may be make's caller's).
M.root = h.sh("pwd"):gsub("\n$", "")
-- The Lua layer the hosts load (DGRAM_LUA_DIR, for trying another tree).
M.luaDir = os.getenv("DGRAM_LUA_DIR") or (M.root .. "/lua")

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.quote = quote

-- Whether a command exists.
function M.have(cmd)
  local _, ok = h.sh("sh -c " .. quote("command -v " .. cmd))
  return ok
end

-- The module built for interpreter lua (lua5.4, luajit, ...): its build
-- directory. lua5.4 takes the suite's own build (build/san under ASan);
-- the others are built plain here (without the sanitizer settings that
-- `make test SANITIZE=1` passes down to sub-makes in MAKEFLAGS).
local built = {}
function M.build(lua)
  if lua == "lua5.4" then
    return h.build
  end
  if not built[lua] then
    local out, ok = h.sh("MAKEFLAGS= make -s SANITIZE= LUA=" .. lua)
    assert(ok, out)
    built[lua] = "build/" .. lua
  end
  return built[lua]
end

-- Environment assignments that put the module on a host's paths.
function M.env(lua, extra)
  return ('LUA_PATH=%s LUA_CPATH=%s %s'):format(
    quote(M.luaDir .. "/?.lua;" .. M.root .. "/spec/?.lua;;"),
    quote(M.root .. "/" .. M.build(lua) .. "/?.so;;"), extra or "")
end

-- Runs cmd bounded by `timeout -k 5 secs` with the module's paths for lua;
-- returns output (stdout and stderr), success, exit code. Only lua5.4
-- children keep the sanitizer preload of `make test SANITIZE=1` (they load
-- build/san); other hosts load a plain build.
function M.run(lua, cmd, secs, extra)
  return h.sh(("%s timeout -k 5 %d %s"):format(M.env(lua, extra), secs or 60, cmd), lua == "lua5.4")
end

-- The interpreter whose build a host program loads: luajit when it links
-- LuaJIT (Debian's LÖVE and Neovim on amd64), else lua5.1.
function M.luaOf(program)
  local out = h.sh("ldd \"$(command -v " .. program .. ")\"")
  return out:find("libluajit", 1, true) and "luajit" or "lua5.1"
end

-- nil when the module loads in interpreter lua, else why not.
function M.unloadable(lua)
  local out, ok = M.run(lua, lua .. [[ -e 'require "dgram"']], 30)
  if ok then
    return nil
  end
  return ("the module does not load on %s in this tree: %s"):format(lua, out:match("[^\n]*"))
end

return M
