/*
 * handle.c: the lifetime every handle userdata shares (sockets, timers),
 * as luv's lhandle.c does for luv's. The userdata holds a pointer to a
 * malloc'd struct that starts with a dg_handle and holds the uv handle:
 * libuv needs it until the close callback has run, which may be after the
 * userdata was collected. And the userdata may be freed without its __gc
 * (an error in a finalizer, "C stack overflow" deep in a script, skips
 * it), so nothing here points back at the userdata. The struct is freed
 * when both are done: the handle closed and the userdata collected, or the
 * state closing (at lua_close every userdata's __gc has run before the
 * context's own, as finalizers run in the reverse order of creation).
 */
#include <stdlib.h>

#include "core.h"

void dg_handle_init(dg_handle *h, const dg_handle_type *type, dg_ctx *ctx) {
  h->type = type;
  h->ctx = ctx;
  h->closed = h->closing = h->collected = h->handle_closed = 0;
  DG_LIST_PUSH(ctx->handles, h);
  ctx->live_handles++;
  ctx->loop_used = 1;
  dg_ctx_hold(ctx);
}

static void handle_close_cb(uv_handle_t *uvh) {
  dg_handle *h = uvh->data;
  dg_ctx *ctx = h->ctx;
  ctx->live_handles--;
  if (h->collected || ctx->L == NULL) {
    free(h);
  } else {
    h->handle_closed = 1;
    DG_LIST_PUSH(ctx->closed_handles, h);
  }
  dg_ctx_release(ctx);
}

void dg_handle_close_now(dg_handle *h, uv_handle_t *uvh) {
  if (h->closing)
    return;
  h->closing = 1;
  DG_LIST_UNLINK(h->ctx->handles, h);
  uv_close(uvh, handle_close_cb);
}

dg_handle *dg_handle_box(lua_State *L, int i, const dg_handle_type *type) {
  return *(dg_handle **)luaL_checkudata(L, i, type->metatable);
}

int dg_handle_gc(lua_State *L) {
  dg_handle **box = lua_touserdata(L, 1);
  dg_handle *h = *box;
  if (h == NULL)
    return 0;
  *box = NULL;
  h->collected = 1;
  /* Open sockets and started timers collected: left at lua_close (an
   * unbound socket may also be one the script dropped, a harmless miscount
   * for the notice of a script that never ran the loop, core.c). */
  if (!h->closed && (h->type->kind == DG_KIND_SOCKET || h->type->active(h)))
    h->ctx->left_open[h->type->kind]++;
  if (h->handle_closed) {
    DG_LIST_UNLINK(h->ctx->closed_handles, h);
    free(h);
  } else {
    h->type->close(h->ctx->L != NULL ? L : NULL, h);
  }
  return 0;
}

void dg_handles_teardown(dg_ctx *ctx) {
  while (ctx->closed_handles != NULL) { /* userdata never finalized */
    dg_handle *h = ctx->closed_handles;
    ctx->closed_handles = h->next;
    free(h);
  }
  while (ctx->handles != NULL)
    ctx->handles->type->close(NULL, ctx->handles);
}

void dg_handles_close_all(lua_State *L, dg_ctx *ctx) {
  dg_handle *h = ctx->handles, *next;
  for (; h != NULL; h = next) {
    next = h->next;
    h->type->close(L, h);
  }
}

int dg_handles_active(dg_ctx *ctx) {
  int n = 0;
  dg_handle *h;
  for (h = ctx->handles; h != NULL; h = h->next)
    n += !h->closed && h->type->active(h);
  return n;
}
