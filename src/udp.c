/*
 * udp.c: the "dgram.udp" userdata: creation, bind/open, connect, receive,
 * address queries, ref/unref and the close path. A bound socket anchors its
 * owner (the Lua Socket) in the registry until close(), so it lives on when
 * the script drops it. close() from inside one of the handle's own libuv
 * callbacks defers uv_close to the check phase: libuv 1.44.2 keeps using a
 * handle closed in its receive callback while sends are queued (fixed
 * upstream in libuv PR #4321).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "udp.h"

#define UDP_MT "dgram.udp"

/* Bind flags of core.udp_bind; REUSEPORT is ours: libuv 1.44 has none. */
#define DG_BIND_REUSEADDR 1
#define DG_BIND_IPV6ONLY 2
#define DG_BIND_REUSEPORT 4

/* Compares metatables with a registry ref, not luaL_checkudata's look-up
 * by name: this runs on every send. */
dg_udp *dg_udp_check(lua_State *L, int i) {
  dg_ctx *ctx = dg_ctx_up(L);
  dg_udp **box = lua_touserdata(L, i);
  int ok = box != NULL && lua_getmetatable(L, i);
  if (ok) {
    dg_getref(L, ctx->udp_mt);
    ok = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  if (!ok)
    luaL_typeerror(L, i, UDP_MT);
  luaL_argcheck(L, *box != NULL && !(*box)->base.closed, i, "socket is closed");
  return *box;
}

int dg_udp_dest(dg_udp *u, const char *ip, size_t len, int port) {
  int err;
  if (port == u->dest_port && len < sizeof u->dest_ip && memcmp(ip, u->dest_ip, len + 1) == 0)
    return 0;
  err = dg_addr_parse(ip, port, u->family, &u->dest);
  if (err == 0 && len < sizeof u->dest_ip) {
    memcpy(u->dest_ip, ip, len + 1);
    u->dest_port = port;
  } else {
    u->dest_ip[0] = '\0';
    u->dest_port = -1;
  }
  return err;
}

void dg_udp_push_owner(lua_State *L, dg_udp *u) {
  dg_getref(L, u->anchor);
}

/* [-0, +0, -] Anchors the owner of the handle at index 1, and files the
 * handle under it for the send fast path. */
static void udp_anchor(lua_State *L, dg_udp *u) {
  if (u->anchor != LUA_NOREF)
    return;
  dg_getref(L, u->base.ctx->bound_ref);
  lua_getiuservalue(L, 1, 1);
  lua_pushvalue(L, -1);
  u->anchor = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* [-0, +0, -] Undoes udp_anchor and drops the listener: no more Lua. */
static void udp_unanchor(lua_State *L, dg_udp *u) {
  if (u->anchor != LUA_NOREF) {
    dg_getref(L, u->base.ctx->bound_ref);
    dg_getref(L, u->anchor);
    lua_pushnil(L);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, u->anchor);
  }
  luaL_unref(L, LUA_REGISTRYINDEX, u->listener);
  luaL_unref(L, LUA_REGISTRYINDEX, u->waiter);
}

static void udp_close_now(dg_udp *u) {
  dg_handle_close_now(&u->base, (uv_handle_t *)&u->handle);
}

static void deferred_check_cb(uv_check_t *check) {
  dg_ctx *ctx = check->data;
  while (ctx->deferred != NULL) {
    dg_udp *u = ctx->deferred;
    ctx->deferred = u->next_deferred;
    udp_close_now(u);
  }
  uv_check_stop(check);
}

/* Marks u closed: no callback reaches Lua after this. L NULL: the state is
 * closing (the registry is about to go): close now, calling no Lua. */
static void udp_close(lua_State *L, dg_handle *h) {
  dg_udp *u = (dg_udp *)h;
  dg_ctx *ctx = h->ctx;
  if (L != NULL && h->closed)
    return;
  h->closed = 1;
  if (ctx->send_udp == u) {
    ctx->send_udp = NULL;
    ctx->send_owner = NULL;
  }
  dg_batch_end(u); /* replies already batched still go out */
  dg_held_forget(ctx, u);
  uv_udp_recv_stop(&u->handle);
  dg_gro_close(u);
  if (L != NULL)
    udp_unanchor(L, u);
  u->anchor = u->listener = u->waiter = LUA_NOREF;
  if (L != NULL && u->busy > 0) {
    u->next_deferred = ctx->deferred;
    ctx->deferred = u;
    uv_check_start(&ctx->deferred_check, deferred_check_cb);
  } else {
    udp_close_now(u);
  }
}

/* Has an OS socket: keeps the loop alive (unless unref'd). */
static int udp_active(dg_handle *h) {
  uv_os_fd_t fd;
  return uv_fileno((uv_handle_t *)&((dg_udp *)h)->handle, &fd) == 0;
}

static const dg_handle_type udp_type = {UDP_MT, udp_close, udp_active, DG_KIND_SOCKET};

void dg_udp_teardown(dg_ctx *ctx) {
  ctx->deferred = NULL; /* dg_handles_teardown closes them */
}

/* core.udp_new(owner, family) -> handle. No OS socket yet: it is made at
 * bind, as in Node. */
static int udp_new(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  dg_udp **box, *u;
  int err;
  int family = (int)luaL_checkinteger(L, 2);
  luaL_argcheck(L, family == 4 || family == 6, 2, "family must be 4 or 6");
  box = lua_newuserdatauv(L, sizeof *box, 1);
  *box = NULL;
  luaL_setmetatable(L, UDP_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  u = calloc(1, sizeof *u);
  if (u == NULL)
    return luaL_error(L, "dgram: out of memory");
  /* The collector sees only the box: the socket's own memory counts as a
   * step of its size, so that dropped sockets are collected at the pace of
   * what they hold (5.3's collector let some 6,000 of them pile up, with
   * their fds; 5.4's some 1,000). */
  lua_gc(L, LUA_GCSTEP, (int)(sizeof *u / 1024) + 1);
  err = uv_udp_init_ex(ctx->loop, &u->handle, AF_UNSPEC | UV_UDP_RECVMMSG);
  if (err != 0) {
    free(u);
    return luaL_error(L, "dgram: uv_udp_init: %s", uv_strerror(err));
  }
  u->handle.data = u;
  u->box = box;
  u->family = family;
  u->dest_port = -1;
  u->anchor = u->listener = u->waiter = LUA_NOREF;
  dg_handle_init(&u->base, &udp_type, ctx);
  *box = u;
  return 1;
}

static int udp_tostring(lua_State *L) {
  dg_handle *h = dg_handle_box(L, 1, &udp_type);
  if (h == NULL || h->closed)
    lua_pushliteral(L, "dgram.udp (closed)");
  else
    lua_pushfstring(L, "dgram.udp (%p)", (void *)h);
  return 1;
}

/* core.udp_close(h): idempotent. */
static int udp_close_l(lua_State *L) {
  dg_handle *h = dg_handle_box(L, 1, &udp_type);
  if (h != NULL)
    udp_close(L, h);
  return 0;
}

static int udp_is_closed(lua_State *L) {
  dg_handle *h = dg_handle_box(L, 1, &udp_type);
  lua_pushboolean(L, h == NULL || h->closed);
  return 1;
}

/* SO_REUSEPORT must be on the socket before bind(): make the socket here. */
static int udp_open_reuseport(dg_udp *u, int family) {
  int on = 1, fd, err;
  uv_os_fd_t existing;
  if (uv_fileno((uv_handle_t *)&u->handle, &existing) == 0)
    return setsockopt(existing, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) ? -errno : 0;
  fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    err = -errno;
    close(fd);
    return err;
  }
  err = uv_udp_open(&u->handle, fd);
  if (err != 0)
    close(fd);
  return err;
}

/* core.udp_bind(h, ip, port, flags) -> status */
static int udp_bind(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  const char *ip = luaL_checkstring(L, 2);
  int port = (int)luaL_checkinteger(L, 3);
  int flags = (int)luaL_optinteger(L, 4, 0);
  unsigned uv_flags = 0;
  struct sockaddr_storage ss;
  int err = dg_addr_parse(ip, port, u->family, &ss);
  if (flags & DG_BIND_REUSEADDR)
    uv_flags |= UV_UDP_REUSEADDR;
  if (flags & DG_BIND_IPV6ONLY)
    uv_flags |= UV_UDP_IPV6ONLY;
  if (err == 0 && (flags & DG_BIND_REUSEPORT))
    err = udp_open_reuseport(u, ss.ss_family);
  if (err == 0)
    err = uv_udp_bind(&u->handle, (struct sockaddr *)&ss, uv_flags);
  if (err == 0)
    udp_anchor(L, u);
  lua_pushinteger(L, err);
  return 1;
}

/* core.udp_open(h, fd) -> status: wraps an existing UDP socket. */
static int udp_open(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  int err = uv_udp_open(&u->handle, (uv_os_sock_t)luaL_checkinteger(L, 2));
  if (err == 0)
    udp_anchor(L, u);
  lua_pushinteger(L, err);
  return 1;
}

/* core.guess_handle(fd) -> "UDP", "TCP", "TTY", "FILE", "PIPE" or "UNKNOWN" */
static int udp_guess_handle(lua_State *L) {
  lua_Integer fd = luaL_checkinteger(L, 1);
  const char *type = "UNKNOWN";
  if (fd >= 0 && fd <= 0x7fffffff) {
    switch (uv_guess_handle((uv_file)fd)) {
    case UV_UDP: type = "UDP"; break;
    case UV_TCP: type = "TCP"; break;
    case UV_TTY: type = "TTY"; break;
    case UV_FILE: type = "FILE"; break;
    case UV_NAMED_PIPE: type = "PIPE"; break;
    default: break;
    }
  }
  lua_pushstring(L, type);
  return 1;
}

/* core.udp_connect(h, ip, port) -> status */
static int udp_connect(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  struct sockaddr_storage ss;
  int err = dg_addr_parse(luaL_checkstring(L, 2), (int)luaL_checkinteger(L, 3), u->family, &ss);
  if (err == 0) {
    dg_batch_flush(u->base.ctx); /* batched datagrams keep their destination */
    err = uv_udp_connect(&u->handle, (struct sockaddr *)&ss);
  }
  if (err == 0)
    u->connected = 1;
  lua_pushinteger(L, err);
  return 1;
}

static int udp_disconnect(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  int err;
  dg_batch_flush(u->base.ctx);
  err = uv_udp_connect(&u->handle, NULL);
  if (err == 0)
    u->connected = 0;
  lua_pushinteger(L, err);
  return 1;
}

static void udp_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  dg_ctx *ctx = ((dg_handle *)h->data)->ctx;
  (void)suggested;
  buf->base = ctx->slab;
  buf->len = ctx->slab_size;
}

/* [-0, +1, -] Pushes the string of `name`. */
#define push_rinfo_name(ctx, L, name) dg_getref((L), (ctx)->names[name])

void dg_udp_push_rinfo(dg_ctx *ctx, lua_State *L, const struct sockaddr *addr,
                       size_t size, unsigned flags) {
  lua_createtable(L, 0, 4);
  push_rinfo_name(ctx, L, DG_NAME_PORT);
  lua_pushinteger(L, dg_addr_port(addr));
  lua_rawset(L, -3);
  push_rinfo_name(ctx, L, DG_NAME_FAMILY);
  push_rinfo_name(ctx, L, addr->sa_family == AF_INET6 ? DG_NAME_IPV6 : DG_NAME_IPV4);
  lua_rawset(L, -3);
  push_rinfo_name(ctx, L, DG_NAME_ADDRESS);
  dg_addr_push_peer(ctx, L, addr);
  lua_rawset(L, -3);
  push_rinfo_name(ctx, L, DG_NAME_SIZE);
  lua_pushinteger(L, (lua_Integer)size);
  lua_rawset(L, -3);
  if (flags & UV_UDP_PARTIAL) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "truncated");
  }
}

/* What a datagram brings, for deliver_message. */
typedef struct datagram {
  dg_udp *u;
  const char *data;
  size_t size;
  const struct sockaddr *addr;
  unsigned flags;
} datagram;

/* [-0, +0, e] Run protected (lua_pcall): everything here may raise, and an
 * error must not unwind through libuv. A single plain 'message' listener
 * (the usual case) is called directly with (msg, rinfo); otherwise the
 * message hook emits. The slab is reused at once: lua_pushlstring copies. */
static int deliver_message(lua_State *L) {
  datagram *d = lua_touserdata(L, 1);
  dg_ctx *ctx = d->u->base.ctx;
  int direct = d->u->listener != LUA_NOREF;
  if (!dg_coro_deliver(L, d->u, d->data, d->size, d->addr, d->flags)) {
    if (direct) {
      dg_getref(L, d->u->listener);
    } else {
      dg_push_hook(ctx, L, DG_HOOK_MESSAGE);
      dg_udp_push_owner(L, d->u);
    }
    lua_pushlstring(L, d->data, d->size);
    dg_udp_push_rinfo(ctx, L, d->addr, d->size, d->flags);
    lua_call(L, direct ? 2 : 3, 0);
  }
  if (direct && ctx->ticks_pending) {
    dg_push_hook(ctx, L, DG_HOOK_DRAIN);
    lua_call(L, 0, 0);
  }
  return 0;
}

/* One protected call into Lua per datagram (nread >= 0) or receive error. */
static void deliver(dg_udp *u, ssize_t nread, const char *data,
                    const struct sockaddr *addr, unsigned flags) {
  dg_ctx *ctx = u->base.ctx;
  lua_State *L = ctx->L;
  if (nread < 0) {
    dg_push_hook(ctx, L, DG_HOOK_RECVERR);
    dg_udp_push_owner(L, u);
    lua_pushinteger(L, (lua_Integer)nread);
    dg_pcall(ctx, L, 2);
  } else {
    datagram d;
    d.u = u;
    d.data = data;
    d.size = (size_t)nread;
    d.addr = addr;
    d.flags = flags;
    dg_push_cfn(ctx, L, DG_CFN_MESSAGE);
    lua_pushlightuserdata(L, &d);
    dg_pcall(ctx, L, 1);
  }
}

static void replay_datagram(dg_ctx *ctx, lua_State *L, dg_held *h) {
  (void)ctx;
  (void)L;
  deliver(h->owner, h->status < 0 ? h->status : (ssize_t)h->size, h->data,
          (const struct sockaddr *)&h->addr, h->flags);
}

/* The loop is halted: the datagram (or error) waits for the next run(). */
static void hold_datagram(dg_udp *u, ssize_t nread, const char *data,
                          const struct sockaddr *addr, unsigned flags) {
  size_t size = nread > 0 ? (size_t)nread : 0;
  dg_held *h = dg_hold(u->base.ctx, replay_datagram, u, size);
  if (h == NULL)
    return; /* out of memory: lost, as the kernel drops what it can't hold */
  h->status = nread < 0 ? (int)nread : 0;
  h->size = size;
  h->flags = flags;
  memset(&h->addr, 0, sizeof h->addr);
  if (addr != NULL)
    memcpy(&h->addr, addr, addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                        : sizeof(struct sockaddr_in));
  memcpy(h->data, data, size);
}

void dg_udp_reading_stop(dg_udp *u) {
  if (u->gro != NULL)
    dg_gro_stop(u);
  else
    uv_udp_recv_stop(&u->handle);
}

void dg_udp_recv(dg_udp *u, ssize_t nread, const char *data, const struct sockaddr *addr,
                 unsigned flags) {
  dg_ctx *ctx = u->base.ctx;
  if (flags & UV_UDP_MMSG_FREE) { /* the end of a recvmmsg batch */
    dg_batch_end(u);
    if (((ctx->halted && ctx->running) || u->held_back) && !u->base.closed) {
      dg_udp_reading_stop(u); /* the kernel keeps the rest */
      u->paused = 1;
    }
    return;
  }
  if (ctx->L == NULL || u->base.closed || (nread == 0 && addr == NULL))
    return;
  if (dg_must_hold(ctx)) {
    hold_datagram(u, nread, data, addr, flags);
    if (!(flags & UV_UDP_MMSG_CHUNK)) {
      dg_udp_reading_stop(u);
      u->paused = 1;
    }
    return;
  }
  if (u->base.closed) /* by a completion dg_must_hold released */
    return;
  if (flags & UV_UDP_MMSG_CHUNK)
    dg_batch_begin(u);
  u->busy++;
  deliver(u, nread, data, addr, flags);
  if (nread >= 0)
    dg_batch_settle(u);
  u->busy--;
  /* Stopping inside a recvmmsg batch would drop the rest of it: a batch
   * stops at its end (UV_UDP_MMSG_FREE above). */
  if (u->held_back && !u->base.closed && !(flags & UV_UDP_MMSG_CHUNK)) {
    dg_udp_reading_stop(u);
    u->paused = 1;
  }
}

static void udp_recv_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                        const struct sockaddr *addr, unsigned flags) {
  dg_udp_recv(h->data, nread, buf->base, addr, flags);
}

void dg_udp_read_again(dg_udp *u) {
  if (u->paused && !u->held_back && !u->base.closed && !u->base.ctx->halted) {
    if (u->gro != NULL)
      dg_gro_resume(u);
    else
      uv_udp_recv_start(&u->handle, udp_alloc_cb, udp_recv_cb);
    u->paused = 0;
  }
}

void dg_udp_resume(dg_ctx *ctx) {
  dg_handle *h;
  for (h = ctx->handles; h != NULL; h = h->next) {
    dg_udp *u = (dg_udp *)h;
    if (h->type == &udp_type)
      dg_udp_read_again(u);
  }
}

/* core.udp_recv_start(h, gro) -> status. With gro, the GRO reader reads
 * where the kernel has UDP_GRO; elsewhere libuv reads as without it. */
static int udp_recv_start(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  int err;
  if (lua_toboolean(L, 2) && dg_gro_start(u) == 0) {
    lua_pushinteger(L, 0);
    return 1;
  }
  err = uv_udp_recv_start(&u->handle, udp_alloc_cb, udp_recv_cb);
  lua_pushinteger(L, err == UV_EALREADY ? 0 : err);
  return 1;
}

/* [-0, +3|+2, -] address, family, port; or nil, status */
static int push_name(lua_State *L, int err, const struct sockaddr_storage *ss) {
  if (err != 0)
    return dg_push_fail(L, err);
  dg_addr_push(L, (const struct sockaddr *)ss);
  return 3;
}

static int udp_getsockname(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  struct sockaddr_storage ss;
  int len = sizeof ss;
  int err = uv_udp_getsockname(&u->handle, (struct sockaddr *)&ss, &len);
  return push_name(L, err, &ss);
}

static int udp_getpeername(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  struct sockaddr_storage ss;
  int len = sizeof ss;
  int err = uv_udp_getpeername(&u->handle, (struct sockaddr *)&ss, &len);
  return push_name(L, err, &ss);
}

/* core.udp_set_fast(h, on): Lua says whether sends of the common form may
 * take the fast path (bound, not connected or connecting, the default
 * look-up, no look-up pending). */
static int udp_set_fast(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  u->fast = lua_toboolean(L, 2);
  return 0;
}

/* core.udp_set_listener(h, fn|nil): Lua says which function is the
 * socket's single plain 'message' listener, to be called directly with
 * (msg, rinfo); nil: the message hook emits. Held only while the socket
 * is anchored (bound: Lua says it again then): a registry reference to a
 * listener that holds its unbound socket would keep both forever. */
static int udp_set_listener(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  lua_settop(L, 2);
  luaL_unref(L, LUA_REGISTRYINDEX, u->listener);
  u->listener_fn = lua_isfunction(L, 2) ? lua_topointer(L, 2) : NULL;
  u->listener = lua_isfunction(L, 2) && u->anchor != LUA_NOREF ? luaL_ref(L, LUA_REGISTRYINDEX)
                                                               : LUA_NOREF;
  return 0;
}

static int udp_ref(lua_State *L) {
  dg_udp *u = (dg_udp *)dg_handle_box(L, 1, &udp_type);
  if (u != NULL && !u->base.closed) {
    if (lua_toboolean(L, 2))
      uv_ref((uv_handle_t *)&u->handle);
    else
      uv_unref((uv_handle_t *)&u->handle);
    dg_gro_ref(u, lua_toboolean(L, 2));
  }
  return 0;
}

/* core.udp_fileno(h) -> fd, or nil while there is no OS socket */
static int udp_fileno(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  uv_os_fd_t fd;
  if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
    return 0;
  lua_pushinteger(L, fd);
  return 1;
}

/* core.udp_gro_coalesced(h) -> buffers the GRO reader split, or -1 when
 * libuv reads the socket (a debug aid for the specs). */
static int udp_gro_coalesced(lua_State *L) {
  lua_pushnumber(L, dg_gro_coalesced(dg_udp_check(L, 1)));
  return 1;
}

void dg_udp_open(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__gc", dg_handle_gc},
    {"__tostring", udp_tostring},
    {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"udp_new", udp_new},
    {"udp_close", udp_close_l},
    {"udp_is_closed", udp_is_closed},
    {"udp_bind", udp_bind},
    {"udp_open", udp_open},
    {"guess_handle", udp_guess_handle},
    {"udp_connect", udp_connect},
    {"udp_disconnect", udp_disconnect},
    {"udp_recv_start", udp_recv_start},
    {"udp_getsockname", udp_getsockname},
    {"udp_getpeername", udp_getpeername},
    {"udp_set_fast", udp_set_fast},
    {"udp_set_listener", udp_set_listener},
    {"udp_ref", udp_ref},
    {"udp_fileno", udp_fileno},
    {"udp_gro_coalesced", udp_gro_coalesced},
    {NULL, NULL}
  };
  static const char *const names[DG_NAME_COUNT] = {"address", "family", "port", "size", "IPv4", "IPv6"};
  dg_ctx *ctx = dg_ctx_loaded(L);
  int i;
  dg_keep_cfn(ctx, L, DG_CFN_MESSAGE, deliver_message);
  for (i = 0; i < DG_NAME_COUNT; i++) {
    if (ctx->names[i] == LUA_NOREF) {
      lua_pushstring(L, names[i]);
      ctx->names[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
  }
  if (luaL_newmetatable(L, UDP_MT)) {
    luaL_setfuncs(L, meta, 0);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  if (ctx->udp_mt == LUA_NOREF)
    ctx->udp_mt = luaL_ref(L, LUA_REGISTRYINDEX);
  else
    lua_pop(L, 1);
  if (ctx->bound_ref == LUA_NOREF) {
    lua_newtable(L);
    ctx->bound_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  dg_register(L, funcs);
  lua_createtable(L, 0, 2);
  lua_pushliteral(L, DG_DEFAULT_HOST4);
  lua_rawseti(L, -2, 4);
  lua_pushliteral(L, DG_DEFAULT_HOST6);
  lua_rawseti(L, -2, 6);
  lua_setfield(L, -2, "DEFAULT_HOST");
  lua_pushinteger(L, DG_BIND_REUSEADDR);
  lua_setfield(L, -2, "BIND_REUSEADDR");
  lua_pushinteger(L, DG_BIND_IPV6ONLY);
  lua_setfield(L, -2, "BIND_IPV6ONLY");
  lua_pushinteger(L, DG_BIND_REUSEPORT);
  lua_setfield(L, -2, "BIND_REUSEPORT");
}
