/*
 * host.c: a small C host that embeds Lua and the dgram module, the way a
 * game does: it owns a libuv loop, hands it to the module before the first
 * require, and runs a frame loop that calls dgram.run("nowait") once per
 * frame. With "--module-loop" it lets the module make its loop and takes
 * it with dgram_get_loop instead.
 *
 *   host [--module-loop] script.lua
 *
 * The script runs once; the host then steps frames until the global
 * `done` is true (or 10,000 frames pass) and exits 0 if it is.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <uv.h>

#include "dgram.h"

#ifndef LUA_OK /* Lua 5.1 and LuaJIT */
#define LUA_OK 0
#endif

#define MAX_FRAMES 10000

static int frame(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "dgram");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "run");
  lua_pushliteral(L, "nowait");
  lua_call(L, 1, 0);
  lua_pop(L, 1);
  return 0;
}

int main(int argc, char **argv) {
  int module_loop = argc > 2 && strcmp(argv[1], "--module-loop") == 0;
  const char *script = argv[argc - 1];
  uv_loop_t own_loop, *loop = NULL;
  lua_State *L;
  int frames, done = 0, status = 1;
  struct timespec tick = {0, 1000000}; /* 1 ms: the host's frame time */

  if (argc < 2) {
    fprintf(stderr, "usage: host [--module-loop] script.lua\n");
    return 2;
  }
  L = luaL_newstate();
  luaL_openlibs(L);
  if (!module_loop) {
    uv_loop_init(&own_loop);
    loop = &own_loop;
    dgram_set_loop(L, loop);
  }
  if (luaL_dofile(L, script) != LUA_OK) {
    fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    goto out;
  }
  if (module_loop)
    loop = dgram_get_loop(L);
  printf("host: loop %s\n", module_loop ? "from the module" : "of the host");
  for (frames = 0; frames < MAX_FRAMES && !done; frames++) {
    lua_pushcfunction(L, frame);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
      fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
      goto out;
    }
    lua_getglobal(L, "done");
    done = lua_toboolean(L, -1);
    lua_pop(L, 1);
    nanosleep(&tick, NULL);
  }
  printf("host: %s after %d frames\n", done ? "done" : "not done", frames);
  status = done ? 0 : 1;
out:
  lua_close(L);
  if (!module_loop) {
    /* The module closed its handles with lua_close; run their close
     * callbacks, after which the host's loop closes cleanly. */
    uv_run(loop, UV_RUN_DEFAULT);
    if (uv_loop_close(loop) != 0) {
      fprintf(stderr, "host: uv_loop_close: handles left\n");
      status = 1;
    }
  }
  return status;
}
