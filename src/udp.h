/*
 * udp.h: the socket shared by udp.c (lifetime, bind, receive), udp_send.c
 * and udp_opts.c. Its lifetime is handle.c's.
 */
#ifndef DGRAM_UDP_H
#define DGRAM_UDP_H

#include <sys/types.h>

#include "core.h"

typedef struct dg_gro dg_gro;

#if defined(__GNUC__)
#pragma GCC visibility push(hidden) /* as core.h says */
#endif

struct dg_udp {
  dg_handle base;        /* first: handle.data points here */
  uv_udp_t handle;
  dg_udp *next_deferred; /* ctx's list of closes waiting for libuv to return */
  int anchor;            /* registry ref of the owner while bound and open */
  int family;            /* 4 or 6: addresses of the other family are EINVAL */
  /* The last destination parsed by a send: a client or a server sends to
   * the same few peers again and again. */
  struct sockaddr_storage dest;
  int dest_port;
  char dest_ip[DG_ADDRSTRLEN];
  unsigned busy;         /* depth of this handle's libuv callbacks in Lua */
  unsigned connected : 1; /* connect() succeeded, no disconnect() since */
  unsigned paused : 1;   /* stopped reading: the loop is halted (loop.c) or
                          * held_back; reads again once neither holds */
  unsigned held_back : 1; /* Lua's inbox is full (coro.c): stop reading at
                           * the end of the receive batch */
  unsigned fast : 1;     /* sends may take the fast path (core.udp_set_fast) */
  unsigned gso_probed : 1; /* UDP_SEGMENT was tried on the fd (gso.c) */
  unsigned gso_ok : 1;   /* a segmented send went out: refusals are per run */
  unsigned gso_off : 1;  /* the kernel refused segmentation: never again here */
  dg_gro *gro;           /* reading coalesced buffers itself (udp_gro.c), or NULL */
  int listener;          /* registry ref of the single plain 'message' listener */
  /* receive() in a coroutine (coro.c): while `waiter` (a registry ref)
   * is suspended having yielded `box`, the socket's userdata, and the
   * single listener is `inbox`, C resumes it with the next datagram. */
  int waiter;
  const void *box;       /* the socket's userdata */
  const void *inbox;     /* the inbox's listener function */
  const void *listener_fn; /* the single plain listener, or NULL */
};

/* Where Node sends when no address is given. */
#define DG_DEFAULT_HOST4 "127.0.0.1"
#define DG_DEFAULT_HOST6 "::1"

/* Checks that argument i is an open socket and returns it. */
dg_udp *dg_udp_check(lua_State *L, int i);

/* Parses ip and port into u->dest, through the one-entry cache. */
int dg_udp_dest(dg_udp *u, const char *ip, size_t len, int port);

/* udp_send.c: queues a copy of the datagram in libuv; done is the key of
 * a function called with (status, bytes) (udp_send.c's pending table), or
 * 0. Returns 0 or a libuv error. */
int dg_udp_queue(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr, int done);

/* batch.c: replies sent from a receive batch go out with one sendmmsg.
 * begin/end bracket u's receive batch; add copies a datagram into the
 * batch when u is in one (1) or says it can't (0); flush sends whatever
 * is batched, before a send, connect or disconnect that must come after
 * it; settle marks the end of one listener's turn; before_option sends
 * what an option set on u now must not affect. */
void dg_batch_begin(dg_udp *u);
void dg_batch_end(dg_udp *u);
int dg_batch_add(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr);
void dg_batch_flush(dg_ctx *ctx);
void dg_batch_settle(dg_udp *u);
void dg_batch_before_option(dg_udp *u);

/* Reads again after a pause, unless the loop is halted or u held back. */
void dg_udp_read_again(dg_udp *u);

/* coro.c: [-0, +0, -] resumes co, whose stack holds the nargs values for
 * it, from L. What it yields stays on its stack (receive() yields the
 * socket's userdata there); what it raises goes where a callback's error
 * goes, with co's traceback. */
void dg_coro_resume(dg_ctx *ctx, lua_State *L, lua_State *co, int nargs);
/* coro.c: resumes the coroutine waiting in receive() on u with the
 * datagram; 0 when none waits there (the listeners get it). */
int dg_coro_deliver(lua_State *L, dg_udp *u, const char *data, size_t size,
                    const struct sockaddr *addr, unsigned flags);
/* udp.c: [-0, +1, -] Pushes Node's rinfo for a datagram of `size` bytes. */
void dg_udp_push_rinfo(dg_ctx *ctx, lua_State *L, const struct sockaddr *addr,
                       size_t size, unsigned flags);

/* gso.c: sends datagrams in[0..n) in order, each in[i] one datagram whose
 * single iovec is the i-th of one array, merging runs with UDP_SEGMENT.
 * Returns 0, or a negative errno with *sent the datagrams that left
 * before the one that failed (-EAGAIN: the kernel would block). */
struct mmsghdr;
int dg_gso_send(dg_udp *u, int fd, const struct mmsghdr *in, unsigned n, unsigned *sent);

/* udp_gro.c: reads u's datagrams itself with UDP_GRO on, splitting what
 * the kernel coalesced. start: 0, or an error when the kernel lacks it
 * (then libuv reads as usual); stop/resume pause reading; close ends it. */
int dg_gro_start(dg_udp *u);
void dg_gro_stop(dg_udp *u);
void dg_gro_resume(dg_udp *u);
void dg_gro_close(dg_udp *u);
void dg_gro_ref(dg_udp *u, int ref);
/* Buffers that held more than one datagram; -1 when not reading with GRO. */
double dg_gro_coalesced(dg_udp *u);

/* udp.c: one datagram (or error) as libuv's receive callback has it: the
 * GRO reader hands its split datagrams in with UV_UDP_MMSG_CHUNK and ends
 * each read with UV_UDP_MMSG_FREE. */
void dg_udp_recv(dg_udp *u, ssize_t nread, const char *data, const struct sockaddr *addr,
                 unsigned flags);
/* udp.c: stops reading (libuv's or the GRO reader). */
void dg_udp_reading_stop(dg_udp *u);

/* udp_send.c: a queued send finished: calls done(status, size), the
 * function kept under key `done` (0: nobody waits), now or, while the loop
 * is halted, at the next run(). */
void dg_udp_send_complete(dg_udp *u, int done, int status, size_t size);
/* udp_send.c: [-1, +0, m] keeps the function on top for a queued send and
 * returns its key; [-0, +0, -] forgets it again (the send failed). */
int dg_pending_put(dg_ctx *ctx, lua_State *L);
void dg_pending_drop(dg_ctx *ctx, lua_State *L, int key);

/* [-0, +1, -] Pushes the owner (the Lua Socket) of u. */
void dg_udp_push_owner(lua_State *L, dg_udp *u);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif
