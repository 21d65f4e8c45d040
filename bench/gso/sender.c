/*
 * sender.c: the C baselines of a bulk UDP sender, for sendMany's figures.
 * usage: sender sendmmsg|gso PORT SIZE SECONDS
 * Sends SIZE-byte datagrams to 127.0.0.1:PORT for SECONDS, 64 per
 * sendmmsg call (sendmmsg), or 64 per sendmsg cut by the kernel with
 * UDP_SEGMENT (gso; 46 of 1400 B where 64 would pass 64 KB). Blocking
 * socket; prints "sent N in T s = R/s, C us of CPU per datagram" (the
 * process's user and system time: steadier than the rate on a busy box).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  static char data[BATCH * 1500];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in to;
  int fd, gso, size, i, per;
  double secs, start, t;
  unsigned long sent = 0;
  if (argc != 5) {
    fprintf(stderr, "usage: sender sendmmsg|gso PORT SIZE SECONDS\n");
    return 2;
  }
  gso = strcmp(argv[1], "gso") == 0;
  size = atoi(argv[3]);
  secs = atof(argv[4]);
  if (size < 1 || size > 1500)
    return 2;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((uint16_t)atoi(argv[2]));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(data, 'x', sizeof data);
  per = gso ? (65000 / size < BATCH ? 65000 / size : BATCH) : BATCH;
  if (gso) {
    int seg = size;
    if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) != 0) {
      perror("UDP_SEGMENT");
      return 1;
    }
  }
  memset(msgs, 0, sizeof msgs);
  for (i = 0; i < BATCH; i++) {
    iov[i].iov_base = data + (size_t)i * size;
    iov[i].iov_len = (size_t)size;
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  if (gso) {
    iov[0].iov_base = data;
    iov[0].iov_len = (size_t)size * per;
  }
  start = now();
  do {
    int r;
    if (gso)
      r = sendmsg(fd, &msgs[0].msg_hdr, 0) > 0 ? per : -1;
    else
      r = sendmmsg(fd, msgs, BATCH, 0);
    if (r > 0)
      sent += (unsigned long)r;
    t = now();
  } while (t - start < secs);
  printf("sent %lu in %.2f s = %.0f/s, %.2f us of CPU per datagram\n", sent, t - start,
         sent / (t - start), (double)clock() / CLOCKS_PER_SEC / sent * 1e6);
  return 0;
}
