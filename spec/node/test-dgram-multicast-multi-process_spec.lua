-- Port of test/internet/test-dgram-multicast-multi-process.js: a sender
-- (TTL 1, broadcast on, multicast TTL 1, multicast loopback on, default
-- multicast interface) sends four messages to 224.0.0.114; three
-- listeners sharing one port (reuseAddr) that joined the group each
-- receive all four, then drop the membership and close.
--
-- Node forks three child processes as listeners and counts what they
-- report over IPC. Here the listeners are three sockets in the same
-- process ("workers" below keep Node's bookkeeping: what each one
-- reported), running in a child lua5.4 inside a network namespace of the
-- spec's own (a veth interface with the IPv4 multicast route: RECIPES.md)
-- so that no multicast leaves this machine; the sender's copies come back
-- through multicast loopback. common.PORT: the first listener binds port
-- 0, the others bind the port it got. Node's 5 s TIMEOUT is the run()
-- watchdog; Node's extra 1 s wait before a child exits (for IPC) has no
-- counterpart.
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local LOCAL_BROADCAST_HOST = "224.0.0.114"
local LOCAL_HOST_IFADDR = "0.0.0.0"
local TIMEOUT = 5000
local messages = {
  "First message to send",
  "Second message to send",
  "Third message to send",
  "Fourth message to send",
}
local workers = {}
local listeners = 3
local listening, sendSocket, done
local PORT

-- The parent's worker.on('message') handler.
local function onWorkerMessage(worker, msg)
  if msg.listening then
    listening = listening + 1

    if listening == listeners then
      -- All child process are listening, so start sending.
      sendSocket.sendNext()
    end
    return
  end
  if msg.message then
    worker.messagesReceived[#worker.messagesReceived + 1] = msg.message

    if #worker.messagesReceived == #messages then
      done = done + 1
      worker.isDone = true
    end

    if done == listeners then
      for _, w in ipairs(workers) do
        local count = 0

        for _, buf in ipairs(w.messagesReceived) do
          for i = 1, #messages do
            if buf == messages[i] then
              count = count + 1
              break
            end
          end
        end

        assert(count == #messages, ("a listener received %d matching messages"):format(count))
      end
    end
  end
end

-- The child's code: one listening socket; `send` reports to the parent.
local function child(send, bindPort)
  local receivedMessages = {}
  local listenSocket = dgram.createSocket({
    type = "udp4",
    reuseAddr = true,
  })

  listenSocket:on("listening", function()
    listenSocket:addMembership(LOCAL_BROADCAST_HOST, LOCAL_HOST_IFADDR)

    listenSocket:on("message", function(buf, rinfo)
      receivedMessages[#receivedMessages + 1] = buf

      send({ message = buf })

      if #receivedMessages == #messages then
        -- :dropMembership() not strictly needed but here as a sanity check.
        listenSocket:dropMembership(LOCAL_BROADCAST_HOST)
        dgram.nextTick(function()
          listenSocket:close()
        end)
      end
    end)

    listenSocket:on("close", common.mustCall())
    send({ listening = true })
  end)

  listenSocket:bind(bindPort())
  return listenSocket
end

local function launchChildProcess()
  local worker = { messagesReceived = {} }
  workers[#workers + 1] = worker
  local onMessage = common.mustCallAtLeast(function(msg)
    onWorkerMessage(worker, msg)
  end)
  local first = #workers == 1
  worker.socket = child(onMessage, function()
    return first and 0 or PORT
  end)
  return worker
end

listening = 0
local i = 0
done = 0

-- Launch the listeners; the first one picks the port for all of them.
launchChildProcess()
workers[1].socket:once("listening", function()
  PORT = workers[1].socket:address().port
  for _ = 2, listeners do
    launchChildProcess()
  end
end)

sendSocket = dgram.createSocket("udp4")

-- The socket is actually created async now.
sendSocket:on("listening", function()
  sendSocket:setTTL(1)
  sendSocket:setBroadcast(true)
  sendSocket:setMulticastTTL(1)
  sendSocket:setMulticastLoopback(true)
  sendSocket:setMulticastInterface(LOCAL_HOST_IFADDR)
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

describe("internet/test-dgram-multicast-multi-process", function()
  it("three listeners receive every multicast message", function()
    local ns, why = common.netns(common.LAN_SETUP)
    if not ns then
      print("skipped: " .. why)
      pending(why)
      return
    end
    finally(function() ns:delete() end)
    common.checkChild(common.luaChild(BODY, { netns = ns }))
  end)
end)
