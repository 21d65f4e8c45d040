/*
 * ttl_echo.c: a loopback peer that shows the TTL each datagram arrived
 * with (IP_RECVTTL), which no dgram API can see. Binds 127.0.0.1 on an
 * ephemeral port and prints "port P"; then, for each datagram, prints
 * "TTL PAYLOAD" and echoes it to its sender. Exits after COUNT datagrams,
 * or after IDLE_MS without one. Built by the specs with `cc`.
 * usage: ttl_echo COUNT IDLE_MS
 */
#include <poll.h>
#include <unistd.h>

#include "peer.h"

int main(int argc, char **argv) {
  struct sockaddr_in from;
  int fd, count, idle, i;
  if (peer_args("ttl_echo", argc, argv, &count, &idle) != 0)
    return 2;
  fd = peer_open("ttl_echo", IPPROTO_IP, IP_RECVTTL, 1);
  if (fd < 0)
    return 1;
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
