/*
 * ttl_echo.c: a loopback peer that shows the TTL each datagram arrived
 * with (IP_RECVTTL), which no dgram API can see. Binds 127.0.0.1 on an
 * ephemeral port and prints "port P"; then, for each datagram, prints
 * "TTL PAYLOAD" and echoes it to its sender. Exits after COUNT datagrams,
 * or after IDLE_MS without one. Built by the specs with `cc`.
 * usage: ttl_echo COUNT IDLE_MS
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  struct sockaddr_in addr, from;
  socklen_t len = sizeof addr;
  int fd, on = 1, count, idle, i;
  if (argc != 3) {
    fprintf(stderr, "usage: ttl_echo COUNT IDLE_MS\n");
    return 2;
  }
  count = atoi(argv[1]);
  idle = atoi(argv[2]);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on) != 0 ||
      bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    perror("ttl_echo");
    return 1;
  }
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  for (i = 0; i < count; i++) {
    struct pollfd pfd = {fd, POLLIN, 0};
    char data[2048], control[256];
    struct iovec iov = {data, sizeof data};
    struct msghdr h;
    struct cmsghdr *c;
    ssize_t n;
    int ttl = -1;
    if (poll(&pfd, 1, idle) != 1)
      return 1;
    memset(&h, 0, sizeof h);
    h.msg_name = &from;
    h.msg_namelen = sizeof from;
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    h.msg_control = control;
    h.msg_controllen = sizeof control;
    n = recvmsg(fd, &h, 0);
    if (n < 0) {
      perror("ttl_echo: recvmsg");
      return 1;
    }
    for (c = CMSG_FIRSTHDR(&h); c != NULL; c = CMSG_NXTHDR(&h, c))
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
        memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
    printf("%d %.*s\n", ttl, (int)n, data);
    fflush(stdout);
    sendto(fd, data, (size_t)n, 0, (struct sockaddr *)&from, h.msg_namelen);
  }
  return 0;
}
