/*
 * batch.c: replies to a receive batch leave in one sendmmsg, consecutive
 * replies to one peer with one size merged by segmentation offload
 * (gso.c). With
 * UV_UDP_RECVMMSG libuv hands over up to 20 datagrams per wake-up; sends
 * on that socket without a callback (nobody can see when they leave) are
 * copied here and flushed at the batch's end, which libuv marks with
 * UV_UDP_MMSG_FREE. libuv 1.44 has no batch send (uv_udp_try_send2 is
 * 1.50), so this calls sendmmsg on the socket's fd.
 *
 * Nothing may observe that a batched datagram left late. So the batch is
 * flushed before anything whose outcome depends on it: any send that is
 * not batched (on any socket: datagrams never overtake), connect() and
 * disconnect() (the destination of a datagram is fixed when it is sent),
 * close(), and an option setter (which Node applies after an unconnected
 * send's look-up tick but never to a connected send, made at once: so a
 * setter flushes every connected datagram and the unconnected ones of
 * listeners that have returned, see dg_batch_settle). A tail the kernel
 * would block on goes to libuv's queue in order, and while libuv's queue
 * is not empty nothing is batched.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "udp.h"

#ifdef __linux__

#define BATCH_MAX 64
#define BATCH_BYTES (256 * 1024)

struct dg_batch {
  dg_udp *u;               /* the socket whose receive batch is running */
  unsigned n;
  unsigned settled;        /* the first `settled` were sent by listeners that returned */
  size_t used;
  struct mmsghdr msgs[BATCH_MAX];
  struct iovec iov[BATCH_MAX];
  struct sockaddr_storage addrs[BATCH_MAX];
  char data[BATCH_BYTES];
};

static dg_batch *batch_of(dg_ctx *ctx) {
  if (ctx->batch == NULL)
    ctx->batch = calloc(1, sizeof *ctx->batch);
  return ctx->batch;
}

/* Entry i's pointers into data and addrs, after it moved to slot i. */
static void batch_link(dg_batch *b, unsigned i, char *data) {
  struct msghdr *h = &b->msgs[i].msg_hdr;
  b->iov[i].iov_base = data;
  h->msg_iov = &b->iov[i];
  if (h->msg_name != NULL)
    h->msg_name = &b->addrs[i];
}

/* Entries [from, n) move to the front. */
static void batch_shift(dg_batch *b, unsigned from) {
  char *base = from < b->n ? b->iov[from].iov_base : b->data + b->used;
  size_t gone = (size_t)(base - b->data);
  unsigned i;
  memmove(b->data, base, b->used - gone);
  memmove(b->msgs, b->msgs + from, (b->n - from) * sizeof *b->msgs);
  memmove(b->iov, b->iov + from, (b->n - from) * sizeof *b->iov);
  memmove(b->addrs, b->addrs + from, (b->n - from) * sizeof *b->addrs);
  b->n -= from;
  b->settled = b->settled > from ? b->settled - from : 0;
  b->used -= gone;
  for (i = 0; i < b->n; i++)
    batch_link(b, i, (char *)b->iov[i].iov_base - gone);
}

/* Sends the first k entries. When the kernel would block, every entry
 * left (the later ones too) goes to libuv's queue, in order. */
static void batch_send(dg_batch *b, unsigned k) {
  dg_udp *u = b->u;
  unsigned done = 0;
  uv_os_fd_t fd;
  if (k == 0)
    return;
  if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0) {
    b->n = b->settled = 0;
    b->used = 0;
    return;
  }
  while (done < k) {
    unsigned sent;
    int r = dg_gso_send(u, fd, b->msgs + done, k - done, &sent);
    done += sent;
    if (r == 0)
      break;
    if (r == -EAGAIN || r == -EWOULDBLOCK || r == -ENOBUFS) {
      for (; done < b->n; done++) {
        uv_buf_t buf = uv_buf_init(b->iov[done].iov_base, (unsigned)b->iov[done].iov_len);
        /* An error here (out of memory) drops the datagram, as one
         * without a callback whose send fails. */
        (void)dg_udp_queue(u, &buf, 1, buf.len, b->msgs[done].msg_hdr.msg_name, 0);
      }
      k = b->n;
    } else {
      /* This datagram failed and nobody waits for it: dropped, as Node
       * drops send errors without a callback. */
      done++;
    }
  }
  batch_shift(b, k);
}

void dg_batch_begin(dg_udp *u) {
  dg_batch *b = batch_of(u->base.ctx);
  if (b != NULL && b->u != u) {
    if (b->u != NULL)
      batch_send(b, b->n);
    b->u = u;
  }
}

void dg_batch_end(dg_udp *u) {
  dg_batch *b = u->base.ctx->batch;
  if (b != NULL && b->u == u) {
    batch_send(b, b->n);
    b->u = NULL;
  }
}

void dg_batch_flush(dg_ctx *ctx) {
  dg_batch *b = ctx->batch;
  if (b != NULL && b->n > 0)
    batch_send(b, b->n);
}

void dg_batch_settle(dg_udp *u) {
  dg_batch *b = u->base.ctx->batch;
  if (b != NULL && b->u == u)
    b->settled = b->n;
}

void dg_batch_before_option(dg_udp *u) {
  dg_batch *b = u->base.ctx->batch;
  if (b != NULL && b->u == u)
    batch_send(b, u->connected ? b->n : b->settled);
}

int dg_batch_add(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr) {
  dg_batch *b = u->base.ctx->batch;
  struct msghdr *h;
  unsigned i;
  char *p;
  /* A destination that does not fit the socket's state fails in
   * uv_udp_try_send with Node's error. */
  if (b == NULL || b->u != u || u->base.ctx->no_try_send || (addr == NULL) != u->connected ||
      uv_udp_get_send_queue_count(&u->handle) != 0 || total > BATCH_BYTES)
    return 0;
  if (b->n == BATCH_MAX || b->used + total > BATCH_BYTES) {
    batch_send(b, b->n);
    if (uv_udp_get_send_queue_count(&u->handle) != 0)
      return 0; /* the tail went to libuv's queue: this one follows it there */
  }
  p = b->data + b->used;
  for (i = 0; i < nbufs; i++) {
    memcpy(p, bufs[i].base, bufs[i].len);
    p += bufs[i].len;
  }
  b->iov[b->n].iov_len = total;
  h = &b->msgs[b->n].msg_hdr;
  memset(h, 0, sizeof *h);
  h->msg_iovlen = 1;
  if (addr != NULL) {
    size_t len = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    memcpy(&b->addrs[b->n], addr, len);
    h->msg_name = &b->addrs[b->n];
    h->msg_namelen = (socklen_t)len;
  }
  batch_link(b, b->n, b->data + b->used);
  b->used += total;
  b->n++;
  return 1;
}

void dg_batch_free(dg_ctx *ctx) {
  free(ctx->batch);
  ctx->batch = NULL;
}

#else /* no sendmmsg: every send goes alone */

void dg_batch_begin(dg_udp *u) { (void)u; }
void dg_batch_end(dg_udp *u) { (void)u; }
void dg_batch_flush(dg_ctx *ctx) { (void)ctx; }
void dg_batch_settle(dg_udp *u) { (void)u; }
void dg_batch_before_option(dg_udp *u) { (void)u; }
int dg_batch_add(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr) {
  (void)u; (void)bufs; (void)nbufs; (void)total; (void)addr;
  return 0;
}
void dg_batch_free(dg_ctx *ctx) { (void)ctx; }

#endif
