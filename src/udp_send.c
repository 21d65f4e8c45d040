/*
 * udp_send.c: the send path. udp_send tries uv_udp_try_send, as Node does;
 * when the kernel would block (or libuv already has sends queued, which
 * keeps datagrams in order) it says so, and Lua queues the datagram with
 * udp_send_queued, whose payload is copied into the request so that no Lua
 * string needs anchoring. The completion calls the Lua function given with
 * the send through the invoke hook: done(status, bytes). Those functions
 * wait in a table of the context's, not in the registry: a backlog of
 * 200,000 sends would leave the registry that large for good, while the
 * table is dropped whenever it empties.
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

/* core.udp_send(h, msg, ip, port, batch) -> true, bytes | false | nil, status
 * false: the kernel would block; queue it with udp_send_queued. `batch`:
 * nobody waits for this send's outcome (no callback), so inside the
 * handle's receive batch it may join the batch's sendmmsg. */
static int udp_send(lua_State *L) {
  send_args a;
  int err = send_args_get(L, &a);
  if (err != 0)
    return dg_push_fail(L, err);
  if (lua_toboolean(L, 5) && dg_batch_add(a.u, a.bufs, a.nbufs, a.total, a.addr)) {
    lua_pushboolean(L, 1);
    lua_pushinteger(L, (lua_Integer)a.total);
    return 2;
  }
  dg_batch_flush(a.u->base.ctx); /* keep datagrams in order */
  if (a.u->base.ctx->no_try_send)
    err = UV_EAGAIN;
  else
    err = uv_udp_try_send(&a.u->handle, a.bufs, a.nbufs, a.addr);
  if (err >= 0) {
    lua_pushboolean(L, 1);
    lua_pushinteger(L, (lua_Integer)a.total);
    return 2;
  }
  if (err == UV_EAGAIN || err == UV_ENOSYS) {
    lua_pushboolean(L, 0);
    return 1;
  }
  return dg_push_fail(L, err);
}

/* [-1, +0, m] Keeps the function on top until pending_take; returns its key. */
static int pending_put(dg_ctx *ctx, lua_State *L) {
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

static void send_cb(uv_udp_send_t *req, int status) {
  send_req *sr = (send_req *)req;
  dg_ctx *ctx = sr->ctx;
  lua_State *L = ctx->L;
  if (L != NULL && sr->done != 0) {
    dg_udp *u = req->handle->data;
    if (ctx->halted) {
      dg_held *h = dg_hold(ctx, replay_send, NULL, 0);
      if (h != NULL) {
        h->ref = sr->done;
        h->status = status;
        h->size = sr->size;
      }
    } else {
      u->busy++;
      send_done(ctx, L, sr->done, status, sr->size);
      u->busy--;
    }
  }
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

/* core.udp_send_queued(h, msg, ip, port, done) -> true | nil, status */
static int udp_send_queued(lua_State *L) {
  send_args a;
  int done = 0;
  int err = send_args_get(L, &a);
  if (err != 0)
    return dg_push_fail(L, err);
  if (!lua_isnoneornil(L, 5)) {
    lua_pushvalue(L, 5);
    done = pending_put(a.u->base.ctx, L);
  }
  dg_batch_flush(a.u->base.ctx); /* keep datagrams in order */
  err = dg_udp_queue(a.u, a.bufs, a.nbufs, a.total, a.addr, done);
  if (err != 0) {
    if (done != 0) {
      pending_take(a.u->base.ctx, L, done);
      lua_pop(L, 1);
    }
    return dg_push_fail(L, err);
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* The fast path of Socket:send, a closure over (ctx, general, settle):
 * send(msg, port[, ip][, callback]) with msg a string, port an integer in
 * 1..65535, ip nil or an IP literal of the socket's family, on a socket
 * whose Lua state says `fast` (bound, unconnected, default look-up). It
 * sends at once; whatever else happens (a callback to call, a send the
 * kernel would block, an error) goes to settle(self, sent, res, ip, msg,
 * address, port, callback). Every other call goes to general(...), Node's
 * path in Lua. */
static int u_mt_ref(lua_State *L) {
  return dg_ctx_up(L)->udp_mt;
}

static int socket_send(lua_State *L) {
  static const char *const default_host[] = {"127.0.0.1", "::1"};
  int top = lua_gettop(L), t4 = lua_type(L, 4), t5 = lua_type(L, 5);
  lua_Integer port;
  const char *ip;
  size_t iplen;
  dg_udp **box, *u;
  uv_buf_t buf;
  int err;

  if (top > 7 || lua_type(L, 1) != LUA_TTABLE || lua_type(L, 2) != LUA_TSTRING ||
      !lua_isinteger(L, 3) || !lua_isnoneornil(L, 6) ||
      (t4 > LUA_TNIL && t4 != LUA_TSTRING) || (t5 > LUA_TNIL && t5 != LUA_TFUNCTION))
    goto general;
  port = lua_tointeger(L, 3);
  if (port < 1 || port > 65535)
    goto general;
  lua_settop(L, 7);
  lua_getfield(L, 1, "_state");                          /* 8 */
  if (lua_type(L, 8) != LUA_TTABLE || lua_getfield(L, 8, "fast") != LUA_TBOOLEAN ||
      !lua_toboolean(L, 9) || lua_getfield(L, 8, "handle") != LUA_TUSERDATA)
    goto general;
  if (!lua_getmetatable(L, 10))
    goto general;
  dg_getref(L, u_mt_ref(L));
  if (!lua_rawequal(L, -1, -2))
    goto general; /* not a dgram.udp: the general path raises */
  box = lua_touserdata(L, 10);
  u = *box;
  if (u == NULL || u->base.closed)
    goto general;
  if (t4 == LUA_TSTRING) {
    ip = lua_tolstring(L, 4, &iplen);
    if (iplen == 0)
      goto general; /* '' is Node's default host: its own path */
  } else {
    ip = default_host[u->family == 6];
    iplen = strlen(ip);
  }
  if (dg_udp_dest(u, ip, iplen, (int)port) != 0)
    goto general; /* a hostname, or a literal of the other family */

  buf.base = (char *)lua_tolstring(L, 2, &buf.len);
  if (t5 != LUA_TFUNCTION && dg_batch_add(u, &buf, 1, buf.len, (struct sockaddr *)&u->dest))
    return 0;
  dg_batch_flush(u->base.ctx); /* keep datagrams in order */
  err = u->base.ctx->no_try_send ? UV_EAGAIN
                            : uv_udp_try_send(&u->handle, &buf, 1, (struct sockaddr *)&u->dest);
  if (err >= 0 && t5 != LUA_TFUNCTION)
    return 0;
  lua_pushvalue(L, lua_upvalueindex(3));
  lua_pushvalue(L, 1);
  if (err >= 0) {
    lua_pushboolean(L, 1);
    lua_pushinteger(L, (lua_Integer)buf.len);
  } else if (err == UV_EAGAIN || err == UV_ENOSYS) {
    lua_pushboolean(L, 0);
    lua_pushnil(L);
  } else {
    lua_pushnil(L);
    lua_pushinteger(L, err);
  }
  lua_pushlstring(L, ip, iplen);
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 4);
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 5);
  lua_call(L, 8, 0);
  return 0;

general:
  lua_settop(L, top);
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_insert(L, 1);
  lua_call(L, top, 0);
  return 0;
}

/* core.socket_send(general, settle) -> the send method */
static int socket_send_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_pushcclosure(L, socket_send, 3);
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
    {"udp_send_queued", udp_send_queued},
    {"socket_send", socket_send_new},
    {"udp_send_queue_size", udp_send_queue_size},
    {"udp_send_queue_count", udp_send_queue_count},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
