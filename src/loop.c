/*
 * loop.c: the loop driver. run(mode) runs libuv inside the Lua state and
 * raises, once uv_run returns, the first error a callback raised (the rest
 * wait for the next run()); stop, now, and a count of live handles that the
 * specs use to prove nothing was left open.
 *
 * Once a callback raised, no other user callback may run before run()
 * returns (Node reports the error before anything else runs), but libuv
 * finishes its pass: completions that arrive meanwhile are held here and
 * replayed, in order, by the next run() before the loop runs again, or by
 * whatever runs the loop instead (dg_must_hold). On a loop that run() does
 * not run, nothing is held: errors go to the error handler (core.c).
 */
#include <stdlib.h>

#include "core.h"

dg_held *dg_hold(dg_ctx *ctx, dg_replay_fn replay, void *owner, size_t extra) {
  dg_held *h = malloc(sizeof *h + extra);
  if (h == NULL)
    return NULL;
  h->next = NULL;
  h->replay = replay;
  h->owner = owner;
  *ctx->held_tail = h;
  ctx->held_tail = &h->next;
  return h;
}

void dg_held_forget(dg_ctx *ctx, void *owner) {
  dg_held **p = &ctx->held;
  while (*p != NULL) {
    dg_held *h = *p;
    if (h->owner == owner) {
      *p = h->next;
      free(h);
    } else {
      p = &h->next;
    }
  }
  ctx->held_tail = p;
}

void dg_held_free(dg_ctx *ctx) {
  while (ctx->held != NULL) {
    dg_held *h = ctx->held;
    ctx->held = h->next;
    free(h);
  }
  ctx->held_tail = &ctx->held;
}

/* Replays held completions until none is left or one raises again. Each
 * is unlinked first: its callback may close its owner, which forgets the
 * owner's other entries. */
void dg_replay_held(dg_ctx *ctx, lua_State *L) {
  ctx->replaying = 1;
  while (!ctx->halted && ctx->held != NULL) {
    dg_held *h = ctx->held;
    ctx->held = h->next;
    if (ctx->held == NULL)
      ctx->held_tail = &ctx->held;
    h->replay(ctx, L, h);
    free(h);
  }
  ctx->replaying = 0;
}

int dg_take_stashed(dg_ctx *ctx, lua_State *L) {
  if (ctx->nerrors == 0) {
    if (ctx->lost_errors == 0)
      return 0;
    ctx->lost_errors--; /* see dg_pcall */
    lua_pushliteral(L, "not enough memory");
    lua_pushnil(L);
    return 1;
  }
  dg_getref(L, ctx->errors_ref);
  lua_rawgeti(L, -1, ctx->errors_first);
  lua_pushnil(L);
  lua_rawseti(L, -3, ctx->errors_first);
  lua_remove(L, -2);
  if (lua_touserdata(L, -1) == &dg_nil_error) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
  dg_getref(L, ctx->tracebacks_ref);
  lua_rawgeti(L, -1, ctx->errors_first);
  lua_pushnil(L);
  lua_rawseti(L, -3, ctx->errors_first);
  lua_remove(L, -2);
  if (--ctx->nerrors == 0)
    ctx->errors_first = 1;
  else
    ctx->errors_first++;
  return 1;
}

/* [-0, +0, e] Raises the oldest stashed callback error, if any: the very
 * value raised. A string that nothing in Lua catches is about to end the
 * script (or reach its host), whose report shows only where run() was
 * called: it goes with the traceback of where the callback raised it. */
static void raise_stashed(dg_ctx *ctx, lua_State *L) {
  if (!dg_take_stashed(ctx, L))
    return;
  if (lua_type(L, -2) == LUA_TSTRING && lua_isstring(L, -1) && !dg_caught_in_lua(ctx, L)) {
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  } else {
    lua_pop(L, 1);
  }
  lua_error(L);
}

/* A callback raised out of run(), and something else runs the loop now
 * (luv's uv.run(), a host's uv_run): nothing would ever replay what waits
 * for the next run(). Hand it over: the errors to the handler, in the
 * order they were raised, then the held completions, then reading again. */
int dg_must_hold(dg_ctx *ctx) {
  lua_State *L = ctx->L;
  if (!ctx->halted)
    return 0;
  if (ctx->running || L == NULL)
    return 1;
  ctx->halted = 0;
  while (dg_take_stashed(ctx, L))
    dg_report(ctx, L);
  dg_replay_held(ctx, L);
  dg_udp_resume(ctx);
  return 0;
}

int dg_loop_run(lua_State *L) {
  static const char *const modes[] = {"default", "once", "nowait", NULL};
  static const uv_run_mode uv_modes[] = {UV_RUN_DEFAULT, UV_RUN_ONCE, UV_RUN_NOWAIT};
  dg_ctx *ctx = dg_ctx_up(L);
  int mode = luaL_checkoption(L, 1, "default", modes);
  ctx->driven = 1;
  if (ctx->running || ctx->in_callback > 0) /* in one of its callbacks */
    return luaL_error(L, "dgram.run: the loop is already running");
  if (ctx->ticks_pending) { /* queued outside any callback: first */
    dg_push_hook(ctx, L, DG_HOOK_DRAIN);
    lua_call(L, 0, 0);
  }
  raise_stashed(ctx, L);
  /* The message handler of every callback run() makes (pcall_once). */
  dg_push_cfn(ctx, L, DG_CFN_TRACEBACK);
  ctx->run_thread = L;
  ctx->run_msgh = lua_gettop(L);
  ctx->halted = 0;
  ctx->running = 1;
  dg_replay_held(ctx, L);
  if (!ctx->halted) {
    dg_udp_resume(ctx);
    uv_run(ctx->loop, uv_modes[mode]);
  }
  ctx->running = 0;
  ctx->run_thread = NULL;
  raise_stashed(ctx, L);
  lua_pushboolean(L, uv_loop_alive(ctx->loop));
  return 1;
}

static int loop_stop(lua_State *L) {
  uv_stop(dg_ctx_up(L)->loop);
  return 0;
}

static int loop_now(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)uv_now(dg_ctx_up(L)->loop));
  return 1;
}

static int loop_update_time(lua_State *L) {
  uv_update_time(dg_ctx_up(L)->loop);
  return 0;
}

static int loop_pending_errors(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  lua_pushinteger(L, ctx->nerrors + ctx->lost_errors);
  return 1;
}

/* core.open_handles() -> handles not yet freed, handles keeping the loop
 * alive: what the specs check after each run (a debug aid). */
static int loop_open_handles(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  lua_pushinteger(L, ctx->live_handles);
  lua_pushinteger(L, dg_handles_active(ctx));
  return 2;
}

/* core.close_all(): closes every socket and timer of this state, so that a
 * spec that failed halfway leaves nothing behind for the next one. */
static int loop_close_all(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  dg_handles_close_all(L, ctx);
  return 0;
}

void dg_loop_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"run", dg_loop_run},
    {"stop", loop_stop},
    {"now", loop_now},
    {"update_time", loop_update_time},
    {"pending_errors", loop_pending_errors},
    {"open_handles", loop_open_handles},
    {"close_all", loop_close_all},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
