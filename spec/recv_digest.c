/*
 * recv_digest.c: a plain recvfrom loop, the simplest real peer of
 * sendMany. Binds 127.0.0.1 on an ephemeral port and prints "port P";
 * then, for each datagram, prints "SIZE ADLER32" (its size and the
 * Adler-32 of its bytes). Exits after COUNT datagrams, or after IDLE_MS
 * without one. Built by the specs with `cc`.
 * usage: recv_digest COUNT IDLE_MS
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  int fd, count, idle, i, size = 4 * 1024 * 1024;
  if (argc != 3) {
    fprintf(stderr, "usage: recv_digest COUNT IDLE_MS\n");
    return 2;
  }
  count = atoi(argv[1]);
  idle = atoi(argv[2]);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0 ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    perror("recv_digest");
    return 1;
  }
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
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
