/*
 * core.c: luaopen_dgram_core. Builds the per-state context (main thread,
 * loop, receive slab, hooks, stashed callback errors), calls every file's
 * opener, and implements the embedding API of dgram.h. The context is plain
 * malloc'd memory with a reference count, because libuv may call back into
 * it after the Lua state has closed (a host's loop outlives the state).
 */
#define _GNU_SOURCE /* dladdr */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#ifdef DG_COMPAT_PIN_LIBRARY
#include <dlfcn.h>
#endif

/* Registry key of the context's box (light userdata &ctx_key). */
static char ctx_key = 0;
static const char host_loop_key[] = "dgram.host_loop";
/* Registry key of the Lua function that makes the error raised once the
 * context is gone; not kept in the context, which is gone then. */
static const char closed_error_key[] = "dgram.closed_error";

/* libuv's recvmmsg reads up to 20 datagrams of up to 64 KiB into one
 * buffer, and spins without reading when it is smaller than 64 KiB. */
#define DG_SLAB_SIZE (20 * 64 * 1024)

void dg_ctx_hold(dg_ctx *ctx) { ctx->refs++; }

void dg_ctx_release(dg_ctx *ctx) {
  if (--ctx->refs > 0)
    return;
  free(ctx->slab);
  free(ctx);
}

dg_ctx *dg_ctx_up_or_null(lua_State *L) {
  return *(dg_ctx **)lua_touserdata(L, lua_upvalueindex(1));
}

dg_ctx *dg_ctx_up(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up_or_null(L);
  if (ctx != NULL)
    return ctx;
  if (lua_getfield(L, LUA_REGISTRYINDEX, closed_error_key) == LUA_TFUNCTION) {
    lua_call(L, 0, 1);
    lua_error(L);
  }
  luaL_error(L, "dgram: the Lua state is closing");
  return NULL;
}

int dg_push_fail(lua_State *L, int err) {
  lua_pushnil(L);
  lua_pushinteger(L, err);
  return 2;
}

void dg_push_hook(dg_ctx *ctx, lua_State *L, enum dg_hook h) {
  dg_getref(L, ctx->hooks[h]);
}

/* Stands for nil in the list of stashed errors (a nil can't be stored). */
char dg_nil_error;

/* (list, index, value): list[index] = value, which may grow the list. */
static int stash_error(lua_State *L) {
  lua_settop(L, 3);
  lua_rawseti(L, 1, lua_tointeger(L, 2));
  return 0;
}

void dg_pcall(dg_ctx *ctx, lua_State *L, int nargs) {
  if (lua_pcall(L, nargs, 0, 0) == LUA_OK)
    return;
  /* Keep the value intact (no traceback): run() raises it as it is. */
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushlightuserdata(L, &dg_nil_error);
  }
  /* Growing the list allocates: protected, as no error may unwind through
   * libuv. If even that fails, run() raises "not enough memory" for it. */
  dg_push_cfn(ctx, L, DG_CFN_STASH);
  dg_getref(L, ctx->errors_ref);
  lua_pushinteger(L, ctx->errors_first + ctx->nerrors);
  lua_rotate(L, -4, -1); /* stash_error list index value */
  if (lua_pcall(L, 3, 0, 0) == LUA_OK) {
    ctx->nerrors++;
  } else {
    lua_pop(L, 1);
    ctx->lost_errors++;
  }
  ctx->halted = 1;
  if (!ctx->replaying) /* else uv_run is not running: nothing to stop */
    uv_stop(ctx->loop);
}

void dg_keep_cfn(dg_ctx *ctx, lua_State *L, enum dg_cfn which, lua_CFunction f) {
  if (ctx->cfns[which] != LUA_NOREF)
    return;
  lua_pushcfunction(L, f);
  ctx->cfns[which] = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* [-0, +1, -] Pushes the context's box, or nil before the first load. */
static int push_ctx_box(lua_State *L) {
  lua_pushlightuserdata(L, &ctx_key);
  return lua_rawget(L, LUA_REGISTRYINDEX);
}

dg_ctx *dg_ctx_loaded(lua_State *L) {
  dg_ctx **box;
  push_ctx_box(L);
  box = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return box != NULL ? *box : NULL;
}

void dg_register(lua_State *L, const luaL_Reg *l) {
  push_ctx_box(L);
  for (; l->name != NULL; l++) {
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, l->func, 1);
    lua_setfield(L, -3, l->name);
  }
  lua_pop(L, 1);
}

static void immediate_check_cb(uv_check_t *check) {
  dg_ctx *ctx = check->data;
  lua_State *L = ctx->L;
  if (L == NULL || ctx->halted) /* the queue waits for the next run() */
    return;
  dg_push_hook(ctx, L, DG_HOOK_IMMEDIATE);
  dg_pcall(ctx, L, 0);
}

static void immediate_idle_cb(uv_idle_t *idle) { (void)idle; }

static void ctx_handle_close_cb(uv_handle_t *h) { dg_ctx_release(h->data); }

/* The Lua state is closing: close every handle without calling Lua, and on
 * a loop of our own run it until everything is released. */
static int ctx_gc(lua_State *L) {
  dg_ctx **box = lua_touserdata(L, 1);
  dg_ctx *ctx = *box;
  if (ctx == NULL)
    return 0;
  *box = NULL;
  ctx->L = NULL;
  dg_batch_free(ctx);
  dg_held_free(ctx);
  dg_udp_teardown(ctx);
  dg_handles_teardown(ctx);
  uv_close((uv_handle_t *)&ctx->immediate_check, ctx_handle_close_cb);
  uv_close((uv_handle_t *)&ctx->immediate_idle, ctx_handle_close_cb);
  if (ctx->owns_loop) {
    /* The loop lives inside ctx, which the state's own reference keeps. */
    while (uv_run(ctx->loop, UV_RUN_DEFAULT) != 0)
      ;
    uv_loop_close(ctx->loop);
  }
  dg_ctx_release(ctx);
  return 0;
}

/* [-0, +1, e] Pushes the context box, creating the context on first use. */
static dg_ctx *ctx_get(lua_State *L) {
  dg_ctx *ctx, **box;
  int h;
  if (push_ctx_box(L) == LUA_TUSERDATA)
    return *(dg_ctx **)lua_touserdata(L, -1);
  lua_pop(L, 1);
  box = lua_newuserdatauv(L, sizeof *box, 0);
  *box = NULL;
  lua_newtable(L);
  lua_pushcfunction(L, ctx_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  ctx = calloc(1, sizeof *ctx);
  if (ctx == NULL || (ctx->slab = malloc(DG_SLAB_SIZE)) == NULL) {
    free(ctx);
    luaL_error(L, "dgram: out of memory");
  }
  ctx->slab_size = DG_SLAB_SIZE;
  ctx->no_try_send = getenv("DGRAM_TEST_NO_TRY_SEND") != NULL;
  ctx->refs = 1;
  ctx->L = dg_compat_mainthread(L);
  lua_getfield(L, LUA_REGISTRYINDEX, host_loop_key);
  ctx->loop = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (ctx->loop == NULL) {
    int err = uv_loop_init(&ctx->own_loop);
    if (err != 0) {
      free(ctx->slab);
      free(ctx);
      luaL_error(L, "dgram: uv_loop_init: %s", uv_strerror(err));
    }
    ctx->loop = &ctx->own_loop;
    ctx->owns_loop = 1;
  }
  for (h = 0; h < DG_HOOK_COUNT; h++)
    ctx->hooks[h] = LUA_NOREF;
  for (h = 0; h < DG_CFN_COUNT; h++)
    ctx->cfns[h] = LUA_NOREF;
  ctx->udp_mt = ctx->bound_ref = ctx->peer_ref = ctx->pending_ref = LUA_NOREF;
  lua_newtable(L);
  ctx->errors_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  ctx->errors_first = 1;
  ctx->held_tail = &ctx->held;
  uv_check_init(ctx->loop, &ctx->immediate_check);
  uv_idle_init(ctx->loop, &ctx->immediate_idle);
  ctx->immediate_check.data = ctx->immediate_idle.data = ctx;
  ctx->refs += 2;
  *box = ctx;
  lua_pushlightuserdata(L, &ctx_key);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return ctx;
}

/* core.set_hooks{invoke=, message=, recverror=, immediate=, drain=,
 * closed=}: closed() makes the error raised once the context is gone. */
static int core_set_hooks(lua_State *L) {
  static const char *const names[DG_HOOK_COUNT] = {
    "invoke", "message", "recverror", "immediate", "drain"
  };
  dg_ctx *ctx = dg_ctx_up(L);
  int h;
  luaL_checktype(L, 1, LUA_TTABLE);
  for (h = 0; h < DG_HOOK_COUNT; h++) {
    lua_getfield(L, 1, names[h]);
    luaL_checktype(L, -1, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, ctx->hooks[h]);
    ctx->hooks[h] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_getfield(L, 1, "closed");
  luaL_checktype(L, -1, LUA_TFUNCTION);
  lua_setfield(L, LUA_REGISTRYINDEX, closed_error_key);
  return 0;
}

/* core.ticks_pending(on): Lua says when its nextTick queue fills and
 * empties, so that C calls drain() only when there is something to run. */
static int core_ticks_pending(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up_or_null(L);
  if (ctx != NULL)
    ctx->ticks_pending = lua_toboolean(L, 1);
  return 0;
}

/* core.immediate_active(on): the check handle runs the setImmediate queue;
 * the idle handle keeps the poll phase from blocking meanwhile. */
static int core_immediate_active(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up_or_null(L);
  if (ctx == NULL)
    return 0;
  if (lua_toboolean(L, 1)) {
    uv_check_start(&ctx->immediate_check, immediate_check_cb);
    uv_idle_start(&ctx->immediate_idle, immediate_idle_cb);
  } else {
    uv_check_stop(&ctx->immediate_check);
    uv_idle_stop(&ctx->immediate_idle);
  }
  return 0;
}

/* core.immediate_ref(on): unref'd immediates don't keep run() going. */
static int core_immediate_ref(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up_or_null(L);
  if (ctx == NULL)
    return 0;
  if (lua_toboolean(L, 1)) {
    uv_ref((uv_handle_t *)&ctx->immediate_check);
    uv_ref((uv_handle_t *)&ctx->immediate_idle);
  } else {
    uv_unref((uv_handle_t *)&ctx->immediate_check);
    uv_unref((uv_handle_t *)&ctx->immediate_idle);
  }
  return 0;
}

DGRAM_API int dgram_set_loop(lua_State *L, uv_loop_t *loop) {
  int loaded = push_ctx_box(L) != LUA_TNIL;
  lua_pop(L, 1);
  if (loaded)
    return -1;
  lua_pushlightuserdata(L, loop);
  lua_setfield(L, LUA_REGISTRYINDEX, host_loop_key);
  return 0;
}

DGRAM_API uv_loop_t *dgram_get_loop(lua_State *L) {
  dg_ctx *ctx = dg_ctx_loaded(L);
  return ctx != NULL ? ctx->loop : NULL;
}

#ifdef DG_COMPAT_PIN_LIBRARY
/* A reference to this library that is never dropped (compat.h says why). */
static void pin_library(void) {
  static const char anchor = 0;
  Dl_info info;
  if (dladdr(&anchor, &info) != 0 && info.dli_fname != NULL)
    (void)dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE);
}
#endif

DGRAM_API int luaopen_dgram_core(lua_State *L) {
  static const dg_opener openers[] = {
    dg_loop_open, dg_addr_open, dg_udp_open, dg_udp_send_open, dg_udp_opts_open,
    dg_dns_open, dg_timer_open, dg_errors_open, NULL
  };
  static const luaL_Reg funcs[] = {
    {"set_hooks", core_set_hooks},
    {"immediate_active", core_immediate_active},
    {"immediate_ref", core_immediate_ref},
    {"ticks_pending", core_ticks_pending},
    {NULL, NULL}
  };
  const dg_opener *open;
  dg_ctx *ctx;
#ifdef DG_COMPAT_PIN_LIBRARY
  pin_library();
#endif
  ctx = ctx_get(L);
  lua_pop(L, 1);
  dg_keep_cfn(ctx, L, DG_CFN_STASH, stash_error);
  lua_newtable(L);
  dg_register(L, funcs);
  for (open = openers; *open != NULL; open++)
    (*open)(L);
  return 1;
}
