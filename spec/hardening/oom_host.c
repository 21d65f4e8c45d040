/*
 * oom_host.c: out of memory at every step. Runs a script that uses every
 * kind of completion the module has (bind, receive, echo with a send
 * callback, a list sent to 'localhost' through the thread pool, timers,
 * an immediate, close), each time in a fresh lua_State whose allocator
 * fails: the first run counts the allocations (A), then run k fails the
 * k-th and the next (k = 1, 1 + STEP, ... <= A: two, as Lua collects
 * garbage and tries once more before it gives up), or with `persistent`
 * every allocation from the k-th on. Lua is told only through its own
 * "not enough memory" errors; the module must turn each into a Lua error
 * or a stashed callback error, never into a crash (a Lua panic aborts),
 * a hang, a handle left on the host's loop or a descriptor left open.
 *
 *   oom_host STEP [persistent]
 *
 * Prints "allocations A states N raised R completed C fds F0 F1".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  "local s = dgram.createSocket('udp4')\n"
  "local c, seen = nil, {}\n"
  "local t = dgram.setInterval(function() end, 1)\n"
  "s:on('message', function(msg, rinfo)\n"
  "  seen[#seen + 1] = rinfo\n"
  "  s:send(msg, rinfo.port, rinfo.address, function()\n"
  "    if #seen == 3 then s:close() end\n"
  "  end)\n"
  "end)\n"
  "s:bind(0, '127.0.0.1', function()\n"
  "  c = dgram.createSocket('udp4')\n"
  "  local replies = 0\n"
  "  c:on('message', function(msg)\n"
  "    replies = replies + 1\n"
  "    if replies == 3 then\n"
  "      c:close()\n"
  "      dgram.clearInterval(t)\n"
  "    end\n"
  "  end)\n"
  "  c:connect(s:address().port, 'localhost', function()\n"
  "    c:send(('ping'):rep(1000), function() end)\n"
  "    c:send({ 'a', 'b' })\n"
  "    c:send('x', 0, 1)\n"
  "  end)\n"
  "end)\n"
  "-- errors raised in one loop iteration: stashed, then raised one per run\n"
  "for i = 1, 3 do\n"
  "  dgram.setTimeout(function(n) error('raised by timer ' .. n) end, 0, i)\n"
  "end\n"
  "dgram.setImmediate(function() end)\n";

static size_t allocations, fail_at;
static int persistent;
/* Loop passes a state may take: as many as the run with no failure took,
 * four times over (a failure may leave sockets open for good). */
static int max_passes = 10000, passes_used;

/* Fails growth only: Lua assumes that freeing and shrinking never fail. */
static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  if (ptr == NULL || nsize > osize) {
    allocations++;
    if (fail_at != 0 && allocations >= fail_at && (persistent || allocations <= fail_at + 1))
      return NULL;
  }
  return realloc(ptr, nsize);
}

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

/* Calls dgram.run('nowait'); returns whether work is left (1 when it
 * raised). Counts the errors the script raises on purpose, and others. */
static int run_nowait(lua_State *L, int *timer_errors, int *other_errors) {
  int alive;
  lua_getglobal(L, "dgram_run");
  if (lua_type(L, -1) != LUA_TFUNCTION) {
    lua_pop(L, 1);
    (*other_errors)++;
    return 0;
  }
  lua_pushliteral(L, "nowait");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (msg != NULL && strstr(msg, "raised by timer") != NULL)
      (*timer_errors)++;
    else
      (*other_errors)++;
    lua_pop(L, 1);
    return 1;
  }
  alive = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return alive;
}

static void print_handle(uv_handle_t *h, void *arg) {
  (void)arg;
  fprintf(stderr, "oom:   left on the loop: %s%s\n", uv_handle_type_name(uv_handle_get_type(h)),
          uv_is_closing(h) ? " (closing)" : "");
}

/* One state; returns 1 when the script ran to its end as it does with
 * enough memory: no error but its own three. */
static int one_state(size_t k, int *failed) {
  uv_loop_t loop;
  lua_State *L;
  int i, clean = 1, timer_errors = 0, other_errors = 0;
  allocations = 0;
  fail_at = 0;
  L = lua_newstate(failing_alloc, NULL);
  if (L == NULL)
    return 0;
  luaL_openlibs(L);
  uv_loop_init(&loop);
  dgram_set_loop(L, &loop);
  /* dgram.run kept in a global before the failures start, so that the
   * host can drive the loop whatever the script got to. */
  if (luaL_dostring(L, "dgram_run = require('dgram').run") != LUA_OK) {
    fprintf(stderr, "oom: set-up failed: %s\n", lua_tostring(L, -1));
    *failed = 1;
  }
  allocations = 0;
  fail_at = k;
  if (luaL_dostring(L, script) != LUA_OK) {
    lua_pop(L, 1);
    clean = 0;
  }
  /* Until no work is left (the script closes everything when it gets
   * to its end), or a bounded number of passes when a failure broke it. */
  for (i = 0; i < max_passes; i++) {
    if (!run_nowait(L, &timer_errors, &other_errors))
      break;
    usleep(100);
  }
  passes_used = i;
  if (i == max_passes || timer_errors != 3 || other_errors != 0)
    clean = 0;
  lua_close(L);
  fail_at = 0;
  uv_run(&loop, UV_RUN_DEFAULT); /* the module's close callbacks */
  if (uv_loop_close(&loop) != 0) {
    fprintf(stderr, "oom: uv_loop_close failed after failing allocation %zu\n", k);
    uv_walk(&loop, print_handle, NULL);
    *failed = 1;
  }
  return clean;
}

int main(int argc, char **argv) {
  size_t step = argc > 1 ? (size_t)atol(argv[1]) : 1, total, k;
  int states = 0, raised = 0, completed = 0, failed = 0, fds0, fds1;
  persistent = argc > 2 && strcmp(argv[2], "persistent") == 0;
  if (step == 0)
    step = 1;
  one_state(0, &failed); /* warm up: libraries loaded */
  fds0 = open_fds();
  if (!one_state(0, &failed)) {
    fprintf(stderr, "oom: the script fails with no failing allocation\n");
    return 1;
  }
  total = allocations;
  max_passes = 4 * passes_used + 20;
  for (k = 1; k <= total; k += step) {
    states++;
    if (one_state(k, &failed))
      completed++;
    else
      raised++;
  }
  fds1 = open_fds();
  printf("allocations %zu states %d raised %d completed %d fds %d %d\n", total, states, raised,
         completed, fds0, fds1);
  return failed;
}
