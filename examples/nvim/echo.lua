-- The echo both Neovim examples run, whichever loop carries dgram: a server
-- and a client pass N datagrams (DGRAM_N, 10), then both close and Neovim
-- quits.
return function(dgram)
  local N = tonumber(os.getenv("DGRAM_N")) or 10
  local server = dgram.createSocket("udp4")
  local client = dgram.createSocket("udp4")
  local sent, echoed = 0, 0

  server:on("message", function(msg, rinfo)
    server:send(msg, rinfo.port, rinfo.address)
  end)

  local function sendNext()
    if sent < N then
      sent = sent + 1
      client:send("datagram " .. sent, server:address().port, "127.0.0.1")
    end
  end

  client:on("message", function()
    echoed = echoed + 1
    if echoed < N then
      return sendNext()
    end
    client:close()
    server:close()
    -- Listeners run in a fast event: Neovim's API waits for vim.schedule.
    vim.schedule(function()
      print(("echoed %d of %d"):format(echoed, N))
      vim.cmd("qa!")
    end)
  end)

  server:bind(0, "127.0.0.1", function()
    client:bind(0, "127.0.0.1", function()
      for _ = 1, 16 do -- 16 in flight: a loopback socket drops a long burst
        sendNext()
      end
    end)
  end)
end
