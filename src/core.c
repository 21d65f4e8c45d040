/*
 * core.c: luaopen_dgram_core. Builds the per-state context (main thread,
 * loop, receive slab, hooks, stashed callback errors), calls every file's
 * opener, and implements the embedding API of dgram.h. The context is plain
 * malloc'd memory with a reference count, because libuv may call back into
 * it after the Lua state has closed (a host's loop outlives the state).
 * Every call into Lua goes through dg_pcall: inside run() an error is
 * stashed for run() to raise; on a loop that something else runs it goes
 * to the error handler. The context's own handles (immediates, ticks,
 * deferred closes) move with it when it changes loops (dg_ctx_use_loop).
 */
#define _GNU_SOURCE /* dladdr */
#include <stdio.h>
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

/* (list, index, value, tracebacks, traceback): list[index] = value and
 * tracebacks[index] = traceback, which may grow the lists. */
static int stash_error(lua_State *L) {
  lua_settop(L, 5);
  lua_rawseti(L, 4, lua_tointeger(L, 2));
  lua_settop(L, 3);
  lua_rawseti(L, 1, lua_tointeger(L, 2));
  return 0;
}

static void tick_prepare_cb(uv_prepare_t *prepare);

/* Registry key of the traceback of the error being handled. */
static char traceback_key;

/* [-0, +1, -] Pushes the traceback that dg_traceback_msgh filed (or nil)
 * and forgets it. */
static void take_traceback(lua_State *L) {
  lua_pushlightuserdata(L, &traceback_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &traceback_key);
  lua_pushnil(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

/* [-1, +1, -] Keeps the first `frames` lines of the traceback on top
 * (after its header), unless Lua already left some out in the middle. */
static void cut_traceback(lua_State *L, int frames) {
  const char *tb = lua_tostring(L, -1), *end = tb;
  if (tb == NULL || strstr(tb, "\n\t...") != NULL)
    return;
  for (; frames >= 0 && end != NULL; frames--)
    end = strchr(end + 1, '\n');
  if (end == NULL)
    return;
  lua_pushlstring(L, tb, (size_t)(end - tb));
  lua_remove(L, -2);
}

/* The message handler of every call into Lua: leaves the error as it is
 * (run() raises the very value) and files its traceback, taken where it was
 * raised, for whoever reports it. Inside run() the traceback stops at run():
 * whoever catches or prints what run() raises sees run()'s own frames. */
int dg_traceback_msgh(lua_State *L) {
  lua_Debug ar;
  int level, run_level = 0;
  for (level = 1; run_level == 0 && lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "f", &ar);
    if (lua_tocfunction(L, -1) == dg_loop_run)
      run_level = level;
    lua_pop(L, 1);
  }
  /* ... and leaves out the module's C functions that called the callback */
  for (level = run_level - 1; level > 1; level--) {
    lua_getstack(L, level, &ar);
    lua_getinfo(L, "S", &ar);
    if (strcmp(ar.what, "C") != 0)
      break;
  }
  lua_pushlightuserdata(L, &traceback_key);
  luaL_traceback(L, L, NULL, 1);
  if (run_level > 0)
    cut_traceback(L, level);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_settop(L, 1);
  return 1;
}

int dg_caught_in_lua(dg_ctx *ctx, lua_State *L) {
  lua_Debug ar;
  int level, caught = 0;
  if (L != ctx->L)
    return 1; /* a coroutine: its resume catches */
  dg_getref(L, ctx->catchers_ref);
  for (level = 1; !caught && lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "f", &ar);
    lua_rawgeti(L, -2, 1);
    lua_rawgeti(L, -3, 2);
    caught = lua_rawequal(L, -3, -2) || lua_rawequal(L, -3, -1);
    lua_pop(L, 3);
  }
  lua_pop(L, 1);
  return caught;
}

/* [-1, +0, -] Stashes the error on top, and its traceback, for run() to
 * raise, and stops the loop. */
static void stash(dg_ctx *ctx, lua_State *L) {
  /* Keep the value intact: run() raises it as it is. */
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushlightuserdata(L, &dg_nil_error);
  }
  /* Growing the lists allocates: protected, as no error may unwind through
   * libuv. If even that fails, run() raises "not enough memory" for it. */
  dg_push_cfn(ctx, L, DG_CFN_STASH);
  dg_getref(L, ctx->errors_ref);
  lua_pushinteger(L, ctx->errors_first + ctx->nerrors);
  lua_rotate(L, -4, -1); /* stash_error list index value */
  dg_getref(L, ctx->tracebacks_ref);
  take_traceback(L);
  if (lua_pcall(L, 5, 0, 0) == LUA_OK) {
    ctx->nerrors++;
  } else {
    lua_pop(L, 1);
    ctx->lost_errors++;
  }
  ctx->halted = 1;
  if (ctx->running && !ctx->replaying) /* else uv_run is not running: nothing
                                        * to stop (a stop flag left set would
                                        * end the next run at once) */
    uv_stop(ctx->loop);
  /* Whoever runs the loop next, the prepare handle hands over what waits
   * (dg_must_hold), even if nothing else is left to wake it. */
  uv_prepare_start(&ctx->tick_prepare, tick_prepare_cb);
}

void dg_report(dg_ctx *ctx, lua_State *L) {
  int err = lua_gettop(L) - 1;
  dg_push_hook(ctx, L, DG_HOOK_REPORT);
  lua_pushvalue(L, err);
  lua_pushvalue(L, err + 1);
  /* The hook protects the handler itself; this fails only without memory. */
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) {
    fprintf(stderr, "dgram: an error raised in a callback could not be reported (%s): %s\n",
            lua_isstring(L, -1) ? lua_tostring(L, -1) : luaL_typename(L, -1),
            lua_isstring(L, err) ? lua_tostring(L, err) : luaL_typename(L, err));
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
}

void dg_fail(dg_ctx *ctx, lua_State *L) {
  if (!ctx->running && ctx->in_callback > 0) {
    dg_report(ctx, L);
  } else {
    lua_pushlightuserdata(L, &traceback_key);
    lua_insert(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX); /* filed for stash, as the msgh does */
    stash(ctx, L);
  }
}

/* [-(nargs+1), +0, -] The call on a loop that something else runs: the
 * error goes to the handler, with its traceback; nothing stops. */
static void call_and_report(dg_ctx *ctx, lua_State *L, int nargs) {
  int base = lua_gettop(L) - nargs;
  dg_push_cfn(ctx, L, DG_CFN_TRACEBACK);
  lua_insert(L, base);
  if (lua_pcall(L, nargs, 0, base) != LUA_OK) {
    take_traceback(L);
    dg_report(ctx, L);
  }
  lua_remove(L, base);
}

/* (ctx, fn, args...): call_and_report, as a function that luv's callback
 * wrapper calls. */
static int luv_callback(lua_State *L) {
  dg_ctx *ctx = lua_touserdata(L, 1);
  lua_remove(L, 1);
  call_and_report(ctx, L, lua_gettop(L) - 1);
  return 0;
}

/* luv's LUVF_CALLBACK_NOEXIT: an error is no reason to exit(). */
#define DG_LUVF_NOEXIT 1

/* dg_pcall without what follows the call. */
static void pcall_once(dg_ctx *ctx, lua_State *L, int nargs) {
  int nested = ctx->in_callback++ > 0;
  if (ctx->running) { /* run() raises the error: keep it as it is */
    /* The handler that run() pushed, when this call is made in run()'s own
     * frame: straight from libuv (no callback under way) on the thread
     * that called run(), unless that was a coroutine. */
    int msgh = ctx->run_msgh, pushed = 0;
    if (nested || L != ctx->run_thread) {
      msgh = lua_gettop(L) - nargs;
      dg_push_cfn(ctx, L, DG_CFN_TRACEBACK);
      lua_insert(L, msgh);
      pushed = 1;
    }
    if (lua_pcall(L, nargs, 0, msgh) != LUA_OK)
      stash(ctx, L);
    if (pushed)
      lua_remove(L, msgh);
  } else if (ctx->luv_pcall != NULL) {
    /* On luv's loop, inside luv's callback wrapper as luv's own callbacks
     * are: Neovim's marks them fast events, where its API raises an error
     * instead of corrupting its state. */
    int base = lua_gettop(L) - nargs;
    dg_push_cfn(ctx, L, DG_CFN_LUV_CALLBACK);
    lua_insert(L, base);
    lua_pushlightuserdata(L, ctx);
    lua_insert(L, base + 1);
    ctx->luv_pcall(L, nargs + 2, 0, DG_LUVF_NOEXIT);
  } else {
    call_and_report(ctx, L, nargs);
  }
  ctx->in_callback--;
}

void dg_pcall(dg_ctx *ctx, lua_State *L, int nargs) {
  pcall_once(ctx, L, nargs);
  if (!ctx->ticks_pending || ctx->in_callback > 0)
    return;
  /* A callback raised before its ticks ran. Inside run() the loop halts:
   * they wait for the next run(), or for whatever runs the loop next (the
   * prepare handle). Elsewhere the error was reported: they run now, as
   * they would have. */
  if (ctx->running) {
    uv_prepare_start(&ctx->tick_prepare, tick_prepare_cb);
    return;
  }
  while (ctx->ticks_pending) {
    dg_push_hook(ctx, L, DG_HOOK_DRAIN);
    pcall_once(ctx, L, 0);
  }
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
  if (L == NULL || dg_must_hold(ctx)) /* the queue waits for the next run() */
    return;
  dg_push_hook(ctx, L, DG_HOOK_IMMEDIATE);
  dg_pcall(ctx, L, 0);
}

static void immediate_idle_cb(uv_idle_t *idle) { (void)idle; }

/* Ticks queued outside any callback (a script's top level, a luv
 * callback) drain before the loop polls: run() drains them itself, but
 * whoever else runs the loop comes here. Active, and referenced, while
 * ticks wait, and after a callback raised out of run(): if something else
 * runs the loop next, what waits for run() is handed over to it. */
static void tick_prepare_cb(uv_prepare_t *prepare) {
  dg_ctx *ctx = prepare->data;
  lua_State *L = ctx->L;
  if (L == NULL || dg_must_hold(ctx))
    return;
  if (!ctx->ticks_pending) {
    uv_prepare_stop(prepare);
    return;
  }
  dg_push_hook(ctx, L, DG_HOOK_DRAIN);
  dg_pcall(ctx, L, 0);
}

static void ctx_handle_close_cb(uv_handle_t *h) { dg_ctx_release(h->data); }

/* The context's own handles, on ctx->loop; each holds a reference. */
static void ctx_handles_init(dg_ctx *ctx) {
  uv_check_init(ctx->loop, &ctx->immediate_check);
  uv_idle_init(ctx->loop, &ctx->immediate_idle);
  uv_prepare_init(ctx->loop, &ctx->tick_prepare);
  uv_check_init(ctx->loop, &ctx->deferred_check);
  ctx->immediate_check.data = ctx->immediate_idle.data = ctx;
  ctx->tick_prepare.data = ctx->deferred_check.data = ctx;
  ctx->refs += 4;
}

static void ctx_handles_close(dg_ctx *ctx) {
  uv_close((uv_handle_t *)&ctx->immediate_check, ctx_handle_close_cb);
  uv_close((uv_handle_t *)&ctx->immediate_idle, ctx_handle_close_cb);
  uv_close((uv_handle_t *)&ctx->tick_prepare, ctx_handle_close_cb);
  uv_close((uv_handle_t *)&ctx->deferred_check, ctx_handle_close_cb);
}

/* A script that made sockets or queued callbacks and ended without ever
 * running the loop exits quietly with nothing done: say so, in one line on
 * stderr. Not where a host runs the loop, nor with DGRAM_NO_RUN_NOTICE set
 * (the suite's own children). Runs at lua_close, after every handle's
 * finalizer (dg_handle_gc counted those left active). */
static void notice_never_run(dg_ctx *ctx) {
  int sockets = ctx->left_open[DG_KIND_SOCKET], timers = ctx->left_open[DG_KIND_TIMER];
  int queued = ctx->ticks_pending || uv_is_active((uv_handle_t *)&ctx->immediate_check);
  char what[128];
  int n = 0;
  if (ctx->driven || !ctx->owns_loop || getenv("DGRAM_NO_RUN_NOTICE") != NULL ||
      (sockets == 0 && timers == 0 && !queued))
    return;
  what[0] = '\0';
  if (sockets > 0)
    n += snprintf(what + n, sizeof what - n, "%d socket%s", sockets, sockets == 1 ? "" : "s");
  if (timers > 0)
    n += snprintf(what + n, sizeof what - n, "%s%d timer%s", n > 0 ? (queued ? ", " : " and ") : "",
                  timers, timers == 1 ? "" : "s");
  if (queued)
    snprintf(what + n, sizeof what - n, "%scallbacks queued", n > 0 ? " and " : "");
  fprintf(stderr, "dgram: the script ended with %s but never called dgram.run(), so none of it ran\n", what);
}

/* The Lua state is closing: close every handle without calling Lua, and on
 * a loop of our own run it until everything is released. */
static void ctx_teardown(dg_ctx **box) {
  dg_ctx *ctx = *box;
  if (ctx == NULL)
    return;
  notice_never_run(ctx);
  *box = NULL;
  ctx->L = NULL;
  dg_batch_free(ctx);
  dg_held_free(ctx);
  dg_udp_teardown(ctx);
  dg_handles_teardown(ctx);
  ctx_handles_close(ctx);
  if (ctx->owns_loop) {
    /* The loop lives inside ctx, which the state's own reference keeps. */
    while (uv_run(ctx->loop, UV_RUN_DEFAULT) != 0)
      ;
    uv_loop_close(ctx->loop);
  }
  dg_ctx_release(ctx);
}

static int ctx_gc(lua_State *L) {
  ctx_teardown(lua_touserdata(L, 1));
  return 0;
}

/* The __gc of the guard that dg_ctx_use_loop makes (upvalue 1: the box). */
static int guard_gc(lua_State *L) {
  ctx_teardown(lua_touserdata(L, lua_upvalueindex(1)));
  return 0;
}

int dg_ctx_use_loop(lua_State *L, dg_ctx *ctx, uv_loop_t *loop, dg_luv_pcall luv_pcall) {
  int immediates, immediates_ref, ticks;
  if (loop == ctx->loop) {
    ctx->luv_pcall = luv_pcall;
    return 0;
  }
  if (!ctx->owns_loop)
    return UV_EEXIST;
  if (ctx->loop_used || ctx->running)
    return UV_EBUSY;
  /* Only the context's own handles are on its loop: move them. */
  immediates = uv_is_active((uv_handle_t *)&ctx->immediate_check);
  immediates_ref = uv_has_ref((uv_handle_t *)&ctx->immediate_check);
  ticks = uv_is_active((uv_handle_t *)&ctx->tick_prepare);
  ctx_handles_close(ctx);
  uv_run(&ctx->own_loop, UV_RUN_NOWAIT); /* their close callbacks */
  uv_loop_close(&ctx->own_loop);
  ctx->loop = loop;
  ctx->owns_loop = 0;
  ctx->luv_pcall = luv_pcall;
  dg_pin_module();
  ctx_handles_init(ctx);
  if (immediates) {
    uv_check_start(&ctx->immediate_check, immediate_check_cb);
    uv_idle_start(&ctx->immediate_idle, immediate_idle_cb);
  }
  if (!immediates_ref) {
    uv_unref((uv_handle_t *)&ctx->immediate_check);
    uv_unref((uv_handle_t *)&ctx->immediate_idle);
  }
  if (ticks)
    uv_prepare_start(&ctx->tick_prepare, tick_prepare_cb);
  /* A host's loop may be a userdata whose finalizer closes every handle on
   * it, ours included, with its own close callback (luv's loop_gc).
   * Finalizers run newest first: this guard, made after that userdata,
   * closes ours before. */
  lua_newuserdatauv(L, 1, 0);
  lua_newtable(L);
  push_ctx_box(L);
  lua_pushcclosure(L, guard_gc, 1);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  luaL_ref(L, LUA_REGISTRYINDEX);
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
  ctx->test_gso_refused = getenv("DGRAM_TEST_GSO_REFUSED") != NULL;
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
  } else {
    dg_pin_module();
  }
  for (h = 0; h < DG_HOOK_COUNT; h++)
    ctx->hooks[h] = LUA_NOREF;
  for (h = 0; h < DG_CFN_COUNT; h++)
    ctx->cfns[h] = LUA_NOREF;
  for (h = 0; h < DG_NAME_COUNT; h++)
    ctx->names[h] = LUA_NOREF;
  ctx->udp_mt = ctx->bound_ref = ctx->peer_ref = ctx->pending_ref = LUA_NOREF;
  lua_newtable(L);
  ctx->errors_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  ctx->tracebacks_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_createtable(L, 2, 0);
  lua_getglobal(L, "pcall");
  lua_rawseti(L, -2, 1);
  lua_getglobal(L, "xpcall");
  lua_rawseti(L, -2, 2);
  ctx->catchers_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  ctx->errors_first = 1;
  ctx->held_tail = &ctx->held;
  ctx_handles_init(ctx);
  *box = ctx;
  lua_pushlightuserdata(L, &ctx_key);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return ctx;
}

/* core.set_hooks{invoke=, message=, recverror=, immediate=, drain=,
 * report=, closed=}: closed() makes the error raised once the context is
 * gone. */
static int core_set_hooks(lua_State *L) {
  static const char *const names[DG_HOOK_COUNT] = {
    "invoke", "message", "recverror", "immediate", "drain", "report"
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
 * empties, so that C calls drain() only when there is something to run;
 * the queue then keeps the loop alive and drains before it polls. */
static int core_ticks_pending(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up_or_null(L);
  if (ctx == NULL)
    return 0;
  ctx->ticks_pending = lua_toboolean(L, 1);
  /* Inside a callback the queue drains when it returns (dg_pcall). */
  if (!ctx->ticks_pending)
    uv_prepare_stop(&ctx->tick_prepare);
  else if (ctx->in_callback == 0)
    uv_prepare_start(&ctx->tick_prepare, tick_prepare_cb);
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
  if (ctx == NULL)
    return NULL;
  ctx->driven = 1; /* the host runs it */
  return ctx->loop;
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
    dg_loop_open, dg_addr_open, dg_udp_open, dg_udp_send_open, dg_udp_many_open,
    dg_udp_opts_open, dg_dns_open, dg_timer_open, dg_errors_open, dg_host_open,
    dg_coro_open, NULL
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
  dg_keep_cfn(ctx, L, DG_CFN_TRACEBACK, dg_traceback_msgh);
  dg_keep_cfn(ctx, L, DG_CFN_LUV_CALLBACK, luv_callback);
  lua_newtable(L);
  dg_register(L, funcs);
  for (open = openers; *open != NULL; open++)
    (*open)(L);
  return 1;
}
