/*
 * udp_gro.c: reading with UDP_GRO (createSocket{gro = true}). The kernel
 * then hands over one buffer of several datagrams from one sender and
 * their segment size in a UDP_GRO cmsg, which libuv 1.44 cannot report.
 * So libuv does not read such a socket: a uv_poll on a dup of its fd
 * (libuv keeps one watcher per fd number) wakes this reader, which reads
 * with recvmmsg into the context's slab, cuts each buffer at the segment
 * size and hands every datagram to udp.c as libuv's receive callback
 * would (one chunk each, then the end of the batch): each is one
 * 'message' with its own rinfo.size, in order.
 */
#define _GNU_SOURCE /* recvmmsg */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include "udp.h"

#ifdef __linux__

#ifndef UDP_GRO /* older C library headers; the kernel ABI's value */
#define UDP_GRO 104
#endif

/* A coalesced buffer holds at most 64 KiB; the slab holds 20 of them. */
#define GRO_BUF (64 * 1024)
#define GRO_MSGS 20
/* A wake-up reads again while it delivered fewer datagrams than this (and
 * the last read filled every buffer); then the loop's other work gets a
 * turn, as libuv gives it after 32 datagrams. */
#define GRO_DATAGRAMS 256

struct dg_gro {
  uv_poll_t poll;
  int fd;            /* our dup of the socket's fd */
  dg_udp *u;         /* NULL once closing */
  double coalesced;  /* buffers that held more than one datagram */
};

typedef union gro_cmsg {
  char buf[CMSG_SPACE(sizeof(int))];
  size_t align; /* cmsghdr's alignment (it ends in a flexible array) */
} gro_cmsg;

/* The segment size of a received buffer, or 0: one datagram. */
static size_t segment_size(struct msghdr *h) {
  struct cmsghdr *c;
  for (c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
      int size;
      memcpy(&size, CMSG_DATA(c), sizeof size);
      return size > 0 ? (size_t)size : 0;
    }
  }
  return 0;
}

/* Hands the datagrams of one buffer to udp.c. Returns how many, or 0 when
 * u stopped reading meanwhile (closed, or paused by a raised error). */
static unsigned deliver_buffer(dg_udp *u, struct mmsghdr *m) {
  struct msghdr *h = &m->msg_hdr;
  const char *data = h->msg_iov[0].iov_base;
  size_t len = m->msg_len, seg = segment_size(h), off = 0;
  unsigned n = 0;
  unsigned flags = UV_UDP_MMSG_CHUNK | (h->msg_flags & MSG_TRUNC ? UV_UDP_PARTIAL : 0);
  if (seg == 0 || seg > len)
    seg = len;
  if (seg < len)
    u->gro->coalesced++;
  do {
    size_t size = len - off < seg ? len - off : seg;
    dg_udp_recv(u, (ssize_t)size, data + off, h->msg_name, flags);
    if (u->base.closed || u->gro == NULL || u->paused)
      return 0;
    off += size;
    n++;
  } while (off < len);
  return n;
}

static void gro_poll_cb(uv_poll_t *poll, int status, int events) {
  dg_gro *g = poll->data;
  dg_udp *u = g->u;
  dg_ctx *ctx = u->base.ctx;
  struct mmsghdr msgs[GRO_MSGS];
  struct iovec iov[GRO_MSGS];
  struct sockaddr_storage names[GRO_MSGS];
  gro_cmsg cmsgs[GRO_MSGS];
  unsigned want = (unsigned)(ctx->slab_size / GRO_BUF), delivered = 0, i;
  (void)events;
  if (status < 0) {
    dg_udp_recv(u, status, NULL, NULL, 0);
    return;
  }
  if (want > GRO_MSGS)
    want = GRO_MSGS;
  while (delivered < GRO_DATAGRAMS) {
    int r;
    for (i = 0; i < want; i++) {
      struct msghdr *h = &msgs[i].msg_hdr;
      iov[i].iov_base = ctx->slab + (size_t)i * GRO_BUF;
      iov[i].iov_len = GRO_BUF;
      memset(h, 0, sizeof *h);
      h->msg_name = &names[i];
      h->msg_namelen = sizeof names[i];
      h->msg_iov = &iov[i];
      h->msg_iovlen = 1;
      h->msg_control = cmsgs[i].buf;
      h->msg_controllen = sizeof cmsgs[i].buf;
    }
    do
      r = recvmmsg(g->fd, msgs, want, MSG_DONTWAIT, NULL);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        dg_udp_recv(u, -errno, NULL, NULL, 0);
      return;
    }
    for (i = 0; i < (unsigned)r; i++) {
      unsigned n = deliver_buffer(u, &msgs[i]);
      if (n == 0)
        break;
      delivered += n;
    }
    if (u->base.closed)
      return;
    dg_udp_recv(u, 0, NULL, NULL, UV_UDP_MMSG_FREE); /* the end of the batch */
    if (i < (unsigned)r || (unsigned)r < want || u->base.closed || u->paused)
      return;
  }
}

/* The reader for u's fd; 0 or an error (nothing is left behind then). */
static int gro_open(dg_udp *u, int fd) {
  int err;
  dg_gro *g = calloc(1, sizeof *g);
  if (g == NULL)
    return UV_ENOMEM;
  g->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (g->fd < 0) {
    err = -errno;
    free(g);
    return err;
  }
  err = uv_poll_init(u->base.ctx->loop, &g->poll, g->fd);
  if (err != 0) {
    close(g->fd);
    free(g);
    return err;
  }
  g->poll.data = g;
  g->u = u;
  u->gro = g;
  if (!uv_has_ref((uv_handle_t *)&u->handle))
    uv_unref((uv_handle_t *)&g->poll);
  return 0;
}

int dg_gro_start(dg_udp *u) {
  int on = 1, off = 0, err;
  uv_os_fd_t fd;
  if (u->gro != NULL)
    return 0;
  if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
    return UV_EBADF;
  if (setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on) != 0)
    return -errno;
  err = gro_open(u, fd);
  if (err == 0)
    err = uv_poll_start(&u->gro->poll, UV_READABLE, gro_poll_cb);
  if (err != 0) {
    /* libuv reads instead, and could not split what the kernel coalesced. */
    dg_gro_close(u);
    setsockopt(fd, SOL_UDP, UDP_GRO, &off, sizeof off);
  }
  return err;
}

void dg_gro_stop(dg_udp *u) {
  if (u->gro != NULL)
    uv_poll_stop(&u->gro->poll);
}

void dg_gro_resume(dg_udp *u) {
  if (u->gro != NULL)
    uv_poll_start(&u->gro->poll, UV_READABLE, gro_poll_cb);
}

void dg_gro_ref(dg_udp *u, int ref) {
  if (u->gro == NULL)
    return;
  if (ref)
    uv_ref((uv_handle_t *)&u->gro->poll);
  else
    uv_unref((uv_handle_t *)&u->gro->poll);
}

double dg_gro_coalesced(dg_udp *u) {
  return u->gro != NULL ? u->gro->coalesced : -1;
}

/* Touches nothing but the reader: it may run after the Lua state closed. */
static void gro_close_cb(uv_handle_t *h) {
  dg_gro *g = h->data;
  close(g->fd);
  free(g);
}

void dg_gro_close(dg_udp *u) {
  dg_gro *g = u->gro;
  if (g == NULL)
    return;
  u->gro = NULL;
  g->u = NULL;
  uv_close((uv_handle_t *)&g->poll, gro_close_cb);
}

#else /* no UDP_GRO: the option changes nothing */

int dg_gro_start(dg_udp *u) { (void)u; return UV_ENOTSUP; }
void dg_gro_stop(dg_udp *u) { (void)u; }
void dg_gro_resume(dg_udp *u) { (void)u; }
void dg_gro_ref(dg_udp *u, int ref) { (void)u; (void)ref; }
void dg_gro_close(dg_udp *u) { (void)u; }
double dg_gro_coalesced(dg_udp *u) { (void)u; return -1; }

#endif
