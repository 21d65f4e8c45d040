/*
 * batch.c: replies to a receive batch leave in one sendmmsg. With
 * UV_UDP_RECVMMSG libuv hands over up to 20 datagrams per wake-up; sends
 * on that socket without a callback (nobody can see when they leave) are
 * copied here and flushed at the batch's end, which libuv marks with
 * UV_UDP_MMSG_FREE. libuv 1.44 has no batch send (uv_udp_try_send2 is
 * 1.50), so this calls sendmmsg on the socket's fd. Batching happens only
 * while libuv's own send queue is empty, and a tail the kernel would block
 * on goes to libuv's queue in order, so datagrams never overtake.
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

static void batch_flush(dg_batch *b) {
  dg_udp *u = b->u;
  unsigned done = 0;
  uv_os_fd_t fd;
  if (b->n == 0)
    return;
  if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0) {
    b->n = 0;
    b->used = 0;
    return;
  }
  while (done < b->n) {
    int r = sendmmsg(fd, b->msgs + done, b->n - done, 0);
    if (r > 0) {
      done += (unsigned)r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      /* The kernel would block: the rest waits in libuv's queue, in order. */
      for (; done < b->n; done++) {
        uv_buf_t buf = uv_buf_init(b->iov[done].iov_base, (unsigned)b->iov[done].iov_len);
        dg_udp_queue(u, &buf, 1, buf.len, b->msgs[done].msg_hdr.msg_name, 0);
      }
    } else {
      /* This datagram failed and nobody waits for it: dropped, as Node
       * drops send errors without a callback. */
      done++;
    }
  }
  b->n = 0;
  b->used = 0;
}

void dg_batch_begin(dg_udp *u) {
  dg_batch *b = batch_of(u->ctx);
  if (b != NULL && b->u != u) {
    if (b->u != NULL)
      batch_flush(b);
    b->u = u;
  }
}

void dg_batch_end(dg_udp *u) {
  dg_batch *b = u->ctx->batch;
  if (b != NULL && b->u == u) {
    batch_flush(b);
    b->u = NULL;
  }
}

void dg_batch_flush_for(dg_udp *u) {
  dg_batch *b = u->ctx->batch;
  if (b != NULL && b->u == u)
    batch_flush(b);
}

int dg_batch_add(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr) {
  dg_batch *b = u->ctx->batch;
  struct msghdr *h;
  unsigned i;
  char *p;
  if (b == NULL || b->u != u || u->ctx->no_try_send ||
      uv_udp_get_send_queue_count(&u->handle) != 0 || total > BATCH_BYTES)
    return 0;
  if (b->n == BATCH_MAX || b->used + total > BATCH_BYTES)
    batch_flush(b);
  p = b->data + b->used;
  for (i = 0; i < nbufs; i++) {
    memcpy(p, bufs[i].base, bufs[i].len);
    p += bufs[i].len;
  }
  b->iov[b->n].iov_base = b->data + b->used;
  b->iov[b->n].iov_len = total;
  h = &b->msgs[b->n].msg_hdr;
  memset(h, 0, sizeof *h);
  h->msg_iov = &b->iov[b->n];
  h->msg_iovlen = 1;
  if (addr != NULL) {
    size_t len = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    memcpy(&b->addrs[b->n], addr, len);
    h->msg_name = &b->addrs[b->n];
    h->msg_namelen = (socklen_t)len;
  }
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
void dg_batch_flush_for(dg_udp *u) { (void)u; }
int dg_batch_add(dg_udp *u, const uv_buf_t *bufs, unsigned nbufs, size_t total,
                 const struct sockaddr *addr) {
  (void)u; (void)bufs; (void)nbufs; (void)total; (void)addr;
  return 0;
}
void dg_batch_free(dg_ctx *ctx) { (void)ctx; }

#endif
