-- examples/host.c: a C host in each of its modes. It hands the module its
-- own loop or takes the module's; it drives it with dgram.run("nowait")
-- once per frame, or runs the loop itself with uv_run (errors then go to
-- the error handler), or folds the module's loop into its poll(2).
local h = require "helpers"
local hosts = require "hosts.support"

describe("a C host (examples/host.c)", function()
  setup(function()
    local out, ok = h.sh("make -s host LUA=" .. h.LUA .. (h.sanitized and " SANITIZE=1" or ""))
    assert(ok, out)
  end)

  local host = "./" .. h.build .. "/host"
  local function run(args, env)
    return hosts.run(h.LUA, host .. " " .. args, 30, env)
  end

  it("runs on the host's own uv_loop_t, which closes cleanly after lua_close", function()
    local out, ok = run("examples/host_script.lua")
    assert(ok, out)
    assert.matches("host: loop of the host, dgram.run each frame", out, 1, true)
    assert.matches("script: received frame datagram 3", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)

  it("lets the host take the module's loop", function()
    local out, ok = run("--module-loop examples/host_script.lua")
    assert(ok, out)
    assert.matches("host: loop from the module", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)

  it("runs the module when the host runs its loop itself with uv_run", function()
    local out, ok = run("--uv-run examples/host_script.lua")
    assert(ok, out)
    assert.matches("host: loop of the host, uv_run each frame", out, 1, true)
    assert.matches("script: received frame datagram 3", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)

  it("under uv_run, hands each error raised by a listener to the handler; the loop goes on", function()
    local out, ok = run("--uv-run spec/hosts/c/raise.lua")
    assert(ok, out)
    assert.matches("script: 2 raised, 2 handled", out, 1, true)
    assert.not_matches("uncaught", out, 1, true)
  end)

  it("under uv_run, the default handler writes each error and its traceback to stderr", function()
    local out, ok = run("--uv-run spec/hosts/c/raise.lua", "DEFAULT_HANDLER=1")
    assert(ok, out)
    local _, n = out:gsub("dgram: uncaught error in a callback: the raised table\nstack traceback:", "")
    assert.equal(2, n, out)
    assert.matches("script: 2 raised, 0 handled", out, 1, true)
  end)

  it("folds the module's loop into its poll(2) with backendFd and backendTimeout", function()
    local out, ok = run("--fold examples/host_script.lua")
    assert(ok, out)
    assert.matches("host: the module's loop folded into poll(2)", out, 1, true)
    assert.matches("script: received frame datagram 3", out, 1, true)
    assert.matches("host: done after %d+ frames", out)
  end)
end)
