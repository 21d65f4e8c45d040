/*
 * churn_host.c: embedding churn. Creates and closes N lua_States (half on
 * a uv_loop_t of the host's own), each loading dgram and binding 10
 * sockets on 127.0.0.1 with a datagram in flight, then closes the state.
 * Prints the open fds and RSS before and after, and exits non-zero when a
 * host loop fails to close (uv_loop_close != 0) or a script fails.
 *
 *   churn_host N
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <uv.h>

#include "dgram.h"

#ifndef LUA_OK /* Lua 5.1 and LuaJIT */
#define LUA_OK 0
#endif

static const char script[] =
  "local dgram = require 'dgram'\n"
  "for i = 1, 10 do\n"
  "  local s = dgram.createSocket(i % 2 == 0 and 'udp4' or 'udp6')\n"
  "  s:bind(0, i % 2 == 0 and '127.0.0.1' or '::1', function()\n"
  "    s:send('x', s:address().port, i % 2 == 0 and '127.0.0.1' or '::1')\n"
  "  end)\n"
  "end\n"
  "dgram.run('nowait')\n"
  "dgram.run('nowait')\n";

static int open_fds(void) {
  int n = 0;
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  if (d == NULL)
    return -1;
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  closedir(d);
  return n - 1; /* the directory's own fd */
}

static long rss_kb(void) {
  char line[256];
  long kb = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, "VmRSS:", 6) == 0)
      kb = strtol(line + 6, NULL, 10);
  fclose(f);
  return kb;
}

static int one_state(int own_loop) {
  uv_loop_t loop;
  lua_State *L = luaL_newstate();
  int status = 0;
  luaL_openlibs(L);
  if (own_loop) {
    uv_loop_init(&loop);
    dgram_set_loop(L, &loop);
  }
  if (luaL_dostring(L, script) != LUA_OK) {
    fprintf(stderr, "churn: %s\n", lua_tostring(L, -1));
    status = 1;
  }
  lua_close(L);
  if (own_loop) {
    uv_run(&loop, UV_RUN_DEFAULT); /* the module's close callbacks */
    if (uv_loop_close(&loop) != 0) {
      fprintf(stderr, "churn: uv_loop_close failed: handles left on the host's loop\n");
      status = 1;
    }
  }
  return status;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int i, fds0, fds1;
  long rss0, rss1;
  one_state(0); /* warm up: libraries loaded, allocator pools made */
  one_state(1);
  fds0 = open_fds();
  rss0 = rss_kb();
  for (i = 0; i < n; i++)
    if (one_state(i % 2) != 0)
      return 1;
  fds1 = open_fds();
  rss1 = rss_kb();
  printf("states %d fds %d %d rss_kb %ld %ld\n", n, fds0, fds1, rss0, rss1);
  return 0;
}
