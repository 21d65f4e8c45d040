-- luacheck's configuration: `make test` checks lua/, spec/, examples/ and
-- bench/ with it before the specs (one result in the final count).

-- The module runs on Lua 5.1 to 5.4 and LuaJIT: the union of their globals.
std = "max"

-- Neovim's one global, for the scripts Neovim runs.
stds.nvim = { read_globals = { "vim" } }

-- Specs capture the module's warnings by replacing io.stderr for a while.
files["spec"] = { std = "+busted", globals = { io = { fields = { stderr = {} } } } }
files["examples/love"] = { std = "+love" }
files["spec/hosts/love"] = { std = "+love" }
files["examples/nvim"] = { std = "+nvim" }
files["spec/hosts/nvim"] = { std = "+nvim" }
-- examples/host.c steps the loop until the script sets the global `done`.
files["examples/host_script.lua"] = { globals = { "done" } }
files["spec/hosts/c"] = { globals = { "done" } }
