-- Folded mode in Neovim: listeners run inside the pump's vim.loop callback
-- (fast events: Neovim's API raises E5560), and what they raise comes out
-- of dgram.run() into pump.onError. The pump stops by itself once the
-- module has nothing left; Neovim then exits by itself.
local pump = dofile("examples/nvim/pump.lua")
local t = dofile("spec/hosts/nvim/common.lua")

local raised = {}
local errors = {}
pump.onError = function(err)
  errors[#errors + 1] = err
end

t.selfSender(3, function(s, i)
  t.check(vim.in_fast_event(), "a listener is not a fast event")
  if i == 1 then
    vim.api.nvim_buf_set_lines(0, 0, -1, false, { "x" }) -- raises E5560
  elseif i == 2 then
    error(raised)
  else
    s:close()
  end
end)
pump.start()

local function whenStopped()
  if pump.running() then
    return vim.defer_fn(whenStopped, 10)
  end
  if t.check(#errors == 2 and tostring(errors[1]):find("E5560", 1, true) and errors[2] == raised,
      "errors: " .. tostring(errors[1]) .. ", " .. tostring(errors[2])) then
    t.say("api in a listener: " .. tostring(errors[1]))
    t.say("pump stopped, 2 errors out of dgram.run()")
    t.finish(0)
  end
end
whenStopped()
