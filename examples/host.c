/*
 * host.c: a small C host that embeds Lua and the dgram module, the way a
 * game or a tool does, in each of the ways a host can run the module:
 *
 *   host script.lua                 hands the module its own uv_loop_t
 *                                   (dgram_set_loop) and calls
 *                                   dgram.run("nowait") once per frame
 *   host --module-loop script.lua   lets the module make its loop, takes it
 *                                   (dgram_get_loop), and calls
 *                                   dgram.run("nowait") once per frame
 *   host --uv-run script.lua        hands the module its loop and runs that
 *                                   loop itself, uv_run(UV_RUN_NOWAIT) once
 *                                   per frame: errors that callbacks raise go
 *                                   to dgram.setErrorHandler's handler
 *   host --fold script.lua          folds the module's own loop into its
 *                                   poll(2): dgram.backendFd() and
 *                                   dgram.backendTimeout() say when to call
 *                                   dgram.run("nowait")
 *
 * The script runs once; the host then steps until the global `done` is
 * true (or 10,000 frames pass) and exits 0 if it is. The host links Lua
 * dynamically, so the module finds Lua's API in the process.
 */
#include <poll.h>
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

enum mode { FRAMES, MODULE_LOOP, UV_RUN, FOLD };

/* dgram[name](arg) -> integer result (or 0); raises on error. */
static int call_dgram(lua_State *L) {
  const char *name = lua_tostring(L, 1);
  int result;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "dgram");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, name);
  lua_pushvalue(L, 2);
  lua_call(L, 1, 1);
  result = lua_isboolean(L, -1) ? lua_toboolean(L, -1) : (int)lua_tointeger(L, -1);
  lua_pushinteger(L, result);
  return 1;
}

/* Calls dgram[name](arg) protected; returns its result, or -2 on error. */
static int dgram_call(lua_State *L, const char *name, const char *arg) {
  int result;
  lua_pushcfunction(L, call_dgram);
  lua_pushstring(L, name);
  if (arg != NULL)
    lua_pushstring(L, arg);
  else
    lua_pushnil(L);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return -2;
  }
  result = (int)lua_tointeger(L, -1);
  lua_pop(L, 1);
  return result;
}

static int is_done(lua_State *L) {
  int done;
  lua_getglobal(L, "done");
  done = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return done;
}

/* One frame of the chosen mode; 0, or -1 to stop with a failure. */
static int frame(lua_State *L, enum mode mode, uv_loop_t *loop) {
  struct timespec tick = {0, 1000000}; /* 1 ms: the host's frame time */
  struct pollfd pfd;
  switch (mode) {
  case FRAMES:
  case MODULE_LOOP:
    if (dgram_call(L, "run", "nowait") == -2)
      return -1;
    break;
  case UV_RUN:
    uv_run(loop, UV_RUN_NOWAIT);
    break;
  case FOLD:
    /* Wait for the module's loop, then let it handle what came. */
    pfd.fd = dgram_call(L, "backendFd", NULL);
    pfd.events = POLLIN;
    poll(&pfd, 1, dgram_call(L, "backendTimeout", NULL));
    if (dgram_call(L, "run", "nowait") == -2)
      return -1;
    return 0;
  }
  nanosleep(&tick, NULL);
  return 0;
}

int main(int argc, char **argv) {
  static const char *const flags[] = {"", "--module-loop", "--uv-run", "--fold"};
  enum mode mode = FRAMES;
  const char *script = argv[argc - 1];
  uv_loop_t own_loop, *loop = NULL;
  lua_State *L;
  int frames, i, status = 1;

  if (argc < 2) {
    fprintf(stderr, "usage: host [--module-loop | --uv-run | --fold] script.lua\n");
    return 2;
  }
  for (i = 1; argc > 2 && i < 4; i++)
    if (strcmp(argv[1], flags[i]) == 0)
      mode = (enum mode)i;
  L = luaL_newstate();
  luaL_openlibs(L);
  if (mode == FRAMES || mode == UV_RUN) {
    uv_loop_init(&own_loop);
    loop = &own_loop;
    dgram_set_loop(L, loop);
  }
  if (luaL_dofile(L, script) != LUA_OK) {
    fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    goto out;
  }
  if (mode == MODULE_LOOP)
    loop = dgram_get_loop(L);
  printf("host: %s\n", mode == FRAMES      ? "loop of the host, dgram.run each frame"
                       : mode == MODULE_LOOP ? "loop from the module, dgram.run each frame"
                       : mode == UV_RUN      ? "loop of the host, uv_run each frame"
                                             : "the module's loop folded into poll(2)");
  for (frames = 0; frames < MAX_FRAMES && !is_done(L); frames++)
    if (frame(L, mode, loop) != 0)
      goto out;
  printf("host: %s after %d frames\n", is_done(L) ? "done" : "not done", frames);
  status = is_done(L) ? 0 : 1;
out:
  lua_close(L);
  if (mode == FRAMES || mode == UV_RUN) {
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
