/*
 * dgram.h: the embedding API of the dgram Lua module.
 * A host that runs its own libuv loop hands it to the module before the
 * first `require "dgram"`; or it lets the module make its loop and takes it
 * afterwards to drive it from its own frame loop. All functions take the
 * lua_State that loads (or loaded) the module.
 */
#ifndef DGRAM_H
#define DGRAM_H

#include <lua.h>
#include <uv.h>

#if defined(__GNUC__)
#define DGRAM_API __attribute__((visibility("default")))
#else
#define DGRAM_API
#endif

/* Makes the module use `loop` instead of creating its own. Call before the
 * module is loaded in L. The loop must outlive the lua_State; the module
 * closes its own handles when L closes but never closes the host's loop.
 * Returns 0, or -1 when the module is already loaded in L. */
DGRAM_API int dgram_set_loop(lua_State *L, uv_loop_t *loop);

/* The loop the module runs on in L (its own or the host's), or NULL when the
 * module is not loaded in L. */
DGRAM_API uv_loop_t *dgram_get_loop(lua_State *L);

/* The C entry point of `require "dgram.core"`. */
DGRAM_API int luaopen_dgram_core(lua_State *L);

#endif
