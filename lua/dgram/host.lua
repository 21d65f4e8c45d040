-- dgram.host: the module on a loop that dgram.run() does not run. useLoop
-- puts it on luv's loop; the error handler gets what listeners and
-- callbacks raise there (run() raises it when run() is the runner); and
-- backendFd/backendTimeout let a host fold the module's own loop into its
-- poll loop, calling run("nowait") when the descriptor is readable.
local core = require "dgram.core"
local errors = require "dgram.errors"

local M = {}

-- The text of any error value, whatever its __tostring does.
local function describe(err)
  if type(err) == "string" then return err end
  local ok, text = pcall(tostring, err)
  if ok and type(text) == "string" then return text end
  return "(a " .. type(err) .. " value whose __tostring raised)"
end

local function write(...)
  if io and io.stderr then
    io.stderr:write(...)
  else
    print(table.concat({ ... }))
  end
end

-- The default handler: the error and its traceback on stderr.
local function defaultHandler(err, traceback)
  write("dgram: uncaught error in a callback: ", describe(err), "\n",
    traceback or "stack traceback: (none)", "\n")
end

local handler = defaultHandler

-- setErrorHandler(fn): fn(err, traceback) gets each error raised by a
-- listener or callback on a loop that something other than dgram.run()
-- runs; nil restores the default.
function M.setErrorHandler(fn)
  if fn ~= nil and type(fn) ~= "function" then
    error(errors.ERR_INVALID_ARG_TYPE("fn", "function", fn))
  end
  handler = fn or defaultHandler
end

-- The report hook: C calls it with the error and the traceback taken where
-- it was raised. A handler that raises loses neither error.
function M.report(err, traceback)
  local ok, raised = pcall(handler, err, traceback)
  if not ok then
    write("dgram: the error handler raised: ", describe(raised), "\n")
    defaultHandler(err, traceback)
  end
end

-- useLoop(uv): every socket and timer of the module on luv's loop, so that
-- uv.run() drives both. Before the first socket or timer only.
function M.useLoop(uv)
  if type(uv) ~= "table" then
    error(errors.ERR_INVALID_ARG_TYPE("uv", "object", uv))
  end
  local loop, wrapper = core.luv_loop(uv.run)
  if loop == nil then
    error(errors.ERR_INVALID_ARG_VALUE("uv", uv, wrapper))
  end
  local status = core.use_loop(loop, wrapper)
  if status == core.errno.EBUSY then
    error(errors.ERR_INVALID_STATE("dgram.useLoop() must come before the module's first socket or timer"))
  elseif status == core.errno.EEXIST then
    error(errors.ERR_INVALID_STATE("dgram already runs on the loop its C host gave it (dgram_set_loop)"))
  end
end

M.backendFd = core.backend_fd
M.backendTimeout = core.backend_timeout

return M
