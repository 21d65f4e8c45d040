/*
 * host.c: the module on a loop that something else runs. Finds luv's loop
 * from the library that implements a luv function (the library a plain
 * interpreter loaded privately, or the one Neovim links) and moves the
 * context onto it; and gives a host that folds the module's own loop into
 * its poll loop the loop's descriptor and timeout.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>

#include "core.h"

/* The head of luv.h's luv_ctx_t, unchanged since luv 1.30. */
typedef struct luv_ctx_head {
  uv_loop_t *loop;
  lua_State *L;
  dg_luv_pcall cb_pcall;  /* what luv calls its callbacks through */
} luv_ctx_head;

typedef uv_loop_t *(*luv_loop_fn)(lua_State *L);
typedef luv_ctx_head *(*luv_context_fn)(lua_State *L);
typedef int (*uv_run_fn)(uv_loop_t *loop, uv_run_mode mode);

/* ISO C converts no function pointer to an object pointer and back. */
typedef union {
  void *p;
  lua_CFunction cfunction;
  luv_loop_fn luv_loop;
  luv_context_fn luv_context;
  dg_luv_pcall luv_pcall;
  uv_run_fn uv_run;
} symbol;

/* [-0, +1, -] Pushes luv's callback wrapper, or nil when that luv does
 * not say (then callbacks run as on any other host's loop). */
static void push_luv_pcall(lua_State *L, void *lib, uv_loop_t *loop) {
  symbol context, pcall;
  luv_ctx_head *luv;
  context.p = lib != NULL ? dlsym(lib, "luv_context") : NULL;
  if (context.p == NULL)
    context.p = dlsym(RTLD_DEFAULT, "luv_context");
  luv = context.p != NULL ? context.luv_context(L) : NULL;
  if (luv == NULL || luv->loop != loop || luv->cb_pcall == NULL) {
    lua_pushnil(L);
    return;
  }
  pcall.luv_pcall = luv->cb_pcall;
  lua_pushlightuserdata(L, pcall.p);
}

/* [-0, +2, -] nil, reason */
static int fail(lua_State *L, const char *reason) {
  lua_pushnil(L);
  lua_pushstring(L, reason);
  return 2;
}

/* core.luv_loop(fn) -> loop, luv's callback wrapper or nil (light
 * userdata); or nil, reason. fn is a C function of luv's (uv.run): the
 * library it lives in exports luv_loop, which a private dlopen
 * (RTLD_LOCAL) hides from RTLD_DEFAULT. That library must run on the
 * module's libuv: one libuv in the process. */
static int host_luv_loop(lua_State *L) {
  symbol fn, get, run, ours;
  Dl_info info;
  void *lib = NULL;
  uv_loop_t *loop;
  int n;
  fn.cfunction = lua_tocfunction(L, 1);
  if (fn.cfunction == NULL)
    return fail(L, "is not luv's module (uv.run is not a C function)");
  if (dladdr(fn.p, &info) != 0 && info.dli_fname != NULL)
    lib = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  get.p = lib != NULL ? dlsym(lib, "luv_loop") : NULL;
  if (get.p == NULL)
    get.p = dlsym(RTLD_DEFAULT, "luv_loop");
  run.p = lib != NULL ? dlsym(lib, "uv_run") : dlsym(RTLD_DEFAULT, "uv_run");
  ours.uv_run = uv_run;
  loop = get.p != NULL && run.p == ours.p ? get.luv_loop(L) : NULL;
  if (loop != NULL) {
    lua_pushlightuserdata(L, loop);
    push_luv_pcall(L, lib, loop);
    n = 2;
  } else {
    n = fail(L, get.p == NULL ? "exports no luv_loop (is it luv?)"
              : run.p != ours.p ? "runs on another libuv than dgram's (the process must hold one libuv)"
              : "has no loop in this Lua state");
  }
  if (lib != NULL)
    dlclose(lib); /* its loader's reference keeps it */
  return n;
}

void dg_pin_module(void) {
  static int pinned; /* a fact about the process, not about a Lua state */
  Dl_info info;
  symbol self;
  self.cfunction = luaopen_dgram_core;
  if (!pinned && dladdr(self.p, &info) != 0 && info.dli_fname != NULL)
    pinned = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != NULL;
}

/* core.use_loop(loop[, luv_pcall]) -> status: see dg_ctx_use_loop. */
static int host_use_loop(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  uv_loop_t *loop = lua_touserdata(L, 1);
  symbol pcall;
  luaL_argcheck(L, loop != NULL, 1, "loop expected");
  pcall.p = lua_touserdata(L, 2);
  lua_pushinteger(L, dg_ctx_use_loop(L, ctx, loop, pcall.luv_pcall));
  return 1;
}

static int host_backend_fd(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  ctx->driven = 1; /* the host folds the loop into its own */
  lua_pushinteger(L, uv_backend_fd(ctx->loop));
  return 1;
}

/* core.backend_timeout() -> ms until run("nowait") has something to do:
 * 0 when work waits outside libuv's view (ticks; after a raise, what it
 * held, errors still to raise, sockets that stopped reading until the next
 * run()), else libuv's (0 for idle handles, i.e. immediates, -1 with no
 * timer). */
static int host_backend_timeout(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  int waiting;
  ctx->driven = 1;
  waiting = ctx->ticks_pending || ctx->halted || ctx->held != NULL || ctx->nerrors > 0
                || ctx->lost_errors > 0;
  lua_pushinteger(L, waiting ? 0 : uv_backend_timeout(ctx->loop));
  return 1;
}

void dg_host_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"luv_loop", host_luv_loop},
    {"use_loop", host_use_loop},
    {"backend_fd", host_backend_fd},
    {"backend_timeout", host_backend_timeout},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
