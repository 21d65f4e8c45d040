-- Every ```lua block of README.md and docs/*.md runs, and so do the
-- standalone scripts of examples/, so no example rots.
--
-- Conventions for the blocks (docs/api.md, "About the examples", says the same):
-- - a block fenced ```lua is a whole program: it runs in a child of the Lua
--   under test, in a network namespace of its own with only loopback up
--   (fixed ports cannot clash, nothing leaves the machine), and must exit 0
--   within a few seconds: it closes its sockets so that dgram.run() returns;
-- - `--> text` after code (or alone on the next lines) is a line the block
--   prints; when a block has any, what it prints must be exactly those lines
--   in order, an ellipsis (…) standing for any text (a port, a time);
-- - ```lua 5.4 runs only on Lua 5.4 (`<close>`), ```lua fragment is part of
--   a program (a host's frame loop): compiled on every Lua, not run;
-- - anything else (```sh, ```c, ```js) is not Lua and is left alone.
-- Whole programs must also be luacheck-clean.
local h = require "helpers"

local TIMEOUT = 10 * h.SLOWDOWN
local ELLIPSIS = "\226\128\166" -- U+2026, written so that Lua 5.1 reads it too

local function writefile(path, s)
  local f = assert(io.open(path, "w"))
  f:write(s)
  f:close()
end

-- The blocks of one Markdown file: { file=, line=, kind=, source= }, kind
-- being what follows "lua" in the fence ("", "5.4" or "fragment").
local function luaBlocks(file)
  local blocks, current, n = {}, nil, 0
  for line in (assert(h.readFile(file)) .. "\n"):gmatch("(.-)\n") do
    n = n + 1
    if current then
      if line:match("^%s*```%s*$") then
        blocks[#blocks + 1], current = current, nil
      elseif current.lines then
        current.lines[#current.lines + 1] = line:sub(current.indent + 1)
      end
    else
      local indent, info = line:match("^(%s*)```%s*(.-)%s*$")
      if info then
        local kind = info:match("^lua%s*(.*)$")
        current = { file = file, line = n, kind = kind, indent = #indent,
          lines = kind and {} or nil }
        if not kind then current.kind = "other" end
      end
    end
  end
  assert(current == nil, file .. ": a code block opened at line " .. tostring(current and current.line)
    .. " is never closed")
  local out = {}
  for _, b in ipairs(blocks) do
    if b.lines then
      b.source = table.concat(b.lines, "\n") .. "\n"
      out[#out + 1] = b
    end
  end
  return out
end

-- The lines a block says it prints (its `--> text` comments), in order.
local function expectedOutput(source)
  local expected = {}
  for line in source:gmatch("[^\n]*") do
    local text = line:match("%-%->%s?(.*)$")
    if text then expected[#expected + 1] = text end
  end
  return expected
end

-- Whether an output line matches an expected one, where … is any text.
local function lineMatches(expected, actual)
  local pattern = "^" .. expected:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"):gsub(ELLIPSIS, ".-") .. "$"
  return actual:match(pattern) ~= nil
end

-- How a child gets a network namespace of its own with loopback up: as
-- root, else through a user namespace; where neither is allowed, it runs
-- on the host (every example uses loopback only).
local ISOLATE
do
  for _, cmd in ipairs({ "unshare -n", "unshare -rn" }) do
    local _, ok = h.sh(cmd .. " ip link set lo up")
    if ok then
      ISOLATE = cmd
      break
    end
  end
end

local function runBlock(block)
  local path = os.tmpname()
  writefile(path, block.source)
  local errPath = path .. ".stderr"
  -- The sanitizer preload of `make test SANITIZE=1` is for the Lua child
  -- only: the namespace's tools are not built for it.
  local preload = os.getenv("LD_PRELOAD")
  local cmd = ("env %sLUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./%s/?.so;;' timeout %d %s %s 2>%s")
    :format(preload and "LD_PRELOAD='" .. preload .. "' " or "", h.build, TIMEOUT, h.LUA, path, errPath)
  if ISOLATE then
    cmd = ("env -u LD_PRELOAD %s sh -c 'ip link set lo up && exec %s'"):format(ISOLATE, cmd:gsub("'", "'\\''"))
  end
  local out, ok, code = h.pipe(cmd):wait()
  local stderr = h.readFile(errPath) or "(none: the child did not start)"
  os.remove(path)
  os.remove(errPath)
  return out, ok, code, stderr
end

-- What luacheck says of a whole program (every Lua's globals): an example
-- with an unused variable or a stray global is a bad example.
local function lint(block)
  local path = os.tmpname()
  writefile(path, block.source)
  local out, ok = h.sh("luacheck --no-config --std max --formatter plain " .. path)
  os.remove(path)
  return ok, (out:gsub(path:gsub("%p", "%%%0"), block.file .. ":" .. block.line .. " block"))
end

local function lines(s)
  local t = {}
  for l in s:gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

-- A program's output against the lines it should print (none: anything).
local function checkOutput(where, expected, out)
  local actual = lines(out)
  if #expected == 0 then return end
  local same = #expected == #actual
  for i = 1, #expected do
    same = same and lineMatches(expected[i], actual[i])
  end
  assert(same, ("%s printed\n%s\nwhere it should print\n%s"):format(where,
    table.concat(actual, "\n"), table.concat(expected, "\n")))
end

local loadChunk = loadstring or load

-- The scripts of examples/ that run on their own (`make demo` runs the
-- first; the README names both), with the lines they print.
local EXAMPLES = {
  { "examples/demo.lua", {
    "server listening 0.0.0.0:41234",
    "server got: Some bytes from 127.0.0.1:" .. ELLIPSIS,
    "server got: from a Lua client from 127.0.0.1:" .. ELLIPSIS,
    "server got: bye from 127.0.0.1:" .. ELLIPSIS,
  } },
  -- its first try times out by design: 2 tries, or 3 on a slow machine
  { "examples/request.lua", { "answer to the question (after " .. ELLIPSIS .. " tries)" } },
}

local FILES = { "README.md" }
for _, f in ipairs(lines(h.sh("ls docs/*.md"))) do FILES[#FILES + 1] = f end

describe("the documentation's Lua examples", function()
  for _, file in ipairs(FILES) do
    for _, block in ipairs(luaBlocks(file)) do
      local where = ("%s:%d"):format(block.file, block.line)
      if block.kind == "fragment" then
        it(where .. " (a fragment) compiles", function()
          local f, err = loadChunk(block.source, "=" .. where)
          assert(f, err)
        end)
      elseif block.kind == "" or (block.kind == "5.4" and h.LUA == "lua5.4") then
        it(where .. " runs, ends by itself, prints what it says and is luacheck-clean", function()
          local out, ok, code, stderr = runBlock(block)
          assert(ok, ("%s exited with status %s%s\nstdout:\n%s\nstderr:\n%s"):format(where, tostring(code),
            code == 124 and " (did not end within " .. TIMEOUT .. " s)" or "", out, stderr))
          checkOutput(where, expectedOutput(block.source), out)
          local clean, warnings = lint(block)
          assert(clean, warnings)
        end)
      elseif block.kind ~= "5.4" then
        error(("%s: unknown fence ```lua %s (use lua, lua 5.4 or lua fragment)"):format(where, block.kind))
      end
    end
  end

  for _, example in ipairs(EXAMPLES) do
    local file, expected = example[1], example[2]
    it(file .. " runs, ends by itself and prints what it should", function()
      local block = { file = file, line = 1, source = assert(h.readFile(file)) }
      local out, ok, code, stderr = runBlock(block)
      assert(ok, ("%s exited with status %s\nstdout:\n%s\nstderr:\n%s"):format(file, tostring(code), out, stderr))
      checkOutput(file, expected, out)
    end)
  end

  it("finds the examples (README.md has a runnable one)", function()
    local runnable = 0
    for _, block in ipairs(luaBlocks("README.md")) do
      if block.kind == "" then runnable = runnable + 1 end
    end
    assert.is_true(runnable > 0)
  end)
end)
