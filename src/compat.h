/*
 * compat.h: the Lua 5.4 C API that the module uses, on Lua 5.1 (and
 * LuaJIT, which has 5.1's API), 5.2 and 5.3. Only what src/ uses; each
 * shim behaves as 5.4's function does for the module's own calls.
 */
#ifndef DGRAM_COMPAT_H
#define DGRAM_COMPAT_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#if LUA_VERSION_NUM < 504
/* One user value, the owner table (5.1 and 5.2 take only tables). */
#define lua_newuserdatauv(L, size, nuv) lua_newuserdata((L), (size))
#if LUA_VERSION_NUM < 502
#define lua_setiuservalue(L, idx, n) lua_setfenv((L), (idx))
#define lua_getiuservalue(L, idx, n) (lua_getfenv((L), (idx)), lua_type((L), -1))
#else
#define lua_setiuservalue(L, idx, n) lua_setuservalue((L), (idx))
#define lua_getiuservalue(L, idx, n) (lua_getuservalue((L), (idx)), lua_type((L), -1))
#endif

static inline int dg_compat_typeerror(lua_State *L, int arg, const char *tname) {
  return luaL_argerror(L, arg, lua_pushfstring(L, "%s expected, got %s", tname, luaL_typename(L, arg)));
}
#define luaL_typeerror dg_compat_typeerror
#endif

#if LUA_VERSION_NUM < 503
/* 5.3 made these return the type of the value pushed. */
static inline int dg_compat_rawget(lua_State *L, int idx) {
  lua_rawget(L, idx);
  return lua_type(L, -1);
}
static inline int dg_compat_getfield(lua_State *L, int idx, const char *k) {
  lua_getfield(L, idx, k);
  return lua_type(L, -1);
}
#define lua_rawget dg_compat_rawget
#define lua_getfield dg_compat_getfield

/* An integral number that a lua_Integer holds exactly. */
static inline int dg_compat_isinteger(lua_State *L, int idx) {
  lua_Number n;
  if (lua_type(L, idx) != LUA_TNUMBER)
    return 0;
  n = lua_tonumber(L, idx);
  return n >= -9007199254740992.0 && n <= 9007199254740992.0 && n == (lua_Number)(lua_Integer)n;
}
#define lua_isinteger dg_compat_isinteger

/* Only the rotations the module makes: by one place either way. */
static inline void dg_compat_rotate(lua_State *L, int idx, int n) {
  if (n == -1) {
    lua_pushvalue(L, idx);
    lua_remove(L, idx < 0 ? idx - 1 : idx);
  } else {
    lua_insert(L, idx);
  }
}
#define lua_rotate dg_compat_rotate
#endif

#if LUA_VERSION_NUM < 502 && !defined(LUA_JITLIBNAME)
/* Lua 5.1 has no luaL_traceback (LuaJIT has): debug.traceback's, when the
 * host opened the debug library, else none. */
static inline void dg_compat_traceback(lua_State *L, lua_State *L1, const char *msg, int level) {
  int other = L1 != L;
  lua_getfield(L, LUA_GLOBALSINDEX, "debug");
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "traceback");
    lua_remove(L, -2);
    if (other) { /* debug.traceback(thread, msg, level) */
      lua_pushthread(L1);
      lua_xmove(L1, L, 1);
    }
    lua_pushstring(L, msg != NULL ? msg : "");
    lua_pushinteger(L, other ? level : level + 1); /* counted from debug.traceback */
    if (lua_pcall(L, 2 + other, 1, 0) == 0 && lua_isstring(L, -1)) {
      /* 5.1's debug.traceback puts a newline after the message even when
       * it is empty; luaL_traceback puts none without one. */
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if ((msg == NULL || *msg == '\0') && len > 0 && s[0] == '\n') {
        lua_pushlstring(L, s + 1, len - 1);
        lua_remove(L, -2);
      }
      return;
    }
  }
  lua_pop(L, 1);
  lua_pushstring(L, msg != NULL ? msg : "");
}
#define luaL_traceback dg_compat_traceback
#endif

#if LUA_VERSION_NUM < 502
/* [-0, +0, m] The thread that callbacks run on. 5.1 names no main thread:
 * L when it is the main one (a require from the main chunk), else a thread
 * of the module's own, which the registry keeps. (LuaJIT's compiled code
 * breaks when a C function calls into another thread than the main one,
 * so the main thread is taken whenever it is known.) */
static inline lua_State *dg_compat_mainthread(lua_State *L) {
  lua_State *T;
  int ismain = lua_pushthread(L);
  lua_pop(L, 1);
  if (ismain)
    return L;
  T = lua_newthread(L);
  luaL_ref(L, LUA_REGISTRYINDEX);
  return T;
}
#else
/* [-0, +0, -] The main thread, which callbacks run on. */
static inline lua_State *dg_compat_mainthread(lua_State *L) {
  lua_State *T;
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  T = lua_tothread(L, -1);
  lua_pop(L, 1);
  return T;
}
#endif

#if LUA_VERSION_NUM < 502
/* 5.1 and LuaJIT unload a C library when the userdata holding its handle
 * is finalized, and lua_close finalizes newest first: an object finalized
 * after it (one made before the require) would call into unmapped code.
 * core.c then keeps the module loaded for the life of the process. */
#define DG_COMPAT_PIN_LIBRARY 1

#define LUA_OK 0
#define luaL_len(L, idx) ((lua_Integer)lua_objlen((L), (idx)))
#define luaL_setfuncs(L, l, nup) luaL_register((L), NULL, (l)) /* nup 0 only */
#define luaL_setmetatable(L, tname) (luaL_getmetatable((L), (tname)), lua_setmetatable((L), -2))
#endif

#endif
