/*
 * udp_many.c: sendMany's mechanism, core.udp_send_many. A list of
 * datagrams to one destination leaves through the socket's fd in as few
 * system calls as the kernel allows (gso.c), in order with every other
 * send: batched replies are flushed first, and while libuv's queue holds
 * sends nothing overtakes it. What the kernel would block on goes to
 * libuv's queue, one request per datagram, sharing one completion that
 * reports the first error and how many datagrams left.
 */
#define _GNU_SOURCE /* struct mmsghdr */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "udp.h"

/* Datagrams handed to the kernel per dg_gso_send call. */
#define MANY_WINDOW 256

/* The queued tail of one sendMany: its requests finish in order. */
typedef struct many_group {
  int done;          /* pending key of done(status, count), or 0 */
  unsigned left;     /* requests not yet finished */
  unsigned sent;     /* datagrams the kernel took */
  int status;        /* the first error, or 0 */
} many_group;

typedef struct many_req {
  uv_udp_send_t req;
  dg_ctx *ctx;
  many_group *group;
  char data[];
} many_req;

static void many_send_cb(uv_udp_send_t *req, int status) {
  many_req *mr = (many_req *)req;
  many_group *g = mr->group;
  dg_ctx *ctx = mr->ctx;
  if (status < 0 && g->status == 0)
    g->status = status;
  else if (status >= 0)
    g->sent++;
  if (--g->left == 0) {
    dg_udp_send_complete(req->handle->data, g->done, g->status, g->sent);
    free(g);
  }
  free(mr);
  dg_ctx_release(ctx);
}

/* Queues datagrams [from, n) of the list at index 2 in libuv. Returns 0
 * (g then owns `done`) or an error when not even the first was queued. */
static int queue_rest(lua_State *L, dg_udp *u, unsigned from, unsigned n,
                      const struct sockaddr *addr, many_group *g) {
  unsigned i;
  for (i = from; i < n; i++) {
    size_t len;
    const char *s;
    many_req *mr;
    uv_buf_t buf;
    int err;
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    s = lua_tolstring(L, -1, &len);
    mr = malloc(sizeof *mr + len);
    err = mr == NULL ? UV_ENOMEM : 0;
    if (err == 0) {
      memcpy(mr->data, s, len);
      mr->ctx = u->base.ctx;
      mr->group = g;
      buf = uv_buf_init(mr->data, (unsigned)len);
      err = uv_udp_send(&mr->req, &u->handle, &buf, 1, addr, many_send_cb);
      if (err != 0)
        free(mr);
    }
    lua_pop(L, 1);
    if (err != 0) {
      /* The rest is dropped; what was queued still reports. */
      if (g->left == 0)
        return err;
      g->status = err;
      return 0;
    }
    g->left++;
    dg_ctx_hold(u->base.ctx);
  }
  return 0;
}

/* Sends what the kernel takes now, from datagram 0. Returns how many left
 * and sets *err: 0 (all), UV_EAGAIN (the rest must queue), or the error
 * of the datagram after those. */
static unsigned send_now(lua_State *L, dg_udp *u, unsigned n, const struct sockaddr *addr,
                         int *err) {
  struct mmsghdr in[MANY_WINDOW];
  struct iovec iov[MANY_WINDOW];
  socklen_t namelen = addr == NULL ? 0
                    : addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                  : sizeof(struct sockaddr_in);
  unsigned base = 0;
  uv_os_fd_t fd;
  *err = 0;
  if (u->base.ctx->no_try_send || uv_udp_get_send_queue_count(&u->handle) != 0 ||
      uv_fileno((uv_handle_t *)&u->handle, &fd) != 0) {
    *err = UV_EAGAIN;
    return 0;
  }
  while (base < n) {
    unsigned w = n - base < MANY_WINDOW ? n - base : MANY_WINDOW, i, sent;
    int r;
    for (i = 0; i < w; i++) {
      struct msghdr *h = &in[i].msg_hdr;
      size_t len;
      lua_rawgeti(L, 2, (lua_Integer)(base + i) + 1);
      iov[i].iov_base = (char *)lua_tolstring(L, -1, &len);
      iov[i].iov_len = len;
      lua_pop(L, 1); /* the list keeps the string alive */
      memset(h, 0, sizeof *h);
      h->msg_name = (void *)addr;
      h->msg_namelen = namelen;
      h->msg_iov = &iov[i];
      h->msg_iovlen = 1;
    }
    r = dg_gso_send(u, fd, in, w, &sent);
    base += sent;
    if (r == -EAGAIN || r == -EWOULDBLOCK || r == -ENOBUFS) {
      *err = UV_EAGAIN;
      break;
    }
    if (r < 0) {
      *err = r;
      break;
    }
  }
  return base;
}

/* core.udp_send_many(h, list, ip|nil, port, done|nil) -> count + 1 when
 * every datagram left now; 0 when some were queued (done(status, count)
 * follows); or nil, status, count. The list holds strings only (Lua
 * checked); ip is a literal of the socket's family, nil when connected. */
static int udp_send_many(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  dg_ctx *ctx = u->base.ctx;
  const struct sockaddr *addr = NULL;
  unsigned n, sent;
  int err = 0, has_done = !lua_isnoneornil(L, 5);
  many_group *g;
  unsigned i;
  luaL_checktype(L, 2, LUA_TTABLE);
  n = (unsigned)luaL_len(L, 2);
  lua_settop(L, 5);
  for (i = 0; i < n; i++) { /* strings only, before anything is sent */
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    luaL_checktype(L, -1, LUA_TSTRING);
    lua_pop(L, 1);
  }
  if (!lua_isnil(L, 3)) {
    size_t len;
    const char *ip = luaL_checklstring(L, 3, &len);
    err = dg_udp_dest(u, ip, len, (int)luaL_checkinteger(L, 4));
    addr = (const struct sockaddr *)&u->dest;
  }
  /* As uv_udp_try_send answers a destination that does not fit. */
  if (err == 0 && addr != NULL && u->connected)
    err = UV_EISCONN;
  else if (err == 0 && addr == NULL && !u->connected)
    err = UV_EDESTADDRREQ;
  if (err != 0) {
    lua_pushnil(L);
    lua_pushinteger(L, err);
    lua_pushinteger(L, 0);
    return 3;
  }
  if (n == 0) {
    lua_pushinteger(L, 1);
    return 1;
  }
  dg_batch_flush(ctx); /* batched replies were sent before this */
  sent = send_now(L, u, n, addr, &err);
  if (err == UV_EAGAIN) {
    g = calloc(1, sizeof *g);
    if (g == NULL) {
      err = UV_ENOMEM;
    } else {
      g->sent = sent;
      err = queue_rest(L, u, sent, n, addr, g);
      if (err != 0) {
        free(g);
      } else {
        if (has_done) {
          lua_pushvalue(L, 5);
          g->done = dg_pending_put(ctx, L);
        }
        lua_pushinteger(L, 0);
        return 1;
      }
    }
  }
  if (err != 0) {
    lua_pushnil(L);
    lua_pushinteger(L, err);
    lua_pushinteger(L, (lua_Integer)sent);
    return 3;
  }
  lua_pushinteger(L, (lua_Integer)sent + 1);
  return 1;
}

/* core.udp_gso_state(h) -> "unknown", "on" or "off": whether segmentation
 * was tried, worked, or was refused for good on this socket (specs). */
static int udp_gso_state(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  lua_pushstring(L, u->gso_off ? "off" : u->gso_ok ? "on" : "unknown");
  return 1;
}

void dg_udp_many_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"udp_send_many", udp_send_many},
    {"udp_gso_state", udp_gso_state},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
