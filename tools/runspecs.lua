-- Runs every spec file in its own busted process (a crash or a hang in one
-- file cannot take the others with it) and ends with the plain line
-- "N passed, N failed" that CI reads; skipped (pending) tests count as
-- passed and are listed with their reasons before it. VALGRIND=1 runs each
-- under valgrind. Runs on every Lua the module supports, and runs busted
-- on $LUA. LINT (below) runs a linter first.
-- Usage: lua5.4 tools/runspecs.lua [dir-or-file ...]
local BUSTED = os.getenv("BUSTED") or "/usr/bin/busted"
local LUA = os.getenv("LUA") or "lua5.4"
local PER_FILE_TIMEOUT = tonumber(os.getenv("SPEC_TIMEOUT") or "300")
local EXIT_MARK = "runspecs_exit="
-- busted puts .busted's cpath (./build, lua5.4's plain build) first: the
-- module under test is the one the Makefile built for $LUA.
local CPATH = os.getenv("DGRAM_BUILD") and "--cpath=./" .. os.getenv("DGRAM_BUILD") .. "/?.so " or ""

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local files = {}
local args = { ... }
if #args == 0 then
  args = { "spec" }
end
for _, arg in ipairs(args) do
  if arg:match("_spec%.lua$") then
    files[#files + 1] = arg
  else
    local p = io.popen("find " .. shell_quote(arg) .. " -name '*_spec.lua' | sort")
    for line in p:lines() do
      files[#files + 1] = line
    end
    p:close()
  end
end

local prefix = ""
if os.getenv("VALGRIND") == "1" then
  prefix = "valgrind -q --leak-check=full --show-leak-kinds=definite,indirect "
    .. "--errors-for-leak-kinds=definite,indirect --error-exitcode=99 "
  PER_FILE_TIMEOUT = PER_FILE_TIMEOUT * 10
end

local passed, failed = 0, 0
local failures, skips = {}, {}

-- LINT, when set, is a command (the Makefile's luacheck) run before the
-- specs; it counts as one test, failed when it exits non-zero.
local LINT = os.getenv("LINT") or ""
if LINT ~= "" then
  local p = io.popen(LINT .. (" 2>&1; printf '\\n%s%%d\\n' $?"):format(EXIT_MARK))
  local lines, code = {}, nil
  for line in p:lines() do
    local status = line:match("^" .. EXIT_MARK .. "(%d+)$")
    if status then
      code = tonumber(status)
    elseif line ~= "" then
      lines[#lines + 1] = line
    end
  end
  p:close()
  local ok = code == 0
  if ok then passed = passed + 1 else failed = failed + 1 end
  io.write(("%-60s %4d passed %4d failed\n"):format(LINT, ok and 1 or 0, ok and 0 or 1))
  if not ok then
    failures[#failures + 1] = LINT .. ":\n  " .. table.concat(lines, "\n  ")
  end
  io.flush()
end
for _, file in ipairs(files) do
  -- Lua 5.1's close() of a pipe gives no exit status: the shell prints it
  -- last, on a line of its own.
  -- The file's wall time, in ms, follows its exit status.
  local cmd = ("t0=$(date +%%s%%N); timeout -k 5 %d %s%s %s %s-o TAP %s 2>&1; "
    .. "printf '\\n%s%%d %%d\\n' $? $((($(date +%%s%%N) - t0) / 1000000))"):format(PER_FILE_TIMEOUT,
    prefix, LUA, BUSTED, CPATH, shell_quote(file), EXIT_MARK)
  local p = io.popen(cmd)
  local ok_n, bad_n, skip_n, lines, code, ms = 0, 0, 0, {}, nil, nil
  for line in p:lines() do
    local status, elapsed = line:match("^" .. EXIT_MARK .. "(%d+) (%d+)$")
    if status then
      code, ms = tonumber(status), tonumber(elapsed)
      if lines[#lines] == "" then lines[#lines] = nil end
    else
      lines[#lines + 1] = line
    end
    local reason = line:match("^ok %d+ %- # SKIP ?(.*)")
    if reason then -- a pending() test: passed, and listed with its reason
      ok_n, skip_n = ok_n + 1, skip_n + 1
      skips[#skips + 1] = file .. ": " .. reason
    elseif line:match("^ok %d+") then
      ok_n = ok_n + 1
    elseif line:match("^not ok %d+") then
      bad_n = bad_n + 1
    end
  end
  p:close()
  if code ~= 0 and bad_n == 0 then
    bad_n = 1 -- crashed, hung, or reported errors outside any test
    lines[#lines + 1] = ("exit status %s"):format(tostring(code))
  end
  passed, failed = passed + ok_n, failed + bad_n
  io.write(("%-60s %4d passed %4d failed %6.1f s%s\n"):format(file, ok_n, bad_n, (ms or 0) / 1000,
    skip_n > 0 and (" (%d skipped)"):format(skip_n) or ""))
  if bad_n > 0 then
    failures[#failures + 1] = file .. ":\n  " .. table.concat(lines, "\n  ")
  end
  io.flush()
end
if #skips > 0 then
  io.write("\nSkipped:\n  ", table.concat(skips, "\n  "), "\n")
end
if #failures > 0 then
  io.write("\nFailures:\n", table.concat(failures, "\n"), "\n\n")
end
io.write(("%d passed, %d failed\n"):format(passed, failed))
os.exit(failed == 0 and passed > 0 and 0 or 1, true)
