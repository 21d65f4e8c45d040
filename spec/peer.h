/*
 * peer.h: what the specs' small C peers (recv_digest.c, ttl_echo.c) share.
 * Their usage is "NAME COUNT IDLE_MS": each reads its arguments, opens a
 * UDP socket on 127.0.0.1 at an ephemeral port with one socket option set,
 * and prints "port P" for the spec to read.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Reads COUNT and IDLE_MS; 0, or 2 after printing the usage. */
static int peer_args(const char *name, int argc, char **argv, int *count, int *idle) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s COUNT IDLE_MS\n", name);
    return 2;
  }
  *count = atoi(argv[1]);
  *idle = atoi(argv[2]);
  return 0;
}

/* The bound socket with option (level, option) = value, its port printed;
 * -1 after printing why it failed. */
static int peer_open(const char *name, int level, int option, int value) {
  struct sockaddr_in addr;
  socklen_t len = sizeof addr;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, level, option, &value, sizeof value) != 0 ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    perror(name);
    return -1;
  }
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}
