/*
 * flood.c: the peer of the hardening specs' floods. Sends datagrams of
 * SIZE bytes to HOST:PORT (an IPv4 or IPv6 literal) as fast as it can, in
 * sendmmsg batches of 64 on a connected socket, for SECONDS seconds; then
 * prints "sent N errors E". Errors (ECONNREFUSED after an ICMP, ENOBUFS)
 * are counted and the flood goes on. Built by the specs with `cc -O2`.
 * usage: flood HOST PORT SECONDS SIZE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  struct sockaddr_storage ss;
  socklen_t len;
  struct mmsghdr msgs[BATCH];
  struct iovec iov;
  static char payload[65536];
  long long sent = 0, errors = 0;
  double end;
  size_t size;
  int fd, i;
  if (argc != 5) {
    fprintf(stderr, "usage: flood HOST PORT SECONDS SIZE\n");
    return 2;
  }
  memset(&ss, 0, sizeof ss);
  if (inet_pton(AF_INET, argv[1], &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
    ss.ss_family = AF_INET;
    ((struct sockaddr_in *)&ss)->sin_port = htons((unsigned short)atoi(argv[2]));
    len = sizeof(struct sockaddr_in);
  } else if (inet_pton(AF_INET6, argv[1], &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
    ss.ss_family = AF_INET6;
    ((struct sockaddr_in6 *)&ss)->sin6_port = htons((unsigned short)atoi(argv[2]));
    len = sizeof(struct sockaddr_in6);
  } else {
    fprintf(stderr, "flood: bad address %s\n", argv[1]);
    return 2;
  }
  size = (size_t)atoi(argv[4]);
  if (size > sizeof payload)
    size = sizeof payload;
  memset(payload, 'f', size);
  fd = socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
    perror("flood: socket/connect");
    return 1;
  }
  iov.iov_base = payload;
  iov.iov_len = size;
  memset(msgs, 0, sizeof msgs);
  for (i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  end = now() + atof(argv[3]);
  while (now() < end) {
    int n = sendmmsg(fd, msgs, BATCH, 0);
    if (n < 0)
      errors++;
    else
      sent += n;
  }
  printf("sent %lld errors %lld\n", sent, errors);
  close(fd);
  return 0;
}
