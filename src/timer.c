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
  uv_timer_t handle;     /* handle.data == this */
  dg_ctx *ctx;
  dg_timer *prev, *next; /* ctx->timers until uv_close, then ctx->closed_timers */
  int cb;                /* registry ref of the callback while started */
  unsigned closed : 1;
  /* As a socket's (udp.h): freed once the handle closed and the userdata
   * was collected, or the state is closing. */
  unsigned collected : 1;
  unsigned handle_closed : 1;
};

static void timer_close_cb(uv_handle_t *h) {
  dg_timer *t = h->data;
  dg_ctx *ctx = t->ctx;
  ctx->live_handles--;
  if (t->collected || ctx->L == NULL) {
    free(t);
  } else {
    t->handle_closed = 1;
    DG_LIST_PUSH(ctx->closed_timers, t);
  }
  dg_ctx_release(ctx);
}

/* L may be NULL when the state is closing. */
static void timer_close(lua_State *L, dg_timer *t) {
  dg_ctx *ctx = t->ctx;
  if (t->closed)
    return;
  t->closed = 1;
  dg_held_forget(ctx, t);
  DG_LIST_UNLINK(ctx->timers, t);
  if (L != NULL)
    luaL_unref(L, LUA_REGISTRYINDEX, t->cb);
  uv_close((uv_handle_t *)&t->handle, timer_close_cb);
}

void dg_timer_teardown(dg_ctx *ctx) {
  while (ctx->closed_timers != NULL) { /* userdata never finalized */
    dg_timer *t = ctx->closed_timers;
    ctx->closed_timers = t->next;
    free(t);
  }
  while (ctx->timers != NULL)
    timer_close(NULL, ctx->timers);
}

void dg_timer_close_all(lua_State *L, dg_ctx *ctx) {
  while (ctx->timers != NULL)
    timer_close(L, ctx->timers);
}

int dg_timer_active(dg_ctx *ctx) {
  int n = 0;
  dg_timer *t;
  for (t = ctx->timers; t != NULL; t = t->next)
    n += uv_is_active((uv_handle_t *)&t->handle);
  return n;
}

static dg_timer *timer_check(lua_State *L) {
  dg_timer *t = *(dg_timer **)luaL_checkudata(L, 1, TIMER_MT);
  luaL_argcheck(L, t != NULL && !t->closed, 1, "timer is closed");
  return t;
}

static void timer_fire(dg_timer *t) {
  dg_ctx *ctx = t->ctx;
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
  if (t->ctx->halted && t->ctx->L != NULL && t->cb != LUA_NOREF)
    dg_hold(t->ctx, replay_timer, t, 0);
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
  t->ctx = ctx;
  t->cb = LUA_NOREF;
  DG_LIST_PUSH(ctx->timers, t);
  ctx->live_handles++;
  dg_ctx_hold(ctx);
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
  dg_held_forget(t->ctx, t);
  luaL_unref(L, LUA_REGISTRYINDEX, t->cb);
  t->cb = luaL_ref(L, LUA_REGISTRYINDEX);
  /* Outside run() the loop's cached clock may be far behind: a script may
   * have worked for a while since it last ran. */
  if (!t->ctx->running)
    uv_update_time(t->ctx->loop);
  uv_timer_start(&t->handle, timer_cb, (uint64_t)ms, (uint64_t)repeat);
  return 0;
}

static int timer_stop(lua_State *L) {
  dg_timer *t = timer_check(L);
  uv_timer_stop(&t->handle);
  dg_held_forget(t->ctx, t);
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

static int timer_has_ref(lua_State *L) {
  lua_pushboolean(L, uv_has_ref((uv_handle_t *)&timer_check(L)->handle));
  return 1;
}

static int timer_close_l(lua_State *L) {
  dg_timer *t = *(dg_timer **)luaL_checkudata(L, 1, TIMER_MT);
  if (t != NULL)
    timer_close(L, t);
  return 0;
}

static int timer_gc(lua_State *L) {
  dg_timer **box = luaL_checkudata(L, 1, TIMER_MT);
  dg_timer *t = *box;
  if (t == NULL)
    return 0;
  *box = NULL;
  t->collected = 1;
  if (t->handle_closed) { /* on ctx->closed_timers */
    dg_ctx *ctx = t->ctx;
    DG_LIST_UNLINK(ctx->closed_timers, t);
    free(t);
  } else
    timer_close(t->ctx->L != NULL ? L : NULL, t);
  return 0;
}

void dg_timer_open(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__gc", timer_gc},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"timer_new", timer_new},
    {"timer_start", timer_start},
    {"timer_stop", timer_stop},
    {"timer_ref", timer_ref},
    {"timer_has_ref", timer_has_ref},
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
