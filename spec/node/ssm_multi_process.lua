-- The body shared by the ports of test/internet's
-- test-dgram-multicast-ssm-multi-process.js (IPv4) and
-- test-dgram-multicast-ssmv6-multi-process.js (IPv6): Node's two files are
-- the same test for two families. Returns run(family, source, group, pending).
local common = require "common"

local BODY = [==[
local common = require "common"
local dgram = require "dgram"

local FAMILY = os.getenv("FAMILY")
local GROUP_ADDRESS = os.getenv("GROUP")
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

-- Take the first non-internal interface as the address for binding.
local sourceAddress = os.getenv("SOURCE")
assert(sourceAddress)

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
    type = FAMILY,
    reuseAddr = true,
  })

  listenSocket:on("listening", function()
    listenSocket:setMulticastLoopback(true)
    listenSocket:addSourceSpecificMembership(sourceAddress, GROUP_ADDRESS)

    listenSocket:on("message", function(buf, rinfo)
      receivedMessages[#receivedMessages + 1] = buf

      send({ message = buf })

      if #receivedMessages == #messages then
        -- :dropSourceSpecificMembership() not strictly needed,
        -- it is here as a sanity check.
        listenSocket:dropSourceSpecificMembership(sourceAddress, GROUP_ADDRESS)
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

sendSocket = dgram.createSocket(FAMILY)

-- The socket is actually created async now.
sendSocket:on("listening", function()
  sendSocket:setTTL(1)
  sendSocket:setBroadcast(true)
  sendSocket:setMulticastTTL(1)
  sendSocket:setMulticastLoopback(true)
  sendSocket:addSourceSpecificMembership(sourceAddress, GROUP_ADDRESS)
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
    GROUP_ADDRESS,
    common.mustSucceed(function()
      dgram.nextTick(sendSocket.sendNext)
    end)
  )
end

common.run(TIMEOUT)
assert(done == listeners, "not every listener received every message")
]==]

-- `pending` is busted's, from the spec (a required module has none).
local function run(family, source, group, pending)
  local ns, why = common.netns(common.LAN_SETUP)
  if not ns then
    print("skipped: " .. why)
    pending(why)
    return
  end
  local out, ok, code = common.luaChild(BODY, {
    netns = ns,
    env = { FAMILY = family, SOURCE = source, GROUP = group },
  })
  ns:delete()
  common.checkChild(out, ok, code)
end

return run
