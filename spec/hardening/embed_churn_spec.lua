-- Embedding churn: a C host creates and closes many lua_States, half on a
-- loop of its own, each binding 10 sockets with datagrams in flight. Open
-- fds return to where they started, RSS grows less than 4 MB, and every
-- host loop closes (uv_loop_close returns 0). SOAK=1: 1,000 states.
local h = require "helpers"

local STATES = os.getenv("SOAK") == "1" and 1000 or 200

describe("embedding churn", function()
  it(("creates and closes %d Lua states"):format(STATES), function()
    local bin = h.build .. "/churn_host"
    local san = h.sanitized and "-fsanitize=address,undefined " or ""
    local out, ok = h.sh(("cc -std=gnu99 -O1 -g %s-Isrc $(pkg-config --cflags %s libuv) -o %s "
      .. "spec/hardening/churn_host.c %s/dgram/core.so -Wl,-rpath,'$ORIGIN/dgram' "
      .. "$(pkg-config --libs %s libuv)"):format(san, h.LUA, bin, h.build, h.LUA))
    assert(ok, out)
    out, ok = h.sh(('LUA_PATH="./lua/?.lua;;" LUA_CPATH="./%s/?.so;;" timeout 300 %s %d')
      :format(h.build, bin, STATES), true)
    assert(ok, out)
    local n, fds0, fds1, rss0, rss1 = out:match("states (%d+) fds (%d+) (%d+) rss_kb (%d+) (%d+)")
    assert(n, out)
    assert.equal(tonumber(fds0), tonumber(fds1))
    -- ASan's quarantine keeps freed memory on purpose; there LeakSanitizer
    -- checks for leaks instead, at the host's exit.
    if not h.sanitized then
      assert.is_true(tonumber(rss1) - tonumber(rss0) < 4096, out)
    end
  end)
end)
