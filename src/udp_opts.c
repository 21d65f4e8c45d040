/*
 * udp_opts.c: socket options. Each returns a libuv status (0 or negative);
 * the buffer-size call returns the size or nil, status. Values arrive
 * already validated and converted by lua/dgram/socket.lua.
 */
#include "udp.h"

static int push_status(lua_State *L, int err) {
  lua_pushinteger(L, err);
  return 1;
}

/* The socket whose option is about to change (batch.c says what a change
 * must not affect). */
static dg_udp *option_target(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  dg_batch_before_option(u);
  return u;
}

static int udp_set_broadcast(lua_State *L) {
  dg_udp *u = option_target(L);
  return push_status(L, uv_udp_set_broadcast(&u->handle, lua_toboolean(L, 2)));
}

static int udp_set_ttl(lua_State *L) {
  dg_udp *u = option_target(L);
  return push_status(L, uv_udp_set_ttl(&u->handle, (int)luaL_checkinteger(L, 2)));
}

static int udp_set_multicast_ttl(lua_State *L) {
  dg_udp *u = option_target(L);
  return push_status(L, uv_udp_set_multicast_ttl(&u->handle, (int)luaL_checkinteger(L, 2)));
}

static int udp_set_multicast_loop(lua_State *L) {
  dg_udp *u = option_target(L);
  return push_status(L, uv_udp_set_multicast_loop(&u->handle, lua_toboolean(L, 2)));
}

static int udp_set_multicast_interface(lua_State *L) {
  dg_udp *u = option_target(L);
  return push_status(L, uv_udp_set_multicast_interface(&u->handle, luaL_checkstring(L, 2)));
}

/* core.udp_set_membership(h, group, iface|nil, join) */
static int udp_set_membership(lua_State *L) {
  dg_udp *u = option_target(L);
  const char *group = luaL_checkstring(L, 2);
  const char *iface = luaL_optstring(L, 3, NULL);
  uv_membership m = lua_toboolean(L, 4) ? UV_JOIN_GROUP : UV_LEAVE_GROUP;
  return push_status(L, uv_udp_set_membership(&u->handle, group, iface, m));
}

/* core.udp_set_source_membership(h, source, group, iface|nil, join) */
static int udp_set_source_membership(lua_State *L) {
  dg_udp *u = option_target(L);
  const char *source = luaL_checkstring(L, 2);
  const char *group = luaL_checkstring(L, 3);
  const char *iface = luaL_optstring(L, 4, NULL);
  uv_membership m = lua_toboolean(L, 5) ? UV_JOIN_GROUP : UV_LEAVE_GROUP;
  return push_status(L, uv_udp_set_source_membership(&u->handle, group, iface, source, m));
}

/* core.udp_buffer_size(h, recv, size) -> size | nil, status; size 0 reads. */
static int udp_buffer_size(lua_State *L) {
  dg_udp *u = dg_udp_check(L, 1);
  int recv = lua_toboolean(L, 2);
  int value = (int)luaL_checkinteger(L, 3);
  int err;
  if (value != 0)
    dg_batch_before_option(u);
  err = recv ? uv_recv_buffer_size((uv_handle_t *)&u->handle, &value)
             : uv_send_buffer_size((uv_handle_t *)&u->handle, &value);
  if (err != 0)
    return dg_push_fail(L, err);
  lua_pushinteger(L, value);
  return 1;
}

void dg_udp_opts_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"udp_set_broadcast", udp_set_broadcast},
    {"udp_set_ttl", udp_set_ttl},
    {"udp_set_multicast_ttl", udp_set_multicast_ttl},
    {"udp_set_multicast_loop", udp_set_multicast_loop},
    {"udp_set_multicast_interface", udp_set_multicast_interface},
    {"udp_set_membership", udp_set_membership},
    {"udp_set_source_membership", udp_set_source_membership},
    {"udp_buffer_size", udp_buffer_size},
    {NULL, NULL}
  };
  dg_register(L, funcs);
}
