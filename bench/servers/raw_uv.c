/*
 * raw_uv: the reference echo server / sink in plain C on libuv, one datagram
 * at a time (uv_udp_recv_start + uv_udp_try_send): the practical floor for
 * what a libuv binding can do per datagram.
 *
 * usage: raw_uv PORT [echo|sink] [MAXCOUNT] [LIFETIME_S] [reuseport]
 *   Binds 127.0.0.1:PORT (0: any free port) and prints the port as the first
 *   line of stdout. sink counts datagrams and answers "STAT?" with the count.
 *   MAXCOUNT > 0: exit normally after that many datagrams (callgrind runs).
 *   LIFETIME_S (default 900): exit after that long, whatever happens.
 *   reuseport: SO_REUSEPORT, so that several processes share PORT. libuv
 *   1.44 has no flag for it on Linux (UV_UDP_REUSEADDR sets SO_REUSEADDR):
 *   the socket is made here and handed to uv_udp_open.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

static uv_udp_t sock;
static uv_timer_t life;
static char slab[65536];              /* one receive buffer, reused */
static int sink_mode;
static unsigned long long count, handled, maxcount;

struct qsend {                        /* a reply libuv has to queue */
  uv_udp_send_t req;
  char data[];
};

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = slab;
  buf->len = sizeof slab;
}

static void queued_cb(uv_udp_send_t *req, int status) {
  (void)status;
  free(req);
}

static void shutdown_all(void) {
  if (!uv_is_closing((uv_handle_t *)&sock)) uv_close((uv_handle_t *)&sock, NULL);
  if (!uv_is_closing((uv_handle_t *)&life)) uv_close((uv_handle_t *)&life, NULL);
}

static void reply(char *data, size_t len, const struct sockaddr *to) {
  uv_buf_t b = uv_buf_init(data, (unsigned)len);
  int r = uv_udp_try_send(&sock, &b, 1, to);
  if (r != UV_EAGAIN) return;         /* sent, or a per-datagram error */
  /* the kernel buffer is full or libuv already queues: queue a copy */
  struct qsend *q = malloc(sizeof *q + len);
  if (!q) return;
  memcpy(q->data, data, len);
  b = uv_buf_init(q->data, (unsigned)len);
  if (uv_udp_send(&q->req, &sock, &b, 1, to, queued_cb) != 0) free(q);
}

static void recv_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                    const struct sockaddr *addr, unsigned flags) {
  (void)h;
  (void)flags;
  if (nread < 0) {
    fprintf(stderr, "raw_uv: recv: %s\n", uv_strerror((int)nread));
    return;
  }
  if (addr == NULL) return;           /* "nothing more to read" */
  if (sink_mode) {
    if (nread == 5 && memcmp(buf->base, "STAT?", 5) == 0) {
      char txt[32];
      int n = snprintf(txt, sizeof txt, "%llu", count);
      reply(txt, (size_t)n, addr);
    } else {
      count++;
    }
  } else {
    reply(buf->base, (size_t)nread, addr);
  }
  if (maxcount && ++handled >= maxcount) shutdown_all();
}

static int open_reuseport(uv_udp_t *h) {
  int one = 1;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return UV_EINVAL;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) {
    close(fd);
    return UV_EINVAL;
  }
  return uv_udp_open(h, fd);
}

static void life_cb(uv_timer_t *t) {
  (void)t;
  fprintf(stderr, "raw_uv: lifetime over, exiting\n");
  shutdown_all();
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  sink_mode = argc > 2 && strcmp(argv[2], "sink") == 0;
  maxcount = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
  double lifetime = argc > 4 ? atof(argv[4]) : 900;
  int reuseport = argc > 5 && strstr(argv[5], "reuseport") != NULL;
  uv_loop_t *loop = uv_default_loop();

  struct sockaddr_in sa;
  int r = uv_ip4_addr("127.0.0.1", port, &sa);
  if (r == 0) r = uv_udp_init(loop, &sock);
  if (r == 0 && reuseport) r = open_reuseport(&sock);
  if (r == 0) r = uv_udp_bind(&sock, (const struct sockaddr *)&sa, 0);
  if (r != 0) {
    fprintf(stderr, "raw_uv: bind: %s\n", uv_strerror(r));
    return 1;
  }
  struct sockaddr_storage ss;
  int len = sizeof ss;
  uv_udp_getsockname(&sock, (struct sockaddr *)&ss, &len);
  printf("%d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
  fflush(stdout);

  uv_timer_init(loop, &life);
  uv_timer_start(&life, life_cb, (uint64_t)(lifetime * 1000), 0);
  uv_unref((uv_handle_t *)&life);

  r = uv_udp_recv_start(&sock, alloc_cb, recv_cb);
  if (r != 0) {
    fprintf(stderr, "raw_uv: recv_start: %s\n", uv_strerror(r));
    return 1;
  }
  uv_run(loop, UV_RUN_DEFAULT);
  uv_loop_close(loop);
  return 0;
}
