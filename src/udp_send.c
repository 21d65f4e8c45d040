/*
 * udp_send.c: the send path, shaped like Node's UDPWrap::Send: one call
 * tries uv_udp_try_send and, when the kernel would block (or libuv already
 * has sends queued, which keeps datagrams in order), queues the datagram in
 * libuv, its payload copied into the request so that no Lua string needs
 * anchoring. The completion calls the Lua function given with the send
 * through the invoke hook: done(status, bytes). Those functions wait in a
 * table of the context's, not in the registry: a backlog of 200,000 sends
 * would leave the registry that large for good, while the table is
 * dropped whenever it empties.
 */
#include <stdlib.h>
#include <string.h>

#include "udp.h"

#define SEND_INLINE_BUFS 16

typedef struct send_req {
  uv_udp_send_t req;
  dg_ctx *ctx;
  int done;              /* key of done(status, bytes) in the pending table, or 0 */
  size_t size;
  char data[];
} send_req;

/* The arguments of both sends: handle, message, destination. */
typedef struct send_args {
  dg_udp *u;
  uv_buf_t inline_bufs[SEND_INLINE_BUFS];
  uv_buf_t *bufs;
  unsigned nbufs;
  size_t total;
  const struct sockaddr *addr; /* NULL: connected send; else the socket's dest */
} send_args;

/* Reads (h, msg, ip|nil, port). Returns 0 or a libuv error for the address.
 * msg is a string or a sequence of strings, which stay on the stack. */
static int send_args_get(lua_State *L, send_args *a) {
  const char *ip;
  size_t len;
  unsigned i;
  int err;
  a->u = dg_udp_check(L, 1);
  a->bufs = a->inline_bufs;
  a->addr = NULL;
  a->total = 0;
  if (lua_type(L, 2) == LUA_TSTRING) {
    a->nbufs = 1;
    a->bufs[0].base = (char *)lua_tolstring(L, 2, &a->bufs[0].len);
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    a->nbufs = (unsigned)luaL_len(L, 2);
    if (a->nbufs > SEND_INLINE_BUFS) /* a userdata: the GC frees it */
      a->bufs = lua_newuserdatauv(L, a->nbufs * sizeof *a->bufs, 0);
    for (i = 0; i < a->nbufs; i++) {
      lua_rawgeti(L, 2, (lua_Integer)i + 1);
      a->bufs[i].base = (char *)luaL_checklstring(L, -1, &a->bufs[i].len);
      lua_pop(L, 1); /* the table keeps the string alive */
    }
  }
  for (i = 0; i < a->nbufs; i++)
    a->total += a->bufs[i].len;
  if (lua_isnoneornil(L, 3))
    return 0;
  ip = luaL_checklstring(L, 3, &len);
  err = dg_udp_dest(a->u, ip, len, (int)luaL_checkinteger(L, 4));
  a->addr = (const struct sockaddr *)&a->u->dest;
  return err;
}

/* [-1, +0, m] Keeps the function on top until pending_take; returns its key. */
int dg_pending_put(dg_ctx *ctx, lua_State *L) {
  int key;
  if (ctx->pending_ref == LUA_NOREF) {
    lua_newtable(L);
    ctx->pending_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  dg_getref(L, ctx->pending_ref);
  lua_insert(L, -2);
  key = ++ctx->pending_key;
  lua_rawseti(L, -2, key);
  lua_pop(L, 1);
  ctx->pending_count++;
  return key;
}

/* [-0, +1, -] Pushes the function kept under key and forgets it. */
static void pending_take(dg_ctx *ctx, lua_State *L, int key) {
  dg_getref(L, ctx->pending_ref);
  lua_rawgeti(L, -1, key);
  lua_pushnil(L);
  lua_rawseti(L, -3, key);
  lua_remove(L, -2);
  if (--ctx->pending_count == 0) { /* let a large table go */
    luaL_unref(L, LUA_REGISTRYINDEX, ctx->pending_ref);
    ctx->pending_ref = LUA_NOREF;
    ctx->pending_key = 0;
  }
}

void dg_pending_drop(dg_ctx *ctx, lua_State *L, int key) {
  pending_take(ctx, L, key);
  lua_pop(L, 1);
}

/* Calls done(status, bytes), the function kept under key. */
static void send_done(dg_ctx *ctx, lua_State *L, int key, int status, size_t size) {
  dg_push_hook(ctx, L, DG_HOOK_INVOKE);
  pending_take(ctx, L, key);
  lua_pushinteger(L, status);
  lua_pushinteger(L, (lua_Integer)size);
  dg_pcall(ctx, L, 3);
}

static void replay_send(dg_ctx *ctx, lua_State *L, dg_held *h) {
  send_done(ctx, L, h->ref, h->status, h->size);
}

void dg_udp_send_complete(dg_udp *u, int done, int status, size_t size) {
  dg_ctx *ctx = u->base.ctx;
  lua_State *L = ctx->L;
  if (L == NULL || done == 0)
    return;
  if (dg_must_hold(ctx)) {
    dg_held *h = dg_hold(ctx, replay_send, NULL, 0);
    if (h != NULL) {
      h->ref = done;
      h->status = status;
      h->size = size;
    }
  } else {
    u->busy++;
    send_done(ctx, L, done, status, size);
    u->busy--;
  }
}

static void send_cb(uv_udp_send_t *req, int status) {
  send_req *sr = (send_req *)req;
  dg_ctx *ctx = sr->ctx;
  dg_udp_send_complete(req->handle->data, sr->done, status, sr->size);
  free(sr);
  dg_ctx_release(ctx);
}

int dg_udp_queue(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr, int done) { /* done: a pending key or 0 */
  size_t off = 0;
  unsigned i;
  uv_buf_t buf;
  int err;
  send_req *sr = malloc(sizeof *sr + total);
  if (sr == NULL)
    return UV_ENOMEM;
  sr->ctx = u->base.ctx;
  sr->done = done;
  sr->size = total;
  for (i = 0; i < nbufs; i++) {
    memcpy(sr->data + off, bufs[i].base, bufs[i].len);
    off += bufs[i].len;
  }
  buf = uv_buf_init(sr->data, (unsigned)total);
  err = uv_udp_send(&sr->req, &u->handle, &buf, 1, addr, send_cb);
  if (err != 0) {
    free(sr);
    return err;
  }
  dg_ctx_hold(sr->ctx);
  return 0;
}

/* Sends now, or joins the receive batch when nobody waits for the
 * outcome (batchable). Returns bytes + 1 when sent (as UDPWrap::Send, so
 * that 0 bytes sent differs from "queued"), else a libuv error: UV_EAGAIN
 * when the kernel would block or libuv's queue must keep the order. */
static int try_send(send_args *a, int batchable) {
  dg_ctx *ctx = a->u->base.ctx;
  int err;
  if (batchable && dg_batch_add(a->u, a->bufs, a->nbufs, a->total, a->addr))
    return (int)a->total + 1;
  dg_batch_flush(ctx); /* keep datagrams in order */
  err = ctx->no_try_send ? UV_EAGAIN : uv_udp_try_send(&a->u->handle, a->bufs, a->nbufs, a->addr);
  if (err >= 0)
    return (int)a->total + 1;
  return err == UV_ENOSYS ? UV_EAGAIN : err;
}

/* Queues in libuv; the function on top of the stack, if has_done, is
 * popped and called with (status, bytes) when the send completes. Returns
 * 0 or a libuv error. */
static int queue_send(lua_State *L, send_args *a, int has_done) {
  dg_ctx *ctx = a->u->base.ctx;
  int done = has_done ? dg_pending_put(ctx, L) : 0;
  int err = dg_udp_queue(a->u, a->bufs, a->nbufs, a->total, a->addr, done);
  if (err != 0 && done != 0)
    dg_pending_drop(ctx, L, done);
  return err;
}

/* core.udp_send(h, msg, ip|nil, port, done|nil) -> bytes + 1 | 0 | nil, status
 * done(status, bytes) is called when a queued send completes. */
static int udp_send(lua_State *L) {
  send_args a;
  int has_done = !lua_isnoneornil(L, 5);
  int r = send_args_get(L, &a);
  if (r == 0)
    r = try_send(&a, !has_done);
  if (r == UV_EAGAIN) {
    lua_settop(L, 5);
    r = queue_send(L, &a, has_done);
  }
  if (r < 0)
    return dg_push_fail(L, r);
  lua_pushinteger(L, r);
  return 1;
}

/* The fast path of Socket:send, a closure over (ctx, general, sent,
 * failed, queued): send(msg, port[, ip][, callback]) with msg a string,
 * port an integer in 1..65535 (Node's range: others raise on the general
 * path), ip nil or an IP literal of the socket's family, on a socket that
 * Lua marked fast (core.udp_set_fast). It sends at once; what needs Lua
 * goes to it: sent(self, callback, bytes), failed(self, callback, status,
 * address, port), and queued(self, callback, address, port), which
 * returns done(status, bytes) for a send the kernel would block. Every
 * other call goes to general(...), Node's path in Lua. */
static dg_udp *fast_socket(lua_State *L, dg_ctx *ctx) {
  const void *owner = lua_type(L, 1) == LUA_TTABLE ? lua_topointer(L, 1) : NULL;
  dg_udp *u = NULL;
  if (owner != NULL && owner == ctx->send_owner) {
    u = ctx->send_udp;
  } else if (owner != NULL) {
    dg_udp **box;
    dg_getref(L, ctx->bound_ref);
    lua_pushvalue(L, 1);
    lua_rawget(L, -2);
    box = lua_touserdata(L, -1);
    lua_pop(L, 2);
    if (box != NULL && *box != NULL) {
      u = *box;
      ctx->send_owner = owner;
      ctx->send_udp = u;
    }
  }
  return u != NULL && u->fast && !u->base.closed ? u : NULL;
}

/* [-0, +0, e] Calls upvalue `fn` with the values at the given indices. */
static void call_lua(lua_State *L, int fn, const int *args, int nargs, int nresults) {
  int i;
  lua_pushvalue(L, lua_upvalueindex(fn));
  for (i = 0; i < nargs; i++)
    lua_pushvalue(L, args[i]);
  lua_call(L, nargs, nresults);
}

static int socket_send(lua_State *L) {
  enum { SELF = 1, MSG, PORT, IP, CALLBACK, GENERAL = 2, SENT, FAILED, QUEUED };
  static const char *const default_host[] = {DG_DEFAULT_HOST4, DG_DEFAULT_HOST6};
  int top = lua_gettop(L), ip_type = lua_type(L, IP), cb_type = lua_type(L, CALLBACK), r;
  int has_cb = cb_type == LUA_TFUNCTION;
  lua_Integer port;
  const char *ip;
  size_t iplen;
  send_args a;

  if (top > 5 || lua_type(L, MSG) != LUA_TSTRING || !lua_isinteger(L, PORT) ||
      (port = lua_tointeger(L, PORT)) < 1 || port > 65535 ||
      (ip_type != LUA_TSTRING && ip_type > LUA_TNIL) || (!has_cb && cb_type > LUA_TNIL) ||
      (a.u = fast_socket(L, dg_ctx_up(L))) == NULL)
    goto general;
  ip = lua_tolstring(L, IP, &iplen);
  if (ip == NULL) {
    ip = default_host[a.u->family == 6];
    iplen = strlen(ip);
  } else if (iplen == 0) {
    goto general; /* '' is Node's default host: its own path */
  }
  if (dg_udp_dest(a.u, ip, iplen, (int)port) != 0)
    goto general; /* a hostname, or a literal of the other family */
  a.bufs = a.inline_bufs;
  a.nbufs = 1;
  a.bufs[0].base = (char *)lua_tolstring(L, MSG, &a.bufs[0].len);
  a.total = a.bufs[0].len;
  a.addr = (const struct sockaddr *)&a.u->dest;

  /* With a callback, top is 5: what call_lua and queue_send expect. */
  r = try_send(&a, !has_cb);
  if (r == UV_EAGAIN) {
    if (has_cb)
      call_lua(L, QUEUED, (const int[]){SELF, CALLBACK, IP, PORT}, 4, 1);
    r = queue_send(L, &a, has_cb);
    if (r == 0)
      return 0;
  }
  if (!has_cb)
    return 0; /* without a callback nobody hears of a failure (Node) */
  if (r > 0) {
    lua_pushinteger(L, r - 1);
    call_lua(L, SENT, (const int[]){SELF, CALLBACK, lua_gettop(L)}, 3, 0);
  } else {
    lua_pushinteger(L, r);
    call_lua(L, FAILED, (const int[]){SELF, CALLBACK, lua_gettop(L), IP, PORT}, 5, 0);
  }
  return 0;

general:
  lua_settop(L, top);
  lua_pushvalue(L, lua_upvalueindex(GENERAL));
  lua_insert(L, 1);
  lua_call(L, top, 0);
  return 0;
}

/* core.socket_send(general, sent, failed, queued) -> the send method */
static int socket_send_new(lua_State *L) {
  int i;
  for (i = 1; i <= 4; i++)
    luaL_checktype(L, i, LUA_TFUNCTION);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_pushcclosure(L, socket_send, 5);
  return 1;
}

static int udp_send_queue_size(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  lua_pushinteger(L, (lua_Integer)uv_udp_get_send_queue_size(&u->handle));
  return 1;
}

static int udp_send_queue_count(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  lua_pushinteger(L, (lua_Integer)uv_udp_get_send_queue_count(&u->handle));
  return 1;
}

void dg_udp_send_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"udp_send", udp_send},
    {"socket_send", socket_send_new},
    {"udp_send_queue_size", udp_send_queue_size},
    {"udp_send_queue_count", udp_send_queue_count},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
