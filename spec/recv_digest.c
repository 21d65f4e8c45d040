/*
 * recv_digest.c: a plain recvfrom loop, the simplest real peer of
 * sendMany. Binds 127.0.0.1 on an ephemeral port and prints "port P";
 * then, for each datagram, prints "SIZE ADLER32" (its size and the
 * Adler-32 of its bytes). Exits after COUNT datagrams, or after IDLE_MS
 * without one. Built by the specs with `cc`.
 * usage: recv_digest COUNT IDLE_MS
 */
#include <poll.h>
#include <unistd.h>

#include "peer.h"

static unsigned long adler32(const unsigned char *p, size_t n) {
  unsigned long a = 1, b = 0;
  size_t i;
  for (i = 0; i < n; i++) {
    a = (a + p[i]) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

int main(int argc, char **argv) {
  static unsigned char data[65536];
  int fd, count, idle, i;
  if (peer_args("recv_digest", argc, argv, &count, &idle) != 0)
    return 2;
  fd = peer_open("recv_digest", SOL_SOCKET, SO_RCVBUF, 4 * 1024 * 1024);
  if (fd < 0)
    return 1;
  for (i = 0; i < count; i++) {
    struct pollfd pfd = {fd, POLLIN, 0};
    ssize_t n;
    if (poll(&pfd, 1, idle) != 1)
      return 1;
    n = recvfrom(fd, data, sizeof data, 0, NULL, NULL);
    if (n < 0) {
      perror("recv_digest: recvfrom");
      return 1;
    }
    printf("%ld %lu\n", (long)n, adler32(data, (size_t)n));
  }
  return 0;
}
