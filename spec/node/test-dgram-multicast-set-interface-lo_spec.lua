-- Port of test/internet/test-dgram-multicast-set-interface-lo.js:
-- setMulticastInterface() picks the outgoing interface of multicast. Six
-- listeners, bound to one of three groups (224.0.0.115-117) and joined on
-- one of three interfaces (any, the first non-internal interface,
-- loopback), must receive exactly the messages sent to their group on
-- their interface while the sender moves from the default interface to
-- the external one and then to loopback.
--
-- Node forks six child processes as listeners and counts what they report
-- over IPC. Here the listeners are six sockets in the same process
-- ("workers" below keep Node's bookkeeping), running in a child lua5.4
-- inside a network namespace of the spec's own: its only non-internal
-- interface is a veth (10.200.0.1/24, carrying the IPv4 multicast route)
-- and `lo` is multicast-capable (RECIPES.md), so that no multicast leaves
-- this machine. common.PORT: the sender binds port 0 and the listeners
-- bind the port it got. Node's 5 s TIMEOUT is the run() watchdog; where
-- Node then skips ("Check filter policy"), this fails: the namespace is
-- ours, its filter policy is known.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local MULTICASTS = {
  IPv4 = { "224.0.0.115", "224.0.0.116", "224.0.0.117" },
  IPv6 = { "ff02::1:115", "ff02::1:116", "ff02::1:117" },
}
local LOOPBACK = { IPv4 = "127.0.0.1", IPv6 = "::1" }
local ANY = { IPv4 = "0.0.0.0", IPv6 = "::" }
local FAM = "IPv4"

local PORT -- common.PORT
local PORTS = {}
local function setPorts(port)
  PORT = port
  for i = 1, #MULTICASTS[FAM] do
    PORTS[MULTICASTS[FAM][i]] = PORT
  end
end

local UDP = { IPv4 = "udp4", IPv6 = "udp6" }

local TIMEOUT = 5000
local NOW = os.time() * 1000 + math.random(0, 999) -- Date.now()
local function TMPL(tail) return ("%d - %s"):format(NOW, tail) end

-- Take the first non-internal interface as the other interface to isolate
-- from loopback.
local interfaceAddress = os.getenv("LAN_IPV4")
assert(interfaceAddress)

local messages = {
  { tail = "First message to send", mcast = MULTICASTS[FAM][1], rcv = true },
  { tail = "Second message to send", mcast = MULTICASTS[FAM][1], rcv = true },
  { tail = "Third message to send", mcast = MULTICASTS[FAM][2], rcv = true,
    newAddr = interfaceAddress },
  { tail = "Fourth message to send", mcast = MULTICASTS[FAM][3] },
  { tail = "Fifth message to send", mcast = MULTICASTS[FAM][2], rcv = true },
  { tail = "Sixth message to send", mcast = MULTICASTS[FAM][3], rcv = true,
    newAddr = LOOPBACK[FAM] },
}

-- The child's code: IFACE, MULTICAST, NEEDEDMSGS, SESSION were its argv.
local function child(IFACE, MULTICAST, NEEDEDMSGS, SESSION, send)
  local receivedMessages = {}

  local listenSocket = dgram.createSocket({
    type = UDP[FAM],
    reuseAddr = true,
  })

  listenSocket:on("message", function(buf, rinfo)
    -- Examine udp messages only when they were sent by the parent.
    if buf:sub(1, #tostring(SESSION)) ~= tostring(SESSION) then return end

    receivedMessages[#receivedMessages + 1] = buf

    if #receivedMessages == NEEDEDMSGS then
      listenSocket:close()
    end

    send({ message = buf })
  end)

  listenSocket:on("listening", function()
    listenSocket:addMembership(MULTICAST, IFACE)
    send({ listening = true })
  end)

  listenSocket:on("close", common.mustCall())

  listenSocket:bind(PORT, MULTICAST)
end

local IFACES = { ANY[FAM], interfaceAddress, LOOPBACK[FAM] }
local workers = {}
local listeners = #MULTICASTS[FAM] * 2
local listening = 0
local i = 0
local done = 0
local sendSocket

-- Launch the listeners ("child processes").
local function launch()
  for n = 0, listeners - 1 do
    local IFACE = IFACES[n % #IFACES + 1]
    local MULTICAST = MULTICASTS[FAM][n % #MULTICASTS[FAM] + 1]

    local messagesNeeded = {}
    for _, m in ipairs(messages) do
      if m.rcv and m.mcast == MULTICAST then
        messagesNeeded[#messagesNeeded + 1] = TMPL(m.tail)
      end
    end

    local worker = { messagesReceived = {}, messagesNeeded = messagesNeeded }
    workers[#workers + 1] = worker

    child(IFACE, MULTICAST, #messagesNeeded, NOW, common.mustCallAtLeast(function(msg)
      if msg.listening then
        listening = listening + 1

        if listening == listeners then
          -- All child process are listening, so start sending.
          sendSocket.sendNext()
        end
      elseif msg.message then
        worker.messagesReceived[#worker.messagesReceived + 1] = msg.message

        if #worker.messagesReceived == #worker.messagesNeeded then
          done = done + 1
          worker.isDone = true
        end

        if done == listeners then
          for _, w in ipairs(workers) do
            local count = 0

            for _, buf in ipairs(w.messagesReceived) do
              for j = 1, #w.messagesNeeded do
                if buf == w.messagesNeeded[j] then
                  count = count + 1
                  break
                end
              end
            end

            assert(count == #w.messagesNeeded, "A worker received an invalid multicast message")
          end
        end
      end
    end))
  end
end

sendSocket = dgram.createSocket({
  type = UDP[FAM],
  reuseAddr = true,
})

-- Don't bind the address explicitly when sending and start with
-- the OSes default multicast interface selection.
sendSocket:bind(0, ANY[FAM])
sendSocket:on("listening", function()
  setPorts(sendSocket:address().port)
  launch()
end)

sendSocket:on("close", common.mustCall())

function sendSocket.sendNext()
  i = i + 1
  local msg = messages[i]

  if not msg then
    sendSocket:close()
    return
  end
  local buf = TMPL(msg.tail)
  if msg.newAddr then
    sendSocket:setMulticastInterface(msg.newAddr)
  end
  sendSocket:send(
    buf,
    0,
    #buf,
    PORTS[msg.mcast],
    msg.mcast,
    common.mustSucceed(function()
      dgram.nextTick(sendSocket.sendNext)
    end)
  )
end

common.run(TIMEOUT)
assert(done == listeners, "not every listener received its messages")
]==]

describe("internet/test-dgram-multicast-set-interface-lo", function()
  it("the outgoing multicast interface isolates lo from the external interface", function()
    local ns, why = common.netns(common.LAN_SETUP)
    if not ns then
      print("skipped: " .. why)
      pending(why)
      return
    end
    finally(function() ns:delete() end)
    common.checkChild(common.luaChild(BODY, { netns = ns, env = { LAN_IPV4 = common.LAN.ipv4 } }))
  end)
end)
