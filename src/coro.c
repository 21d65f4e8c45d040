/*
 * coro.c: what lua/dgram/coro.lua needs from C to suspend coroutines on
 * the loop: whether Lua runs inside one of the module's callbacks (where
 * the main thread cannot wait), where an error raised in a resumed
 * coroutine goes, and stopping a socket's reads while its inbox is full
 * (the kernel's receive buffer then holds what comes).
 */
#include "udp.h"

/* core.in_callback() -> whether a callback of the module is running. */
static int coro_in_callback(lua_State *L) {
  lua_pushboolean(L, dg_ctx_up(L)->in_callback > 0);
  return 1;
}

/* core.fail(err, traceback): as if a callback had raised err (dg_fail). */
static int coro_fail(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  lua_settop(L, 2);
  dg_fail(ctx, L);
  return 0;
}

void dg_coro_resume(dg_ctx *ctx, lua_State *L, lua_State *co, int nargs) {
  int status, nres;
#if LUA_VERSION_NUM >= 504
  status = lua_resume(co, L, nargs, &nres);
#elif LUA_VERSION_NUM >= 502
  status = lua_resume(co, L, nargs);
  nres = lua_gettop(co);
#else
  status = lua_resume(co, nargs);
  nres = lua_gettop(co);
#endif
  if (status == LUA_OK || status == LUA_YIELD) {
    lua_pop(co, nres);
    return;
  }
  lua_xmove(co, L, 1);
  luaL_traceback(L, co, NULL, 0);
  dg_fail(ctx, L);
}

/* core.udp_wait(h, co|nil): co waits in receive() on a bound socket whose
 * inbox is its only 'message' listener; C resumes it with the next
 * datagram, as the inbox would (nil: no longer). */
static int coro_udp_wait(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  lua_settop(L, 2);
  luaL_unref(L, LUA_REGISTRYINDEX, u->waiter);
  u->waiter = LUA_NOREF;
  if (lua_type(L, 2) == LUA_TTHREAD && u->anchor != LUA_NOREF && u->listener != LUA_NOREF)
    u->waiter = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* core.udp_hold_back(h, on): on, the socket stops reading at the end of
 * its current receive batch (now, outside one); off, it reads again. */
static int coro_udp_hold_back(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  u->held_back = lua_toboolean(L, 2);
  if (!u->held_back) {
    dg_udp_read_again(u);
  } else if (u->busy == 0 && !u->paused) {
    uv_udp_recv_stop(&u->handle);
    u->paused = 1;
  }
  return 0;
}

void dg_coro_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"in_callback", coro_in_callback},
    {"fail", coro_fail},
    {"udp_hold_back", coro_udp_hold_back},
    {"udp_wait", coro_udp_wait},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
