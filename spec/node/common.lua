-- Node's test/common for the ported tests: mustCall and friends, the loop
-- runner with a watchdog and the open-handle check, and expectsError.
local h = require "helpers"

local M = {
  mustCall = h.mustCall,
  mustCallAtLeast = h.mustCallAtLeast,
  mustNotCall = h.mustNotCall,
  mustSucceed = h.mustSucceed,
  run = h.run,
  node = h.node,
  localhostIPv4 = "127.0.0.1",
  hasIPv6 = true,
}

-- Asserts that fn raises an error object whose fields match `expected`
-- (code, name, message; a message starting with "^" is a Lua pattern).
function M.expectsError(fn, expected)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error, none was raised")
  assert(type(err) == "table", "expected an error object, got " .. tostring(err))
  for k, v in pairs(expected) do
    if k == "message" and type(v) == "string" and v:sub(1, 1) == "^" then
      assert(tostring(err.message):match(v), ("message %q does not match %q"):format(tostring(err.message), v))
    else
      assert(err[k] == v, ("%s: expected %s, got %s"):format(k, tostring(v), tostring(err[k])))
    end
  end
  return err
end


-- ---------------------------------------------------------------------------
-- Added for the ported tests that need a child process, a network namespace
-- or a hermetic resolver (appended; the module above is unchanged).

local function shq(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
M.shellQuote = shq

-- Runs a shell command; returns its output (stdout and stderr) and whether
-- it exited with status 0, and the exit code. The sanitizer preload of a
-- `make test SANITIZE=1` run is kept away from the system tools run here
-- (`ip` reports its own leaks under it and fails).
function M.sh(cmd)
  return h.pipe("unset LD_PRELOAD; { " .. cmd .. "\n} 2>&1"):wait()
end

-- Runs `source` (Lua) in a child of the Lua under test (h.LUA, the
-- Makefile's LUA) that finds the module and these
-- helpers as this process does. opts.env: extra environment variables
-- (name -> value); opts.netns: a namespace (from M.netns) to run it in;
-- opts.timeout: seconds (default 30). Returns output, ok, exit code.
-- A child that wants to be skipped exits with M.SKIP_CODE and prints why.
M.SKIP_CODE = 77
function M.luaChild(source, opts)
  opts = opts or {}
  local env = { "LUA_PATH=" .. shq(package.path), "LUA_CPATH=" .. shq(package.cpath) }
  if os.getenv("LD_PRELOAD") then -- the child runs the same (sanitizer) build
    env[#env + 1] = "LD_PRELOAD=" .. shq(os.getenv("LD_PRELOAD"))
  end
  for k, v in pairs(opts.env or {}) do
    env[#env + 1] = k .. "=" .. shq(v)
  end
  local prefix = opts.netns and ("ip netns exec " .. opts.netns.name .. " ") or ""
  return h.startScript(source, function(path)
    return ("unset LD_PRELOAD; %stimeout -k 2 %d env %s %s %s"):format(prefix, opts.timeout or 30,
      table.concat(env, " "), h.LUA, path)
  end):wait()
end

-- Asserts that a child run (output, ok, code from M.luaChild) succeeded;
-- calls busted's pending() when the child asked to be skipped.
function M.checkChild(out, ok, code)
  if code == M.SKIP_CODE then
    print("skipped: " .. out)
    pending(out)
    return false
  end
  assert(ok, "child failed (exit " .. tostring(code) .. "):\n" .. out)
  return true
end

local nsCount = 0
local function pid()
  local f = io.open("/proc/self/stat")
  local s = f and f:read("*l") or ""
  if f then f:close() end
  return s:match("^(%d+)") or tostring(os.time())
end

-- Creates a network namespace of our own (`ns.name`) with `lo` up and
-- IPv6 duplicate address detection off (addresses usable at once), plus an
-- empty peer namespace (`ns.peer`) for the far end of a veth pair, then
-- runs `setup`, a list of shell commands run in the host namespace where
-- `$NS`, `$PEER` and `$ID` (a short unique token for interface names) are
-- replaced. Returns the namespace object, or nil and a reason when
-- namespaces can't be made here. ns:exec(cmd) runs a shell command inside;
-- ns:delete() removes both namespaces, the processes started for it and
-- its files (idempotent: call it from busted's finally()).
function M.netns(setup)
  nsCount = nsCount + 1
  local id = ("%sx%d"):format(pid(), nsCount)
  local name, peer = "dg" .. id, "dgp" .. id
  local out, ok = M.sh("ip netns add " .. name)
  if not ok then
    return nil, "cannot create a network namespace: " .. out
  end
  local ns = { name = name, peer = peer, id = id, pids = {}, files = {} }
  function ns:exec(cmd)
    return M.sh("ip netns exec " .. self.name .. " sh -c " .. shq(cmd))
  end
  function ns:delete()
    for _, p in ipairs(self.pids) do
      M.sh("kill " .. p)
    end
    self.pids = {}
    for _, file in ipairs(self.files) do
      os.remove(file)
    end
    self.files = {}
    if self.name then
      M.sh("ip netns del " .. self.name)
      M.sh("ip netns del " .. self.peer .. " 2>/dev/null")
      M.sh("rm -rf /etc/netns/" .. self.name)
    end
    self.name = nil
  end
  local cmds = {
    "ip netns add $PEER",
    "ip -n $NS link set lo up",
    "ip netns exec $NS sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
  }
  for _, c in ipairs(setup or {}) do
    cmds[#cmds + 1] = c
  end
  for _, c in ipairs(cmds) do
    local o, good = M.sh((c:gsub("%$NS", name):gsub("%$PEER", peer):gsub("%$ID", id)))
    if not good then
      ns:delete()
      return nil, ("namespace setup failed: %s: %s"):format(c, o)
    end
  end
  return ns
end

-- A namespace laid out like a host on a LAN (RECIPES.md 2.1): interface
-- `vA` with 10.200.0.1/24 and fd00:200::1/64, its veth peer in the peer
-- namespace, IPv4 multicast routed out of vA, and `lo` multicast-capable.
M.LAN = { ipv4 = "10.200.0.1", ipv6 = "fd00:200::1", ifname = "vA" }
M.LAN_SETUP = {
  "ip -n $NS link add vA type veth peer name vB netns $PEER",
  "ip -n $NS addr add 10.200.0.1/24 dev vA",
  "ip -n $NS -6 addr add fd00:200::1/64 dev vA nodad",
  "ip -n $NS link set vA up",
  "ip -n $PEER link set vB up",
  "ip -n $NS link set lo multicast on",
  "ip -n $NS route add 224.0.0.0/4 dev vA",
}

-- Gives the namespace a resolver of its own (RECIPES.md): dnsmasq on
-- 127.0.0.1 that answers NXDOMAIN for every name (--address=/#/), so a
-- name outside /etc/hosts fails with ENOTFOUND without asking any
-- resolver outside. Returns true, or nil and a reason.
function M.hermeticResolver(ns)
  local dnsmasq = M.sh("command -v dnsmasq || ls /usr/sbin/dnsmasq 2>/dev/null")
  dnsmasq = dnsmasq:match("(%S+)")
  if not dnsmasq then
    return nil, "dnsmasq is not installed (Debian package dnsmasq-base)"
  end
  local dir = "/etc/netns/" .. ns.name
  local _, ok = M.sh("mkdir -p " .. dir .. " && echo 'nameserver 127.0.0.1' > " .. dir .. "/resolv.conf")
  if not ok then
    return nil, "cannot write " .. dir .. "/resolv.conf"
  end
  local pidfile = os.tmpname()
  ns.files[#ns.files + 1] = pidfile
  -- Without --keep-in-foreground dnsmasq forks once its socket is bound.
  local out, good = ns:exec(dnsmasq .. " --no-resolv --no-hosts --listen-address=127.0.0.1"
    .. " --bind-interfaces --port=53 --address=/#/ --user=root --conf-file=/dev/null"
    .. " --pid-file=" .. pidfile)
  if not good then
    return nil, "dnsmasq did not start: " .. out
  end
  local f = io.open(pidfile)
  local p = f and f:read("*l")
  if f then f:close() end
  if p and p:match("^%d+$") then
    ns.pids[#ns.pids + 1] = p
  end
  return true
end

-- ---------------------------------------------------------------------------
-- Added for the ported tests test-dgram-abort-closed .. test-dgram-implicit-bind
-- (appended; the module above is unchanged).

-- Node's number formatting (Number.prototype.toString): integers without a
-- fraction, NaN, Infinity, -0, else the shortest form that reads back.
local function jsNumber(x)
  if x ~= x then
    return "NaN"
  elseif x == math.huge then
    return "Infinity"
  elseif x == -math.huge then
    return "-Infinity"
  elseif x == 0 then
    return (1 / x < 0) and "-0" or "0"
  elseif (math.type and math.type(x) == "integer") or (x == math.floor(x) and math.abs(x) < 2 ^ 53) then
    return ("%d"):format(x)
  end
  for p = 1, 17 do
    local s = ("%." .. p .. "g"):format(x)
    if tonumber(s) == x then
      return s
    end
  end
  return ("%.17g"):format(x)
end

-- Node's util.inspect of a string: single quotes, or double quotes when it
-- holds a single quote and no double quote.
local function inspectString(s)
  local q = "'"
  if s:find("'", 1, true) and not s:find('"', 1, true) then
    q = '"'
  end
  return q .. s:gsub("\\", "\\\\"):gsub(q, "\\" .. q):gsub("\n", "\\n") .. q
end

-- common.invalidArgTypeHelper(value): the " Received ..." tail of Node's
-- ERR_INVALID_ARG_TYPE messages, for Lua values as API.md maps them (nil
-- is undefined, a sequence an Array, another table an Object).
function M.invalidArgTypeHelper(input)
  local t = type(input)
  if input == nil then
    return " Received undefined"
  elseif t == "function" then
    return " Received function "
  elseif t == "table" then
    local n = 0
    for _ in pairs(input) do n = n + 1 end
    local mt = getmetatable(input)
    local name = type(mt) == "table" and rawget(mt, "__name")
    if type(name) ~= "string" then
      name = (n > 0 and #input == n) and "Array" or "Object"
    end
    return " Received an instance of " .. name
  end
  local inspected
  if t == "string" then
    inspected = inspectString(input)
  elseif t == "number" then
    inspected = jsNumber(input)
  else
    inspected = tostring(input)
  end
  if #inspected > 28 then
    inspected = inspected:sub(1, 25) .. "..."
  end
  return (" Received type %s (%s)"):format(t, inspected)
end


-- Like M.run, for tests where Node lets the process exit with an unref'd
-- socket still open: runs the loop until nothing referenced is left, checks
-- the mustCall counts, then closes `sockets` (those still open; a function
-- in the list is called instead, e.g. to clear a timer) and only then
-- checks that no handle is left.
function M.runThenClose(sockets, ms)
  local dgram = require "dgram"
  local orig = h.checkNoHandles
  h.checkNoHandles = function()
    h.checkNoHandles = orig
    for _, s in ipairs(sockets) do
      if type(s) == "function" then
        s()
      else
        pcall(s.close, s)
      end
    end
    dgram.run()
    orig()
  end
  local ok, err = pcall(h.run, ms)
  h.checkNoHandles = orig
  if not ok then
    error(err, 0)
  end
end

return M
