/*
 * addr.c: socket addresses between C and Lua. Parsing of IP literals (with
 * an IPv6 %zone), formatting with the zone of link-local senders as an
 * interface name (Node's rinfo), and core.isip (Node's net.isIP).
 */
#include <string.h>
#include <net/if.h>
#include <arpa/inet.h>

#include "core.h"

int dg_addr_parse(const char *ip, int port, int family, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  if (family != 6 && uv_ip4_addr(ip, port, (struct sockaddr_in *)ss) == 0)
    return 0;
  if (family != 4 && strchr(ip, ':') != NULL &&
      uv_ip6_addr(ip, port, (struct sockaddr_in6 *)ss) == 0)
    return 0;
  return UV_EINVAL;
}

/* Writes the dotted quad of a (network order) into buf; returns its length.
 * Hand-written because inet_ntop goes through sprintf on the receive path. */
static int format_ip4(const unsigned char *a, char *buf) {
  char *p = buf;
  int i;
  for (i = 0; i < 4; i++) {
    unsigned v = a[i];
    if (v >= 100) {
      *p++ = (char)('0' + v / 100);
      v %= 100;
      *p++ = (char)('0' + v / 10);
    } else if (v >= 10) {
      *p++ = (char)('0' + v / 10);
    }
    *p++ = (char)('0' + v % 10);
    *p++ = '.';
  }
  *--p = '\0';
  return (int)(p - buf);
}

int dg_addr_format(const struct sockaddr *sa, char *buf, size_t size) {
  if (sa->sa_family == AF_INET) {
    if (size < INET_ADDRSTRLEN)
      return UV_ENOSPC;
    return format_ip4((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr, buf);
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;
    size_t len;
    int err = uv_ip6_name(a6, buf, size);
    if (err != 0)
      return err;
    len = strlen(buf);
    if (a6->sin6_scope_id != 0 && len + 2 + IF_NAMESIZE <= size) {
      size_t n = size - len - 1;
      buf[len] = '%';
      if (uv_if_indextoname(a6->sin6_scope_id, buf + len + 1, &n) == 0)
        len += 1 + n;
      else
        buf[len] = '\0';
    }
    return (int)len;
  }
  return UV_EAFNOSUPPORT;
}

int dg_addr_port(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
  return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

void dg_addr_push(lua_State *L, const struct sockaddr *sa) {
  char buf[DG_ADDRSTRLEN];
  int len = dg_addr_format(sa, buf, sizeof buf);
  if (len < 0)
    lua_pushnil(L);
  else
    lua_pushlstring(L, buf, (size_t)len);
  if (sa->sa_family == AF_INET6)
    lua_pushliteral(L, "IPv6");
  else
    lua_pushliteral(L, "IPv4");
  lua_pushinteger(L, dg_addr_port(sa));
}

static size_t sockaddr_size(const struct sockaddr *sa) {
  return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

void dg_addr_push_peer(dg_ctx *ctx, lua_State *L, const struct sockaddr *sa) {
  size_t size = sockaddr_size(sa);
  char buf[DG_ADDRSTRLEN];
  int len;
  if (ctx->peer_ref != LUA_NOREF && memcmp(&ctx->peer, sa, size) == 0) {
    dg_getref(L, ctx->peer_ref);
    return;
  }
  len = dg_addr_format(sa, buf, sizeof buf);
  if (len < 0) {
    lua_pushnil(L);
    return;
  }
  lua_pushlstring(L, buf, (size_t)len);
  lua_pushvalue(L, -1);
  if (ctx->peer_ref == LUA_NOREF)
    ctx->peer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  else
    lua_rawseti(L, LUA_REGISTRYINDEX, ctx->peer_ref);
  memset(&ctx->peer, 0, sizeof ctx->peer);
  memcpy(&ctx->peer, sa, size);
}

/* core.isip(s) -> 0, 4 or 6, as Node's net.isIP (an IPv6 %zone is allowed). */
static int addr_isip(lua_State *L) {
  size_t len;
  const char *s = lua_tolstring(L, 1, &len);
  unsigned char tmp[sizeof(struct in6_addr)];
  int family = 0;
  if (s != NULL && strlen(s) == len) {
    if (uv_inet_pton(AF_INET, s, tmp) == 0)
      family = 4;
    else if (uv_inet_pton(AF_INET6, s, tmp) == 0)
      family = 6;
  }
  lua_pushinteger(L, family);
  return 1;
}

void dg_addr_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"isip", addr_isip},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
