package = "dgram"
version = "0.1.0-1"
source = {
  url = "git+https://example.invalid/dgram.git",
  tag = "v0.1.0",
}
description = {
  summary = "Node.js's node:dgram UDP module for Lua 5.1 to 5.4 and LuaJIT, on libuv",
  detailed = [[
    createSocket, bind, send, connect, multicast and Node's events, with a
    loop driver (dgram.run) that runs libuv inside the Lua state.
  ]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.5",
}
external_dependencies = {
  LIBUV = { header = "uv.h", library = "uv" },
}
build = {
  type = "builtin",
  modules = {
    ["dgram.core"] = {
      sources = {
        "src/addr.c",
        "src/batch.c",
        "src/core.c",
        "src/coro.c",
        "src/dns.c",
        "src/errors.c",
        "src/gso.c",
        "src/handle.c",
        "src/host.c",
        "src/loop.c",
        "src/timer.c",
        "src/udp.c",
        "src/udp_gro.c",
        "src/udp_many.c",
        "src/udp_opts.c",
        "src/udp_send.c",
      },
      libraries = { "uv" },
      incdirs = { "$(LIBUV_INCDIR)" },
      libdirs = { "$(LIBUV_LIBDIR)" },
    },
    ["dgram"] = "lua/dgram.lua",
    ["dgram.abort"] = "lua/dgram/abort.lua",
    ["dgram.compat"] = "lua/dgram/compat.lua",
    ["dgram.coro"] = "lua/dgram/coro.lua",
    ["dgram.errors"] = "lua/dgram/errors.lua",
    ["dgram.events"] = "lua/dgram/events.lua",
    ["dgram.host"] = "lua/dgram/host.lua",
    ["dgram.js"] = "lua/dgram/js.lua",
    ["dgram.many"] = "lua/dgram/many.lua",
    ["dgram.socket"] = "lua/dgram/socket.lua",
    ["dgram.timers"] = "lua/dgram/timers.lua",
    ["dgram.validate"] = "lua/dgram/validate.lua",
  },
}
