-- Shared by the hardening specs (require "hardening.support"): the quick
-- and soak sizes, process measurements (RSS, open fds, registry entries),
-- child processes of the Lua under test (in a namespace, under prlimit, in
-- the background), and the figures each spec reports. Children run on
-- every Lua: their source (M.PRELUDE and each spec's body) is 5.1's.
--
-- Sizes: every spec runs its quick size in `make test`; SOAK=1 (`make soak`)
-- switches to the long size, and an environment variable named after the
-- figure overrides both (e.g. HARDEN_ECHO_COUNT=50000).
-- Figures: a child prints lines "FIGURE <name> <value>"; M.figures() parses
-- them, and M.report() appends them to the file named by $FIGURES (what
-- `make soak` prints at the end) as "<spec>: <name> = <value>".
local common = require "common"
local h = require "helpers"

local M = {}

M.SOAK = os.getenv("SOAK") == "1"
M.sh = common.sh
M.q = common.shellQuote

-- size(env, quick, soak): the count or duration to use.
function M.size(env, quick, soak)
  local v = tonumber(os.getenv(env) or "")
  if v then
    return v == math.floor(v) and math.floor(v) or v -- 5.4: "5e4" an integer
  end
  return M.SOAK and soak or quick
end

-- Whether this run preloads ASan (`make test SANITIZE=1`): memory figures
-- are then the sanitizer's (quarantine, shadow), not the module's.
function M.sanitized()
  return (os.getenv("LD_PRELOAD") or ""):find("asan", 1, true) ~= nil
end

-- A skip: prints the reason (visible in the spec's output) and marks the
-- test pending. busted's `pending` exists only in the spec file's own
-- environment, so the spec passes it in.
function M.skip(why, pending)
  print("skipped: " .. why)
  pending(why)
end

-- Lua source run at the top of every child: measurements of the child's
-- own process, and the FIGURE printer.
M.PRELUDE = [==[
local function readfile(p)
  local f = io.open(p)
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end
local PID = readfile("/proc/self/stat"):match("^(%d+)")
-- VmRSS in KiB.
local function rss() return tonumber(readfile("/proc/" .. PID .. "/status"):match("VmRSS:%s*(%d+)")) end
-- Open file descriptors of this process, the listing's own pipe left out.
-- popen may still hold the pipe's write end while ls reads the directory,
-- so a pipe counts once however many of its ends are open here.
local function fds()
  local p = io.popen("ls -l /proc/" .. PID .. "/fd")
  local n, pipes = 0, {}
  for line in p:lines() do
    local target = line:match(" %-> (.*)$")
    if target and target:match("^pipe:") then
      if not pipes[target] then pipes[target] = true n = n + 1 end
    elseif target then
      n = n + 1
    end
  end
  p:close()
  return n - 1
end
-- Entries in the registry (freed luaL_ref slots included: a leak of
-- references grows this; reuse does not).
local function registry()
  local n = 0
  for _ in pairs(debug.getregistry()) do n = n + 1 end
  return n
end
-- The Lua heap in KiB; LuaJIT's compiled traces, which count in it, are
-- dropped first (they come and go with what the JIT compiles, not leaks).
local function heap()
  if jit then jit.flush() end
  collectgarbage() collectgarbage() return collectgarbage("count")
end
local function figure(name, value) io.write("FIGURE ", name, " ", tostring(value), "\n") io.flush() end
-- A bitset of sequence numbers, 32 per number (arithmetic only, exact in
-- a double: Lua 5.1 has no bitwise operators): bits(i) marks i and
-- returns whether it was already marked.
local function bitset()
  local words = {}
  return function(i) -- marks i; returns whether it was already marked
    local w = math.floor(i / 32)
    local b = 2 ^ (i % 32)
    local v = words[w] or 0
    if math.floor(v / b) % 2 == 1 then return true end
    words[w] = v + b
    return false
  end
end
local SANITIZED = (os.getenv("LD_PRELOAD") or ""):find("asan", 1, true) ~= nil
]==]

local function envList(env)
  local list = { "LUA_PATH=" .. M.q(package.path), "LUA_CPATH=" .. M.q(package.cpath) }
  if os.getenv("LD_PRELOAD") then -- children run the same (sanitizer) build
    list[#list + 1] = "LD_PRELOAD=" .. M.q(os.getenv("LD_PRELOAD"))
    list[#list + 1] = "ASAN_OPTIONS=" .. M.q(os.getenv("ASAN_OPTIONS") or "")
    list[#list + 1] = "UBSAN_OPTIONS=" .. M.q(os.getenv("UBSAN_OPTIONS") or "")
  end
  for k, v in pairs(env or {}) do
    list[#list + 1] = k .. "=" .. M.q(v)
  end
  return table.concat(list, " ")
end

-- The shell command that runs the script at `path` in a child of the Lua
-- under test, without the sanitizer preload.
-- opts: env (table), netns (a namespace name), prefix (e.g. "prlimit
-- --nofile=20"), timeout (seconds, default 60).
local function childCommand(path, opts)
  local ns = opts.netns and ("ip netns exec " .. opts.netns .. " ") or ""
  return ("unset LD_PRELOAD; %stimeout -k 5 %d env %s %s %s %s"):format(ns, opts.timeout or 60,
    envList(opts.env), opts.prefix or "", h.LUA, path)
end

-- Starts `source` (after M.PRELUDE) in a child in the background; :wait()
-- returns output (stdout+stderr), ok, exit code.
function M.spawn(source, opts)
  return h.startScript(M.PRELUDE .. source, function(path)
    return childCommand(path, opts or {})
  end)
end

-- Runs the child to completion: what M.spawn's :wait() returns.
function M.child(source, opts)
  return M.spawn(source, opts):wait()
end

-- Asserts the child ran to a successful end; returns its output.
function M.check(out, ok, code)
  assert(ok, ("child failed (exit %s):\n%s"):format(tostring(code), out))
  return out
end

-- The FIGURE lines of a child's output: name -> value (numbers converted).
function M.figures(out)
  local t = {}
  for name, value in out:gmatch("FIGURE (%S+) ([^\n]*)") do
    t[name] = tonumber(value) or value
  end
  return t
end

-- Appends the figures to $FIGURES (if set) under the spec's name, and
-- prints them.
function M.report(spec, figs)
  local names = {}
  for k in pairs(figs) do
    names[#names + 1] = k
  end
  table.sort(names)
  local path = os.getenv("FIGURES")
  local f = path and io.open(path, "a")
  for _, k in ipairs(names) do
    local line = ("%s: %s = %s"):format(spec, k, tostring(figs[k]))
    print(line)
    if f then
      f:write(line, M.SOAK and " (soak)" or " (quick)", M.sanitized() and " [ASan]" or "", "\n")
    end
  end
  if f then
    f:close()
  end
end

-- A namespace of our own (common.netns) or nil and the reason; the caller
-- deletes it in finally().
function M.netns(setup)
  return common.netns(setup)
end

-- Builds the C peer `source` (e.g. "spec/ttl_echo.c") into the build directory
-- as `name`, once per process; returns its path, or nil and the reason.
local programs = {}
function M.program(source, name)
  if programs[source] then
    return programs[source]
  end
  local build = os.getenv("DGRAM_BUILD") or "build"
  local path = build .. "/" .. name
  local out, ok = M.sh(("mkdir -p %s && cc -O2 -o %s %s"):format(M.q(build), M.q(path), M.q(source)))
  if not ok then
    return nil, "cannot build " .. source .. ": " .. out
  end
  programs[source] = path
  return path
end

-- spec/hardening/flood.c, the flooding peer.
function M.flooder()
  return M.program("spec/hardening/flood.c", "hardening-flood")
end

-- Whether `nft` is there (Debian package nftables).
function M.haveNft()
  local out = M.sh("command -v nft || ls /usr/sbin/nft 2>/dev/null")
  return out:match("%S") ~= nil
end

return M
