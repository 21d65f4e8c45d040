/*
 * gso.c: sends a run of datagrams in as few system calls as the kernel
 * allows. Consecutive datagrams to one destination with one size (the
 * last may be shorter) leave as one message with a UDP_SEGMENT cmsg, which
 * the kernel cuts back into those datagrams; the messages leave together
 * in one sendmmsg. Used by sendMany (udp_many.c) and by the replies of a
 * receive batch (batch.c). A socket whose kernel refuses segmentation
 * (the probe or its first segmented send fails with EINVAL, ENOPROTOOPT
 * or EIO) never segments again; the datagrams then go unmerged. A run
 * refused otherwise (EINVAL or EMSGSIZE for segments wider than the path
 * allows) goes unmerged alone.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include "udp.h"

#ifdef __linux__

#ifndef UDP_SEGMENT /* older C library headers; the kernel ABI's value */
#define UDP_SEGMENT 103
#endif

/* The kernel's limits for one segmented send: UDP_MAX_SEGMENTS (64 on the
 * kernels that introduced it) and one IP packet's payload. */
#define GSO_MAX_SEGMENTS 64
#define GSO_MAX_BYTES 65000
#define GSO_MSGS 64
/* A segment this small fits any path (IPv6's minimum MTU, 1280, less 48
 * bytes of headers): EINVAL for it is a refusal, not a path too narrow. */
#define GSO_ANY_PATH 1232

typedef union gso_cmsg {
  char buf[CMSG_SPACE(sizeof(uint16_t))];
  size_t align; /* cmsghdr's alignment (it ends in a flexible array) */
} gso_cmsg;

typedef struct gso_out {
  unsigned n;
  unsigned first[GSO_MSGS + 1]; /* entry k carries datagrams [first[k], first[k+1]) */
  struct mmsghdr msgs[GSO_MSGS];
  gso_cmsg cmsgs[GSO_MSGS];
} gso_out;

static int same_destination(const struct msghdr *a, const struct msghdr *b) {
  return a->msg_namelen == b->msg_namelen &&
         (a->msg_namelen == 0 || memcmp(a->msg_name, b->msg_name, a->msg_namelen) == 0);
}

/* The datagrams from in[0] that one segmented message can carry. */
static unsigned run_length(const struct mmsghdr *in, unsigned n) {
  size_t size = in[0].msg_hdr.msg_iov[0].iov_len, total = size;
  unsigned k = 1;
  if (size == 0)
    return 1;
  while (k < n && k < GSO_MAX_SEGMENTS) {
    size_t len = in[k].msg_hdr.msg_iov[0].iov_len;
    if (len == 0 || len > size || total + len > GSO_MAX_BYTES ||
        !same_destination(&in[0].msg_hdr, &in[k].msg_hdr))
      break;
    total += len;
    k++;
    if (len < size)
      break; /* a shorter datagram ends the run */
  }
  return k;
}

/* Packs datagrams in[0..n) into out's messages; merge_first 0 keeps the
 * first run unmerged (its segmented send just failed). */
static void gso_pack(const dg_udp *u, const struct mmsghdr *in, unsigned n, gso_out *out,
                     int merge_first) {
  unsigned d = 0;
  out->n = 0;
  while (d < n && out->n < GSO_MSGS) {
    unsigned k = out->n;
    unsigned len = u->gso_off || (k == 0 && !merge_first) ? 1 : run_length(in + d, n - d);
    struct msghdr *h = &out->msgs[k].msg_hdr;
    *h = in[d].msg_hdr;
    h->msg_flags = 0;
    if (len > 1) {
      struct cmsghdr *c = (struct cmsghdr *)out->cmsgs[k].buf;
      uint16_t size = (uint16_t)in[d].msg_hdr.msg_iov[0].iov_len;
      memset(out->cmsgs[k].buf, 0, sizeof out->cmsgs[k].buf); /* the padding too */
      h->msg_iovlen = len; /* in's iovecs are consecutive in one array */
      h->msg_control = out->cmsgs[k].buf;
      h->msg_controllen = sizeof out->cmsgs[k].buf;
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof size);
      memcpy(CMSG_DATA(c), &size, sizeof size);
    }
    out->first[k] = d;
    d += len;
    out->n++;
  }
  out->first[out->n] = d;
}

/* Whether the kernel takes UDP_SEGMENT on this socket at all: a kernel
 * without it would ignore the cmsg and send one large datagram. */
static void gso_probe(dg_udp *u, int fd) {
  int zero = 0;
  if (u->gso_probed)
    return;
  u->gso_probed = 1;
  if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) != 0)
    u->gso_off = 1;
}

static int refused(int err) {
  return err == EINVAL || err == ENOPROTOOPT || err == EIO;
}

int dg_gso_send(dg_udp *u, int fd, const struct mmsghdr *in, unsigned n, unsigned *sent) {
  gso_out out;
  unsigned done = 0;
  int merge_first = 1;
  gso_probe(u, fd);
  while (done < n) {
    unsigned count, k;
    int r, err;
    gso_pack(u, in + done, n - done, &out, merge_first);
    merge_first = 1;
    count = out.n;
    if (u->base.ctx->test_gso_refused && !u->gso_ok && !u->gso_off) {
      /* The test hook: the first segmented send fails as a refusing
       * kernel's would, and nothing before it is affected. */
      for (k = 0; k < count && out.msgs[k].msg_hdr.msg_iovlen == 1; k++)
        ;
      count = k;
    }
    r = count > 0 ? sendmmsg(fd, out.msgs, count, 0) : -1;
    err = count > 0 ? errno : EINVAL;
    if (r > 0) {
      for (k = 0; k < (unsigned)r; k++)
        if (out.msgs[k].msg_hdr.msg_iovlen > 1)
          u->gso_ok = 1;
      done += out.first[r];
      continue;
    }
    if (err == EINTR)
      continue;
    if (out.msgs[0].msg_hdr.msg_iovlen > 1 && (refused(err) || err == EMSGSIZE)) {
      /* Unmerged from here; for good when segmentation never worked and
       * the segment was not too large for the path. */
      size_t segment = out.msgs[0].msg_hdr.msg_iov[0].iov_len;
      if (!u->gso_ok && refused(err) && (err != EINVAL || segment <= GSO_ANY_PATH))
        u->gso_off = 1;
      merge_first = 0;
      continue;
    }
    *sent = done;
    return -err;
  }
  *sent = done;
  return 0;
}

#else /* no sendmmsg: the caller hands everything to libuv's queue */

int dg_gso_send(dg_udp *u, int fd, const struct mmsghdr *in, unsigned n, unsigned *sent) {
  (void)u; (void)fd; (void)in; (void)n;
  *sent = 0;
  return -EAGAIN;
}

#endif
