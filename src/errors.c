/*
 * errors.c: libuv error codes for the Lua layer. C functions return libuv
 * status codes; lua/dgram/errors.lua names them through errname/strerror
 * and builds Node's error objects. core.errno maps names to codes, and
 * core.user_frames writes the frames of an error's `stack`.
 */
#include <stdio.h>
#include <string.h>

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

/* Whether a frame is none of the user's: C, Lua 5.1's record of a tail
 * call, or a function of the module's own files (source own_dir... or
 * own_front). */
static int frame_is_own(const lua_Debug *ar, const char *own_dir, size_t dir_len,
                        const char *own_front) {
  if (strcmp(ar->what, "Lua") != 0 && strcmp(ar->what, "main") != 0)
    return 1;
  return (own_front != NULL && strcmp(ar->source, own_front) == 0) ||
         (own_dir != NULL && strncmp(ar->source, own_dir, dir_len) == 0);
}

/* A frame as a line of Node's stack. */
static void add_frame(luaL_Buffer *b, const lua_Debug *ar) {
  char line[LUA_IDSIZE + 256];
  if (strcmp(ar->what, "C") == 0)
    snprintf(line, sizeof line, "    at %s ([C])", ar->name != NULL ? ar->name : "?");
  else if (strcmp(ar->what, "main") == 0)
    snprintf(line, sizeof line, "    at main chunk (%s:%d)", ar->short_src, ar->currentline);
  else if (ar->name != NULL)
    snprintf(line, sizeof line, "    at %.200s (%s:%d)", ar->name, ar->short_src, ar->currentline);
  else
    snprintf(line, sizeof line, "    at %s:%d", ar->short_src, ar->currentline);
  luaL_addstring(b, line);
}

/* core.user_frames(limit, own_dir, own_front) -> frames, where: up to
 * `limit` lines of Node's stack from the first frame of the caller's that
 * is the user's (when every frame is the module's, from the caller), and
 * `file:line` of the first one ("?" when it is C or there is none). In C:
 * debug.getinfo made a table a frame and cost ~25 us an error. */
static int errors_user_frames(lua_State *L) {
  int limit = (int)luaL_checkinteger(L, 1);
  size_t dir_len = 0;
  const char *own_dir = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &dir_len) : NULL;
  const char *own_front = lua_type(L, 3) == LUA_TSTRING ? lua_tostring(L, 3) : NULL;
  char where[LUA_IDSIZE + 32] = "?";
  lua_Debug ar;
  luaL_Buffer b;
  int level, first = 0, n = 0;
  for (level = 1; first == 0 && lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "S", &ar);
    if (!frame_is_own(&ar, own_dir, dir_len, own_front))
      first = level;
  }
  luaL_buffinit(L, &b);
  for (level = first > 0 ? first : 1; n < limit && lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sln", &ar);
    if (strcmp(ar.what, "tail") == 0)
      continue;
    if (n == 0 && strcmp(ar.what, "C") != 0)
      snprintf(where, sizeof where, "%s:%d", ar.short_src, ar.currentline);
    if (n > 0)
      luaL_addchar(&b, '\n');
    add_frame(&b, &ar);
    n++;
  }
  luaL_pushresult(&b);
  lua_pushstring(L, where);
  return 2;
}

void dg_errors_open(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"errname", errors_errname},
    {"strerror", errors_strerror},
    {"user_frames", errors_user_frames},
    {NULL, NULL}
  };
  dg_register(L, funcs);
  lua_newtable(L);
#define DG_ERRNO(name, _) lua_pushinteger(L, UV_##name); lua_setfield(L, -2, #name);
  UV_ERRNO_MAP(DG_ERRNO)
#undef DG_ERRNO
  lua_setfield(L, -2, "errno");
}
