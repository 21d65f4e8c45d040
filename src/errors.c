/*
 * errors.c: libuv error codes for the Lua layer. C functions return libuv
 * status codes; lua/dgram/errors.lua names them through errname/strerror
 * and builds Node's error objects. core.errno maps names to codes.
 */
#include "core.h"

static int errors_errname(lua_State *L) {
  int err = (int)luaL_checkinteger(L, 1);
  /* uv_err_name leaks a string for unknown codes; Node says UNKNOWN. */
  switch (err) {
#define DG_ERRNAME(name, _) case UV_##name: lua_pushliteral(L, #name); return 1;
    UV_ERRNO_MAP(DG_ERRNAME)
#undef DG_ERRNAME
  }
  lua_pushliteral(L, "UNKNOWN");
  return 1;
}

static int errors_strerror(lua_State *L) {
  int err = (int)luaL_checkinteger(L, 1);
  switch (err) {
#define DG_STRERROR(name, msg) case UV_##name: lua_pushliteral(L, msg); return 1;
    UV_ERRNO_MAP(DG_STRERROR)
#undef DG_STRERROR
  }
  lua_pushliteral(L, "unknown error");
  return 1;
}

void dg_errors_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"errname", errors_errname},
    {"strerror", errors_strerror},
    {NULL, NULL}
  };
  dg_register(L, funcs);
  lua_newtable(L);
#define DG_ERRNO(name, _) lua_pushinteger(L, UV_##name); lua_setfield(L, -2, #name);
  UV_ERRNO_MAP(DG_ERRNO)
#undef DG_ERRNO
  lua_setfield(L, -2, "errno");
}
