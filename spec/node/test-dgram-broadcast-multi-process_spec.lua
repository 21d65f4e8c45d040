-- Port of test/internet/test-dgram-broadcast-multi-process.js: a sender
-- bound to the first non-internal IPv4 address, with broadcast on, sends
-- four messages to 255.255.255.255; three listeners sharing the port
-- (reuseAddr) each receive all four from that address, then close.
--
-- Node forks three child processes as listeners and counts what they
-- report over IPC. Here the listeners are three sockets in the same
-- process ("workers" below keep Node's bookkeeping), running in a child
-- lua5.4 inside a network namespace of the spec's own, whose only
-- non-internal interface is a veth (10.200.0.1/24: RECIPES.md), so no
-- broadcast leaves this machine; the kernel loops each broadcast back to
-- the local listeners. common.PORT: the sender binds port 0 on its address
-- and the listeners bind the port it got. Node's 5 s TIMEOUT is the run()
-- watchdog; Node's extra 1 s wait before a child exits (for IPC) has no
-- counterpart.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local LOCAL_BROADCAST_HOST = "255.255.255.255"
local TIMEOUT = 5000
local messages = {
  "First message to send",
  "Second message to send",
  "Third message to send",
  "Fourth message to send",
}

-- Take the first non-internal interface as the address for binding.
local bindAddress = os.getenv("LAN_IPV4")
assert(bindAddress)

local workers = {}
local listeners = 3
local listening = 0
local i = 0
local done = 0
local PORT
local sendSocket

-- The child's code: one listening socket; `send` reports to the parent.
local function child(send)
  local receivedMessages = {}
  local listenSocket = dgram.createSocket({
    type = "udp4",
    reuseAddr = true,
  })

  listenSocket:on("message", function(buf, rinfo)
    -- Receive udp messages only sent from parent
    if rinfo.address ~= bindAddress then return end

    receivedMessages[#receivedMessages + 1] = buf

    send({ message = buf })

    if #receivedMessages == #messages then
      dgram.nextTick(function() listenSocket:close() end)
    end
  end)

  listenSocket:on("close", common.mustCall())

  listenSocket:on("listening", function() send({ listening = true }) end)

  listenSocket:bind(PORT)
end

-- Launch the listeners ("child processes").
local function launch()
  for _ = 1, listeners do
    local worker = { messagesReceived = {} }
    workers[#workers + 1] = worker

    child(common.mustCallAtLeast(function(msg)
      if msg.listening then
        listening = listening + 1

        if listening == listeners then
          -- All child process are listening, so start sending
          sendSocket.sendNext()
        end
      elseif msg.message then
        worker.messagesReceived[#worker.messagesReceived + 1] = msg.message

        if #worker.messagesReceived == #messages then
          done = done + 1
          worker.isDone = true
        end

        if done == listeners then
          for _, w in ipairs(workers) do
            local count = 0

            for _, buf in ipairs(w.messagesReceived) do
              for j = 1, #messages do
                if buf == messages[j] then
                  count = count + 1
                  break
                end
              end
            end

            assert(count == #messages, ("a listener received %d matching messages"):format(count))
          end
        end
      end
    end))
  end
end

sendSocket = dgram.createSocket({
  type = "udp4",
  reuseAddr = true,
})

-- Bind the address explicitly for sending
-- INADDR_BROADCAST to only one interface
sendSocket:bind(0, bindAddress)
sendSocket:on("listening", function()
  sendSocket:setBroadcast(true)
  PORT = sendSocket:address().port
  launch()
end)

sendSocket:on("close", common.mustCall())

function sendSocket.sendNext()
  i = i + 1
  local buf = messages[i]

  if not buf then
    pcall(sendSocket.close, sendSocket) -- Continue regardless of error.
    return
  end

  sendSocket:send(
    buf,
    0,
    #buf,
    PORT,
    LOCAL_BROADCAST_HOST,
    common.mustSucceed(function()
      dgram.nextTick(sendSocket.sendNext)
    end)
  )
end

common.run(TIMEOUT)
assert(done == listeners, "not every listener received every message")
]==]

describe("internet/test-dgram-broadcast-multi-process", function()
  it("three listeners receive every broadcast", function()
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
