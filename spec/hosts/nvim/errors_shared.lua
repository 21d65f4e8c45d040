-- Shared mode in Neovim: listeners run inside luv's callback wrapper, so
-- they are fast events and Neovim's API raises E5560 there (no abort);
-- errors they raise reach dgram.setErrorHandler's handler as raised.
local dgram = require "dgram"
dgram.useLoop(vim.loop)
local t = dofile("spec/hosts/nvim/common.lua")

local raised = {}
local handled = {}
dgram.setErrorHandler(function(err, traceback)
  handled[#handled + 1] = err
  t.check(type(traceback) == "string", "no traceback")
end)

t.selfSender(3, function(s, i)
  if i == 1 then
    t.check(vim.in_fast_event(), "a listener is not a fast event")
    local ok, err = pcall(vim.api.nvim_buf_set_lines, 0, 0, -1, false, { "x" })
    t.check(not ok and tostring(err):find("E5560", 1, true), "the API did not raise E5560: " .. tostring(err))
    t.say("api in a listener: " .. tostring(err))
    error(raised)
  elseif i == 2 then
    error("second", 0)
  else
    s:close(function()
      if t.check(#handled == 2 and handled[1] == raised and handled[2] == "second", "handled " .. #handled) then
        t.say("handled 2 errors")
        t.finish(0)
      end
    end)
  end
end)
