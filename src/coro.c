/*
 * coro.c: what lua/dgram/coro.lua needs from C to suspend coroutines on
 * the loop: whether Lua runs inside one of the module's callbacks (where
 * the main thread cannot wait); resuming a coroutine, its error going
 * where a callback's goes; the hot path of receive(), where C resumes the
 * waiting coroutine with each datagram itself; and stopping a socket's
 * reads while its inbox is full (the kernel's receive buffer then holds
 * what comes).
 */
#include "udp.h"

/* core.in_callback() -> whether a callback of the module is running. */
static int coro_in_callback(lua_State *L) {
  lua_pushboolean(L, dg_ctx_up(L)->in_callback > 0);
  return 1;
}

void dg_coro_resume(dg_ctx *ctx, lua_State *L, lua_State *co, int nargs) {
  int status;
#if LUA_VERSION_NUM >= 504
  int nres;
  status = lua_resume(co, L, nargs, &nres);
#elif LUA_VERSION_NUM >= 502
  status = lua_resume(co, L, nargs);
#else
  status = lua_resume(co, nargs);
#endif
  if (status == LUA_OK || status == LUA_YIELD)
    return;
  lua_xmove(co, L, 1);
  luaL_traceback(L, co, NULL, 0);
  dg_fail(ctx, L);
}

/* Whether co is suspended in receive() on u: it yielded u's userdata. */
static int waits_on(lua_State *co, dg_udp *u) {
  return lua_status(co) == LUA_YIELD && lua_gettop(co) == 1 && lua_touserdata(co, 1) == u->box;
}

int dg_coro_deliver(lua_State *L, dg_udp *u, const char *data, size_t size,
                    const struct sockaddr *addr, unsigned flags) {
  lua_State *co;
  if (u->waiter == LUA_NOREF || u->listener_fn != u->inbox)
    return 0;
  dg_getref(L, u->waiter); /* keeps co alive while it runs */
  co = lua_tothread(L, -1);
  if (!waits_on(co, u) || !lua_checkstack(co, 4)) {
    lua_pop(L, 1);
    return 0;
  }
  lua_pop(co, 1);
  lua_pushlstring(co, data, size);
  dg_udp_push_rinfo(u->base.ctx, co, addr, size, flags);
  lua_pushboolean(co, 1); /* receive() tells C's resumes by this */
  dg_coro_resume(u->base.ctx, L, co, 3);
  lua_pop(L, 1);
  return 1;
}

/* core.resume(co, ...): resumes co, as the module resumes its waits (what
 * co yields stays on its stack, for dg_coro_deliver). */
static int coro_resume(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  lua_State *co = lua_tothread(L, 1);
  int nargs = lua_gettop(L) - 1;
  luaL_argcheck(L, co != NULL, 1, "coroutine expected");
  if (lua_status(co) == LUA_YIELD)
    lua_settop(co, 0); /* what it yielded */
  if (!lua_checkstack(co, nargs + 1))
    return luaL_error(L, "dgram: no stack left to resume a coroutine");
  lua_xmove(L, co, nargs);
  dg_coro_resume(ctx, L, co, nargs);
  return 0;
}

/* core.udp_wait(h, co, inbox): co waits in receive() on h; while it is
 * suspended there (it yielded h) and inbox is the socket's only listener,
 * C resumes it with each datagram. Returns whether C will (only a bound
 * socket receives). */
static int coro_udp_wait(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  lua_settop(L, 3);
  luaL_unref(L, LUA_REGISTRYINDEX, u->waiter);
  u->waiter = LUA_NOREF;
  u->inbox = lua_topointer(L, 3);
  if (lua_type(L, 2) == LUA_TTHREAD && u->anchor != LUA_NOREF) {
    lua_pushvalue(L, 2);
    u->waiter = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_pushboolean(L, u->waiter != LUA_NOREF);
  return 1;
}

/* core.udp_hold_back(h, on): on, the socket stops reading at the end of
 * its current receive batch (now, outside one); off, it reads again. */
static int coro_udp_hold_back(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  u->held_back = lua_toboolean(L, 2);
  if (!u->held_back) {
    dg_udp_read_again(u);
  } else if (u->busy == 0 && !u->paused) {
    dg_udp_reading_stop(u);
    u->paused = 1;
  }
  return 0;
}

void dg_coro_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"in_callback", coro_in_callback},
    {"udp_hold_back", coro_udp_hold_back},
    {"udp_wait", coro_udp_wait},
    {"resume", coro_resume},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
