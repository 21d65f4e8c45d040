/*
 * sink.c: the C baselines of a bulk UDP receiver, for gro's figures.
 * usage: sink recvmmsg|gro SECONDS
 * Binds 127.0.0.1 on an ephemeral port (4 MiB receive buffer), prints
 * "port P", then counts datagrams for SECONDS from the first one: 64 per
 * recvmmsg call (recvmmsg), or coalesced buffers read with UDP_GRO and
 * counted by their segment size (gro). Prints "received N in T s = R/s,
 * C us of CPU per datagram".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#define BUF 65536

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  static char data[BATCH][BUF];
  static char control[BATCH][64];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  int fd, gro, i, rcvbuf = 4 << 20, on = 1;
  double secs, start = 0, t = 0;
  unsigned long got = 0;
  if (argc != 3) {
    fprintf(stderr, "usage: sink recvmmsg|gro SECONDS\n");
    return 2;
  }
  gro = strcmp(argv[1], "gro") == 0;
  secs = atof(argv[2]);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (gro && setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on) != 0) {
    perror("UDP_GRO");
    return 1;
  }
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    perror("sink");
    return 1;
  }
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    int r;
    if (poll(&pfd, 1, 2000) != 1)
      break; /* the sender stopped */
    for (i = 0; i < BATCH; i++) {
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      iov[i].iov_base = data[i];
      iov[i].iov_len = BUF;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = sizeof control[i];
    }
    r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
    if (r <= 0)
      continue;
    if (start == 0)
      start = now();
    for (i = 0; i < r; i++) {
      unsigned long n = 1;
      struct cmsghdr *c;
      for (c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int seg;
          memcpy(&seg, CMSG_DATA(c), sizeof seg);
          n = (msgs[i].msg_len + (unsigned)seg - 1) / (unsigned)seg;
        }
      }
      got += n;
    }
    t = now();
    if (t - start >= secs)
      break;
  }
  printf("received %lu in %.2f s = %.0f/s, %.2f us of CPU per datagram\n", got, t - start,
         t > start ? got / (t - start) : 0.0, got ? (double)clock() / CLOCKS_PER_SEC / got * 1e6 : 0.0);
  return 0;
}
