/*
 * mmsg: the kernel-bound baseline, no event loop: a blocking recvmmsg(2)
 * loop that answers each batch with one sendmmsg(2) (echo), or only counts
 * (sink). What a server gets without any per-datagram user-space work.
 *
 * usage: mmsg PORT [echo|sink] [MAXCOUNT] [LIFETIME_S] [FLAGS]
 *   Binds 127.0.0.1:PORT (0: any free port) and prints the port as the first
 *   line of stdout. sink counts datagrams and answers "STAT?" with the count.
 *   MAXCOUNT > 0: exit normally after that many datagrams (callgrind runs).
 *   LIFETIME_S (default 900): exit after that long, whatever happens.
 *   FLAGS, a comma list: reuseport sets SO_REUSEPORT before binding, so that
 *   several processes share PORT; bigbuf asks for a 4 MB receive buffer (as
 *   far as net.core.rmem_max allows), as the Lua sinks of the bulk and GRO
 *   tests do.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define SLOT  65536                    /* one receive buffer per datagram */

static unsigned char bufs[BATCH][SLOT];
static struct mmsghdr rmsg[BATCH], smsg[BATCH];
static struct iovec riov[BATCH], siov[BATCH];
static struct sockaddr_in peers[BATCH];
static char stat_txt[BATCH][24];       /* the answers to "STAT?" */

static void on_alarm(int sig) {
  static const char msg[] = "mmsg: lifetime over, exiting\n";
  (void)sig;
  if (write(2, msg, sizeof msg - 1) < 0) _exit(1);
  _exit(0);
}

/* Sends every message of the batch, waiting (blocking socket) when the
 * kernel's buffer is full; a datagram the kernel refuses is skipped. */
static void send_all(int fd, struct mmsghdr *m, unsigned n) {
  unsigned done = 0;
  while (done < n) {
    int r = sendmmsg(fd, m + done, n - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      done++;
    } else {
      done += (unsigned)r;
    }
  }
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  int sink = argc > 2 && strcmp(argv[2], "sink") == 0;
  unsigned long long maxcount = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
  double lifetime = argc > 4 ? atof(argv[4]) : 900;
  const char *flags = argc > 5 ? argv[5] : "";
  int reuseport = strstr(flags, "reuseport") != NULL;
  int bigbuf = strstr(flags, "bigbuf") != NULL;
  unsigned long long count = 0, handled = 0;

  signal(SIGALRM, on_alarm);
  alarm((unsigned)lifetime + 1);

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { perror("mmsg: socket"); return 1; }
  int one = 1, rcvbuf = 4 << 20;
  if (bigbuf) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
    perror("mmsg: SO_REUSEPORT");
    return 1;
  }
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    perror("mmsg: bind");
    return 1;
  }
  socklen_t len = sizeof sa;
  getsockname(fd, (struct sockaddr *)&sa, &len);
  printf("%d\n", ntohs(sa.sin_port));
  fflush(stdout);

  for (int i = 0; i < BATCH; i++) {
    riov[i].iov_base = bufs[i];
    riov[i].iov_len = SLOT;
    rmsg[i].msg_hdr.msg_iov = &riov[i];
    rmsg[i].msg_hdr.msg_iovlen = 1;
    rmsg[i].msg_hdr.msg_name = &peers[i];
    smsg[i].msg_hdr.msg_iov = &siov[i];
    smsg[i].msg_hdr.msg_iovlen = 1;
    smsg[i].msg_hdr.msg_namelen = sizeof peers[i];
  }

  for (;;) {
    unsigned want = BATCH;
    if (maxcount && maxcount - handled < want) want = (unsigned)(maxcount - handled);
    for (unsigned i = 0; i < want; i++) rmsg[i].msg_hdr.msg_namelen = sizeof peers[i];
    /* MSG_WAITFORONE: block for the first datagram, then take what is queued */
    int n = recvmmsg(fd, rmsg, want, MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("mmsg: recvmmsg");
      return 1;
    }
    unsigned out = 0;
    for (int i = 0; i < n; i++) {
      unsigned size = rmsg[i].msg_len;
      if (sink) {
        if (size == 5 && memcmp(bufs[i], "STAT?", 5) == 0) {
          int t = snprintf(stat_txt[out], sizeof stat_txt[out], "%llu", count);
          siov[out].iov_base = stat_txt[out];
          siov[out].iov_len = (size_t)t;
        } else {
          count++;
          continue;
        }
      } else {
        siov[out].iov_base = bufs[i];
        siov[out].iov_len = size;
      }
      smsg[out].msg_hdr.msg_name = &peers[i];
      out++;
    }
    if (out) send_all(fd, smsg, out);
    handled += (unsigned)n;
    if (maxcount && handled >= maxcount) break;
  }
  close(fd);
  return 0;
}
