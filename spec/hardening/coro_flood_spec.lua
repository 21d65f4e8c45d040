-- 100,000 numbered datagrams from another process to a slow receiver that
-- takes them with sock:receive() in a coroutine. Every datagram the kernel
-- delivered reaches receive(), in the sender's order: the count taken plus
-- the socket's drops in /proc/net/udp is what was sent, and the numbers
-- only grow. The inbox never holds much more than its limit: past it the
-- socket stops reading and the kernel's buffer holds the rest.
local dgram = require "dgram"
local coro = require "dgram.coro"
local h = require "helpers"

local COUNT = 100000

-- The socket's drop counter: the last field of its line in /proc/net/udp.
local function kernelDrops(port)
  local hexPort = (":%04X "):format(port)
  for line in io.lines("/proc/net/udp") do
    if line:find("0100007F" .. hexPort, 1, true) then
      return tonumber(line:match("(%d+)%s*$"))
    end
  end
  error("no socket on port " .. port .. " in /proc/net/udp")
end

describe("a flood into sock:receive()", function()
  it("delivers every datagram the kernel delivered, in order, to a slow receiver", function()
    -- A large buffer (the kernel doubles it, up to rmem_max) lets the
    -- kernel hold what the inbox refuses while the receiver sleeps.
    local r = dgram.createSocket({ type = "udp4", recvBufferSize = 4 * 1024 * 1024 })
    r:bind(0, "127.0.0.1")
    dgram.once(r, "listening")
    local port = r:address().port
    local taken, disorder, maxQueued, last = 0, 0, 0, -1
    local sender
    local drops
    dgram.spawn(function()
      while true do
        -- The first datagram waits for the sender to start; then a
        -- pause of 2 s means it is done.
        local msg = r:receive(taken > 0 and 2000 * h.SLOWDOWN or nil)
        if msg == nil then break end
        local n = tonumber(msg)
        if n == nil or n <= last then disorder = disorder + 1 end
        last = n or last
        taken = taken + 1
        local queued = coro.queued(r)
        if queued > maxQueued then maxQueued = queued end
        if taken % 2000 == 0 then
          dgram.sleep(20) -- slow: the inbox fills to its limit meanwhile
        end
      end
      drops = kernelDrops(port)
      r:close()
    end)
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(count):
    s.sendto(b"%d" % i, ("127.0.0.1", port))
print("sent", count)
]])
    f:close()
    sender = h.pipe(("env -u LD_PRELOAD timeout 60 python3 %s %d %d"):format(script, port, COUNT))
    h.run(120000)
    local out, ok = sender:wait()
    os.remove(script)
    assert(ok, out)
    assert.matches("sent " .. COUNT, out, 1, true)
    print(("\n  taken %d, dropped by the kernel %d, inbox at most %d"):format(taken, drops, maxQueued))
    assert.equal(0, disorder)
    assert.equal(COUNT, taken + drops)
    assert.is_true(maxQueued <= coro.LIMIT + 20, tostring(maxQueued))
    if h.SLOWDOWN == 1 then -- under valgrind the loop reads too slowly to fill it
      assert.is_true(maxQueued >= coro.LIMIT, "the inbox never filled: " .. maxQueued)
    end
    assert.is_true(taken > 0)
  end)
end)
