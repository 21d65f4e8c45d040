/*
 * core.h: private header of dgram.core, the C mechanism under lua/dgram.
 * The context (one per lua_State) owns the loop pointer, the receive slab,
 * the Lua hooks that C calls back into and the errors raised by callbacks.
 * C returns libuv status codes; the Lua layer (lua/dgram) turns them into errors.
 */
#ifndef DGRAM_CORE_H
#define DGRAM_CORE_H

#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>
#include <lua.h>
#include <lauxlib.h>

#include "compat.h"
#include <uv.h>

#include "dgram.h"

/* Everything declared from here on is private to the module: a build
 * exports only dgram.h's functions, whatever its flags (LuaRocks passes
 * no -fvisibility). */
#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

#if UV_VERSION_HEX < 0x012C00
#error "dgram needs libuv 1.44 or newer"
#endif

/* Hooks: Lua functions that C calls, set once by lua/dgram.lua. */
enum dg_hook {
  DG_HOOK_INVOKE,    /* invoke(fn, ...): call fn, then drain the nextTick queue */
  DG_HOOK_MESSAGE,   /* message(owner, msg, rinfo): emits 'message' */
  DG_HOOK_RECVERR,   /* recverror(owner, status) */
  DG_HOOK_IMMEDIATE, /* immediate(): run the setImmediate queue */
  DG_HOOK_DRAIN,     /* drain(): run the nextTick queue */
  DG_HOOK_REPORT,    /* report(err, traceback): the error handler, when
                      * something other than run() runs the loop */
  DG_HOOK_COUNT
};

/* luv's luv_CFpcall (luv.h): how luv calls its callbacks, in protected
 * mode; a host such as Neovim sets its own. */
typedef int (*dg_luv_pcall)(lua_State *L, int nargs, int nresults, int flags);

typedef struct dg_udp dg_udp;
typedef struct dg_timer dg_timer;
typedef struct dg_batch dg_batch;
typedef struct dg_ctx dg_ctx;

/* A completion that libuv reported while the loop was halted (a callback
 * raised: no user callback may run before run() returns). It waits, in
 * arrival order, for the next run(), which replays it. */
typedef struct dg_held dg_held;
typedef void (*dg_replay_fn)(dg_ctx *ctx, lua_State *L, dg_held *h);
struct dg_held {
  dg_held *next;
  dg_replay_fn replay;
  void *owner;           /* the socket or timer it is for, or NULL */
  int status;
  int ref;               /* a pending send's key, a look-up's callback */
  unsigned flags;
  size_t size;
  struct sockaddr_storage addr;
  char data[];           /* a datagram's bytes */
};

/* handle.c: the lifetime every handle userdata shares. A socket's or a
 * timer's struct starts with a dg_handle, and its uv handle's data points
 * at it. type->close(L, h) marks h closed (no callback reaches Lua after
 * it) and closes its uv handle, now or once libuv has returned; with L NULL
 * the state is closing: now, calling no Lua. */
typedef struct dg_handle dg_handle;
/* What a handle is, for the notice of a script that never ran the loop. */
enum dg_handle_kind { DG_KIND_SOCKET, DG_KIND_TIMER, DG_KIND_COUNT };
typedef struct dg_handle_type {
  const char *metatable;
  void (*close)(lua_State *L, dg_handle *h);
  int (*active)(dg_handle *h); /* keeps the loop alive (open_handles) */
  enum dg_handle_kind kind;
} dg_handle_type;
struct dg_handle {
  const dg_handle_type *type;
  dg_ctx *ctx;
  dg_handle *prev, *next; /* ctx->handles until uv_close, then ctx->closed_handles */
  unsigned closed : 1;        /* closed for Lua */
  unsigned closing : 1;       /* uv_close called */
  unsigned collected : 1;     /* the userdata is gone */
  unsigned handle_closed : 1; /* the close callback ran */
};
void dg_handle_init(dg_handle *h, const dg_handle_type *type, dg_ctx *ctx);
/* uv_close(uvh), once; the struct is freed as the header says. */
void dg_handle_close_now(dg_handle *h, uv_handle_t *uvh);
/* Argument i as a handle of `type`, which may be closed, or NULL. */
dg_handle *dg_handle_box(lua_State *L, int i, const dg_handle_type *type);
/* The __gc of every handle userdata. */
int dg_handle_gc(lua_State *L);
/* The state closes: close every handle, free those whose userdata is gone. */
void dg_handles_teardown(dg_ctx *ctx);
/* Closes every handle (the specs' clean-up after a failure). */
void dg_handles_close_all(lua_State *L, dg_ctx *ctx);
/* Open handles whose type says they are active. */
int dg_handles_active(dg_ctx *ctx);

/* The doubly linked lists of handles (fields prev and next): push x at
 * the head, unlink x. */
#define DG_LIST_PUSH(head, x)                                                  \
  do {                                                                         \
    (x)->prev = NULL;                                                          \
    (x)->next = (head);                                                        \
    if ((x)->next != NULL)                                                     \
      (x)->next->prev = (x);                                                   \
    (head) = (x);                                                              \
  } while (0)
#define DG_LIST_UNLINK(head, x)                                                \
  do {                                                                         \
    if ((x)->prev != NULL)                                                     \
      (x)->prev->next = (x)->next;                                             \
    else                                                                       \
      (head) = (x)->next;                                                      \
    if ((x)->next != NULL)                                                     \
      (x)->next->prev = (x)->prev;                                             \
  } while (0)

/* C functions pushed inside libuv callbacks, where no error may be raised:
 * each is made once when the module opens and pushed from the registry
 * (5.1 and LuaJIT allocate a closure at every lua_pushcfunction, and that
 * allocation may fail). */
enum dg_cfn { DG_CFN_STASH, DG_CFN_ANSWER, DG_CFN_MESSAGE, DG_CFN_TRACEBACK, DG_CFN_LUV_CALLBACK, DG_CFN_COUNT };

/* The strings of Node's rinfo, made once and pushed from the registry:
 * lua_setfield and lua_pushstring would look each one up again for every
 * datagram. */
enum dg_name {
  DG_NAME_ADDRESS, DG_NAME_FAMILY, DG_NAME_PORT, DG_NAME_SIZE, DG_NAME_IPV4, DG_NAME_IPV6,
  DG_NAME_COUNT
};

struct dg_ctx {
  uv_loop_t *loop;
  lua_State *L;          /* main thread; NULL once the Lua state is closing */
  int owns_loop;         /* loop was created here and is closed here */
  int refs;              /* 1 for the Lua state + 1 per live handle or request */
  int hooks[DG_HOOK_COUNT];
  int cfns[DG_CFN_COUNT]; /* registry refs of the functions of enum dg_cfn */
  int errors_ref;        /* registry ref: list of errors raised by callbacks */
  int tracebacks_ref;    /* registry ref: the traceback of each, same index */
  int catchers_ref;      /* registry ref: {pcall, xpcall}, see dg_caught_in_lua */
  lua_State *run_thread; /* inside run(): the thread that called it */
  int run_msgh;          /* ... and the stack index of the message handler there */
  int errors_first;      /* index of the oldest in that list */
  int nerrors;
  int lost_errors;       /* errors that could not be stashed: out of memory */
  int ticks_pending;     /* the Lua nextTick queue is not empty */
  int in_callback;       /* depth of protected calls into Lua (dg_pcall) */
  int running;           /* inside run(): run() is not reentrant */
  int loop_used;         /* a socket, timer or look-up was made on the loop */
  int driven;            /* run() was called, or a host runs the loop (host.c) */
  int left_open[DG_KIND_COUNT]; /* sockets open, timers started when collected */
  int halted;            /* a callback raised out of run(): hold completions
                          * until the next run() */
  dg_luv_pcall luv_pcall; /* on luv's loop: luv's callback wrapper, or NULL */
  int replaying;         /* run() replays them, outside uv_run */
  dg_held *held, **held_tail; /* what arrived while halted, oldest first */
  int no_try_send;       /* DGRAM_TEST_NO_TRY_SEND: always queue (Node's --test-udp-no-try-send) */
  int test_gso_refused;  /* DGRAM_TEST_GSO_REFUSED: each socket's first segmented
                          * send fails as a kernel without segmentation's would */
  int live_handles;      /* sockets and timers not yet closed (debug count) */
  dg_handle *handles;    /* every handle not yet uv_closed, for teardown */
  dg_handle *closed_handles; /* closed, their userdata not yet collected */
  dg_udp *deferred;      /* sockets closed inside their own libuv callback */
  /* The context's own handles, on ctx->loop (moved by dg_ctx_use_loop). */
  uv_check_t immediate_check;
  uv_idle_t immediate_idle; /* keeps the poll from blocking while immediates wait */
  uv_prepare_t tick_prepare; /* drains ticks queued outside callbacks when
                              * something other than run() runs the loop */
  uv_check_t deferred_check; /* closes ctx->deferred once libuv has returned */
  int udp_mt;            /* registry ref of the "dgram.udp" metatable */
  int bound_ref;         /* registry ref: owner -> handle of bound sockets (udp.c) */
  /* The send fast path's last look-up in bound_ref: the owner (a table,
   * alive while it is there) and its socket; forgotten when that socket
   * closes (udp.c). */
  const void *send_owner;
  dg_udp *send_udp;
  int pending_ref;       /* registry ref: send callbacks waiting (udp_send.c) */
  int pending_key, pending_count;
  /* The last sender's address, formatted: a server answers the same peers
   * again and again (registry ref of the string, and its sockaddr). */
  int peer_ref;
  struct sockaddr_storage peer;
  int names[DG_NAME_COUNT]; /* registry refs of the strings of enum dg_name */
  dg_batch *batch;       /* replies waiting for one sendmmsg (batch.c) */
  char *slab;            /* one receive buffer for every socket of this state */
  size_t slab_size;
  uv_loop_t own_loop;
};

/* The context of L, or NULL before the module's first load and once the
 * state has closed it. */
dg_ctx *dg_ctx_loaded(lua_State *L);
/* A stashed error that was nil (light userdata &dg_nil_error). */
extern char dg_nil_error;

/* Each Lua-facing function has the context's box as upvalue 1; this
 * returns the context, or raises ERR_SOCKET_DGRAM_NOT_RUNNING once the
 * state has closed it (a finalizer that runs after it, at lua_close). */
dg_ctx *dg_ctx_up(lua_State *L);
/* The same, or NULL once the context is gone: for calls that are no-ops
 * then, as queueing work that will never run. */
dg_ctx *dg_ctx_up_or_null(lua_State *L);

/* Take and drop a reference on the context; the last drop frees it. */
void dg_ctx_hold(dg_ctx *ctx);
void dg_ctx_release(dg_ctx *ctx);

/* [-(nargs+1), +0, -] Calls the function below nargs arguments in protected
 * mode. Inside run() an error is stashed and the loop stopped (run() raises
 * it); on a loop that something else runs it goes to the error handler. */
void dg_pcall(dg_ctx *ctx, lua_State *L, int nargs);

/* [-2, +0, -] The error below the traceback on top was raised where no
 * protected call of the module caught it (a coroutine that the module
 * resumes): it goes where a callback's error would, stashed for run() to
 * raise, or to the error handler with that traceback when something
 * other than run() runs the loop. */
void dg_fail(dg_ctx *ctx, lua_State *L);

/* Whether a completion arriving now must wait for the next run(): a
 * callback raised out of run(). When something else runs the loop
 * meanwhile, the held completions and errors are released to it first. */
int dg_must_hold(dg_ctx *ctx);

/* Puts the context on loop (a host's, e.g. luv's) in place of its own;
 * luv_pcall, when not NULL, is luv's callback wrapper that callbacks then
 * run in. 0, UV_EBUSY once the loop was used (a socket, timer or look-up)
 * or while run() runs, UV_EEXIST when the context is on a host's loop
 * already. */
int dg_ctx_use_loop(lua_State *L, dg_ctx *ctx, uv_loop_t *loop, dg_luv_pcall luv_pcall);

/* Appends a held completion with `extra` bytes of data; NULL when out of
 * memory (the completion is then lost). */
dg_held *dg_hold(dg_ctx *ctx, dg_replay_fn replay, void *owner, size_t extra);
/* Drops what is held for owner: it closed, or its timer restarted. */
void dg_held_forget(dg_ctx *ctx, void *owner);

/* [-0, +1, -] Pushes hook h. */
void dg_push_hook(dg_ctx *ctx, lua_State *L, enum dg_hook h);

/* [-0, +2, -] Pushes nil, err: how C functions report a libuv error. */
int dg_push_fail(lua_State *L, int err);

/* [-0, +1, -] Pushes the value held by registry ref `ref`. */
#define dg_getref(L, ref) lua_rawgeti((L), LUA_REGISTRYINDEX, (ref))

/* [-0, +0, m] Makes f the function dg_push_cfn pushes for `which`. */
void dg_keep_cfn(dg_ctx *ctx, lua_State *L, enum dg_cfn which, lua_CFunction f);
/* [-0, +1, -] Pushes it, allocating nothing. */
#define dg_push_cfn(ctx, L, which) dg_getref((L), (ctx)->cfns[which])

/* addr.c */
/* Parses ip (v4 or v6 literal, optional %zone) and port into ss. 0 or UV_EINVAL. */
int dg_addr_parse(const char *ip, int port, int family, struct sockaddr_storage *ss);
/* Formats sa into buf (at least DG_ADDRSTRLEN bytes) with %zone for link-local v6.
 * Returns the length, or a negative libuv error. */
#define DG_ADDRSTRLEN (INET6_ADDRSTRLEN + IF_NAMESIZE + 2)
int dg_addr_format(const struct sockaddr *sa, char *buf, size_t size);
/* [-0, +3, -] Pushes address, family ("IPv4"/"IPv6"), port of sa. */
void dg_addr_push(lua_State *L, const struct sockaddr *sa);
/* [-0, +1, -] The address (only) of a datagram's sender, through the
 * context's one-entry cache of the last sender's formatted address. */
void dg_addr_push_peer(dg_ctx *ctx, lua_State *L, const struct sockaddr *sa);
int dg_addr_port(const struct sockaddr *sa);

/* Openers: each registers its functions into the table on top (ctx upvalue). */
typedef void (*dg_opener)(lua_State *L);
void dg_loop_open(lua_State *L);
void dg_addr_open(lua_State *L);
void dg_udp_open(lua_State *L);
void dg_udp_send_open(lua_State *L);
void dg_udp_many_open(lua_State *L);
void dg_udp_opts_open(lua_State *L);
void dg_dns_open(lua_State *L);
void dg_timer_open(lua_State *L);
void dg_errors_open(lua_State *L);
void dg_host_open(lua_State *L);
void dg_coro_open(lua_State *L);

/* Shared by the openers: registers l with the context as upvalue. */
void dg_register(lua_State *L, const luaL_Reg *l);

/* host.c: keeps the module's code loaded for good. On a loop that
 * outlives the Lua state (luv's, a host's) the close callbacks of its
 * handles run after lua_close, which unloads C modules (LuaJIT before
 * luv's own finalizer runs the loop). */
void dg_pin_module(void);

/* loop.c: frees what is held, unreplayed (the state is closing). */
void dg_held_free(dg_ctx *ctx);
/* loop.c: replays held completions until none is left or one raises. */
void dg_replay_held(dg_ctx *ctx, lua_State *L);
/* loop.c: [-0, +2, -] pushes the oldest stashed error and its traceback
 * (or nil), or returns 0 and pushes nothing. */
int dg_take_stashed(dg_ctx *ctx, lua_State *L);
/* core.c: the message handler of every call into Lua; run() pushes it once
 * (its index in ctx->run_msgh) for the calls made while it runs. */
int dg_traceback_msgh(lua_State *L);
/* core.c: whether Lua code above the running C function (a pcall, an
 * xpcall, or the resume of a coroutine) catches what it raises. */
int dg_caught_in_lua(dg_ctx *ctx, lua_State *L);
/* loop.c: dgram.core.run, where a traceback taken inside it ends. */
int dg_loop_run(lua_State *L);
/* core.c: [-2, +0, -] hands the error and its traceback (or nil), on
 * top, to the error handler. */
void dg_report(dg_ctx *ctx, lua_State *L);
/* udp.c: sockets that stopped reading while the loop was halted read again. */
void dg_udp_resume(dg_ctx *ctx);

/* udp.c: forgets the closes deferred past libuv's return (the state is
 * closing: dg_handles_teardown closes those sockets). */
void dg_udp_teardown(dg_ctx *ctx);
void dg_batch_free(dg_ctx *ctx);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif
