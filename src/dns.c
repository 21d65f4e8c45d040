/*
 * dns.c: the default look-up, uv_getaddrinfo on libuv's thread pool.
 * core.getaddrinfo(host, family, cb) calls cb(status, address, family)
 * through the invoke hook; family is 4, 6 or 0 (either). A look-up still
 * pending when the Lua state closes completes without calling Lua.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netdb.h>

#include "core.h"

typedef struct dns_req {
  uv_getaddrinfo_t req;
  dg_ctx *ctx;
  int cb;                /* registry ref of the Lua callback */
} dns_req;

/* (callback, status[, sockaddr]): callback(status[, address, family]),
 * run protected as making the address string may raise. */
static int deliver_answer(lua_State *L) {
  const struct sockaddr *sa = lua_touserdata(L, 3);
  lua_settop(L, 2);
  if (sa != NULL) {
    dg_addr_push(L, sa); /* address, family, port */
    lua_pop(L, 2);
    lua_pushinteger(L, sa->sa_family == AF_INET6 ? 6 : 4);
  }
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

/* Calls the callback under registry ref cb with the answer. */
static void answer(dg_ctx *ctx, lua_State *L, int cb, int status, const struct sockaddr *sa) {
  dg_push_hook(ctx, L, DG_HOOK_INVOKE);
  dg_push_cfn(ctx, L, DG_CFN_ANSWER);
  dg_getref(L, cb);
  luaL_unref(L, LUA_REGISTRYINDEX, cb);
  lua_pushinteger(L, status);
  if (status == 0)
    lua_pushlightuserdata(L, (void *)sa);
  else
    lua_pushnil(L);
  dg_pcall(ctx, L, 4);
}

static void replay_answer(dg_ctx *ctx, lua_State *L, dg_held *h) {
  answer(ctx, L, h->ref, h->status, (const struct sockaddr *)&h->addr);
}

static void getaddrinfo_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
  dns_req *dr = (dns_req *)req;
  dg_ctx *ctx = dr->ctx;
  lua_State *L = ctx->L;
  if (L != NULL) {
    struct addrinfo *ai = res;
    while (ai != NULL && ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
      ai = ai->ai_next;
    if (status == 0 && ai == NULL)
      status = UV_EAI_NODATA;
    if (dg_must_hold(ctx)) {
      dg_held *h = dg_hold(ctx, replay_answer, NULL, 0);
      if (h != NULL) {
        h->ref = dr->cb;
        h->status = status;
        if (status == 0)
          memcpy(&h->addr, ai->ai_addr, ai->ai_addrlen);
      }
    } else {
      answer(ctx, L, dr->cb, status, status == 0 ? ai->ai_addr : NULL);
    }
  }
  uv_freeaddrinfo(res);
  free(dr);
  dg_ctx_release(ctx);
}

static int dns_getaddrinfo(lua_State *L) {
  dg_ctx *ctx = dg_ctx_up(L);
  const char *host = luaL_checkstring(L, 1);
  lua_Integer family = luaL_optinteger(L, 2, 0);
  struct addrinfo hints;
  dns_req *dr;
  int cb, err;
  luaL_checktype(L, 3, LUA_TFUNCTION);
  memset(&hints, 0, sizeof hints);
  hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  lua_pushvalue(L, 3);
  cb = luaL_ref(L, LUA_REGISTRYINDEX);
  dr = malloc(sizeof *dr);
  if (dr == NULL) {
    luaL_unref(L, LUA_REGISTRYINDEX, cb);
    return luaL_error(L, "dgram: out of memory");
  }
  dr->ctx = ctx;
  dr->cb = cb;
  ctx->loop_used = 1;
  err = uv_getaddrinfo(ctx->loop, &dr->req, getaddrinfo_cb, host, NULL, &hints);
  if (err != 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, dr->cb);
    free(dr);
  } else {
    dg_ctx_hold(ctx);
  }
  lua_pushinteger(L, err);
  return 1;
}

void dg_dns_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"getaddrinfo", dns_getaddrinfo},
    {NULL, NULL}
  };
  dg_keep_cfn(dg_ctx_loaded(L), L, DG_CFN_ANSWER, deliver_answer);
  dg_register(L, funcs);
}
