/*
 * timer.c: the "dgram.timer" userdata under lua/dgram/timers.lua, one
 * uv_timer_t each. A started timer holds its Lua callback in the registry,
 * which keeps the Lua Timeout alive until it fires or is stopped; the
 * callback runs through the invoke hook so nextTicks drain after it.
 */
#include <stdlib.h>

#include "core.h"

#define TIMER_MT "dgram.timer"

struct dg_timer {
  dg_handle base;        /* first: handle.data points here */
  uv_timer_t handle;
  int cb;                /* registry ref of the callback while started */
};

/* L NULL: the state is closing. */
static void timer_close(lua_State *L, dg_handle *h) {
  dg_timer *t = (dg_timer *)h;
  if (L != NULL && h->closed)
    return;
  h->closed = 1;
  dg_held_forget(h->ctx, t);
  if (L != NULL)
    luaL_unref(L, LUA_REGISTRYINDEX, t->cb);
  dg_handle_close_now(h, (uv_handle_t *)&t->handle);
}

static int timer_active(dg_handle *h) {
  return uv_is_active((uv_handle_t *)&((dg_timer *)h)->handle);
}

static const dg_handle_type timer_type = {TIMER_MT, timer_close, timer_active, DG_KIND_TIMER};

static dg_timer *timer_check(lua_State *L) {
  dg_timer *t = (dg_timer *)dg_handle_box(L, 1, &timer_type);
  luaL_argcheck(L, t != NULL && !t->base.closed, 1, "timer is closed");
  return t;
}

static void timer_fire(dg_timer *t) {
  dg_ctx *ctx = t->base.ctx;
  lua_State *L = ctx->L;
  if (L == NULL || t->cb == LUA_NOREF)
    return;
  dg_push_hook(ctx, L, DG_HOOK_INVOKE);
  dg_getref(L, t->cb);
  if (uv_timer_get_repeat(&t->handle) == 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, t->cb);
    t->cb = LUA_NOREF;
  }
  dg_pcall(ctx, L, 1);
}

static void replay_timer(dg_ctx *ctx, lua_State *L, dg_held *h) {
  (void)ctx;
  (void)L;
  timer_fire(h->owner);
}

/* While the loop is halted the firing waits for the next run(); a restart
 * or stop meanwhile forgets it. */
static void timer_cb(uv_timer_t *h) {
  dg_timer *t = h->data;
  dg_ctx *ctx = t->base.ctx;
  if (ctx->L != NULL && dg_must_hold(ctx) && t->cb != LUA_NOREF)
    dg_hold(ctx, replay_timer, t, 0);
  else
    timer_fire(t);
}

static int timer_new(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  dg_timer **box = lua_newuserdatauv(L, sizeof *box, 0), *t;
  *box = NULL;
  luaL_setmetatable(L, TIMER_MT);
  t = calloc(1, sizeof *t);
  if (t == NULL)
    return luaL_error(L, "dgram: out of memory");
  uv_timer_init(ctx->loop, &t->handle);
  t->handle.data = t;
  t->cb = LUA_NOREF;
  dg_handle_init(&t->base, &timer_type, ctx);
  *box = t;
  return 1;
}

/* core.timer_start(t, ms, repeat_ms, fn) */
static int timer_start(lua_State *L) {
  dg_timer *t = timer_check(L);
  lua_Integer ms = luaL_checkinteger(L, 2);
  lua_Integer repeat = luaL_checkinteger(L, 3);
  luaL_checktype(L, 4, LUA_TFUNCTION);
  lua_pushvalue(L, 4);
  dg_held_forget(t->base.ctx, t);
  luaL_unref(L, LUA_REGISTRYINDEX, t->cb);
  t->cb = luaL_ref(L, LUA_REGISTRYINDEX);
  /* Outside run() the loop's cached clock may be far behind: a script may
   * have worked for a while since it last ran. */
  if (!t->base.ctx->running)
    uv_update_time(t->base.ctx->loop);
  uv_timer_start(&t->handle, timer_cb, (uint64_t)ms, (uint64_t)repeat);
  return 0;
}

static int timer_stop(lua_State *L) {
  dg_timer *t = timer_check(L);
  uv_timer_stop(&t->handle);
  dg_held_forget(t->base.ctx, t);
  luaL_unref(L, LUA_REGISTRYINDEX, t->cb);
  t->cb = LUA_NOREF;
  return 0;
}

static int timer_ref(lua_State *L) {
  dg_timer *t = timer_check(L);
  if (lua_toboolean(L, 2))
    uv_ref((uv_handle_t *)&t->handle);
  else
    uv_unref((uv_handle_t *)&t->handle);
  return 0;
}

static int timer_close_l(lua_State *L) {
  dg_handle *h = dg_handle_box(L, 1, &timer_type);
  if (h != NULL)
    timer_close(L, h);
  return 0;
}

void dg_timer_open(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__gc", dg_handle_gc},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"timer_new", timer_new},
    {"timer_start", timer_start},
    {"timer_stop", timer_stop},
    {"timer_ref", timer_ref},
    {"timer_close", timer_close_l},
    {NULL, NULL}
  };
  if (luaL_newmetatable(L, TIMER_MT)) {
    luaL_setfuncs(L, meta, 0);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  dg_register(L, funcs);
}
