/*
 * loadgen: UDP load generator for the dgram benchmark suite (loopback only).
 *
 *   echo  closed loop: keeps W datagrams of S bytes in flight against an echo
 *         server; W=1 is ping-pong. Reports replies/s and RTT percentiles.
 *         With -c C it spreads the window over C sockets, each with its own
 *         source port, so that SO_REUSEPORT servers (the kernel hashes the
 *         4-tuple) share the load.
 *   flood open loop: blasts S-byte datagrams with sendmmsg(2) at a sink, then
 *         asks the sink how many it counted ("STAT?" -> decimal count). With
 *         -g each sendmsg(2) carries as many datagrams as fit in 64 KB and
 *         the kernel cuts them (UDP_SEGMENT): the segmenting sender.
 *   watch sends no data: it counts what a sink takes in from another sender
 *         during the measured interval (the bulk-send test).
 *
 * Every run is bounded by a datagram count (-n) and a duration (-t), plus an
 * alarm(2) backstop. With -p PID[,PID...] the CPU time (utime+stime from
 * /proc/PID/stat) of those processes, summed, is sampled around the measured
 * interval; -x PID[,PID...] names more processes that belong to the test, so
 * that they do not count as load from elsewhere. flood and watch also report
 * the sink socket's drop counter from /proc/net/udp. The result is one line
 * of key=value pairs on stdout; diagnostics go to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH   64           /* datagrams per sendmmsg/recvmmsg call */
#define MAXWINDOW  4096
#define HDR        24           /* magic(4) epoch(4) seq(8) send-time(8) */
#define MAGIC      0x64677262u  /* "dgrb" */
#define RTT_CAP    (1u << 22)   /* at most this many RTT samples are kept */
#define MAXCONNS   64
#define MAXPIDS    64
#define GSO_MAX    65507        /* one UDP_SEGMENT send: the largest UDP payload */

struct opts {
  const char *mode, *label;
  int port, size, window, batch, conns, gso;
  long long count;
  double secs, warmup, loss_timeout;
  long pids[MAXPIDS], extra[MAXPIDS];   /* measured / test-owned processes */
  int npids, nextra;
};

/* ---- time, CPU ------------------------------------------------------- */

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Server CPU (user, system) in microseconds from /proc/PID/stat, all threads.
 * Returns 0 on success, -1 when the process is gone or no pid was given. */
static int proc_cpu(long pid, double *user_us, double *sys_us) {
  char path[64], buf[2048];
  if (pid <= 0) return -1;
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  char *p = strrchr(buf, ')');   /* comm may contain spaces: skip past it */
  if (!p) return -1;
  unsigned long long ut, st;
  /* after ") " come fields 3..; utime and stime are fields 14 and 15 */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
             &ut, &st) != 2)
    return -1;
  double tick = (double)sysconf(_SC_CLK_TCK);
  *user_us = (double)ut * 1e6 / tick;
  *sys_us = (double)st * 1e6 / tick;
  return 0;
}

/* CPU time the whole machine spent busy (user, system, interrupts, and
 * stolen by the hypervisor), in microseconds: with the server's and our own share
 * taken out, what is left is load from elsewhere during the measurement. */
static double machine_busy_us(void) {
  unsigned long long us, ni, sy, idle, io, irq, sirq, st;
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return -1;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &us, &ni,
                 &sy, &idle, &io, &irq, &sirq, &st);
  fclose(f);
  if (n != 8) return -1;
  /* irq and softirq time count too: a process's stime includes the softirq
   * work done in its context (loopback delivery), /proc/stat books it apart */
  return (double)(us + ni + sy + irq + sirq + st) * 1e6 /
         (double)sysconf(_SC_CLK_TCK);
}

/* Summed CPU (user, system) of a list of processes; per[i] gets each one's
 * total. Returns 0 when every process could be read. */
static int procs_cpu(const long *pids, int n, double *user_us, double *sys_us,
                     double *per) {
  *user_us = *sys_us = 0;
  if (n == 0) return -1;
  for (int i = 0; i < n; i++) {
    double u, s;
    if (proc_cpu(pids[i], &u, &s) < 0) return -1;
    *user_us += u;
    *sys_us += s;
    if (per) per[i] = u + s;
  }
  return 0;
}

static double procs_total_us(const long *pids, int n) {
  double u, s;
  return procs_cpu(pids, n, &u, &s, NULL) == 0 ? u + s : 0;
}

/* The kernel's drop counter, summed over the sockets bound to
 * 127.0.0.1:port (/proc/net/udp, last column). For a UDP_GRO socket it counts
 * dropped buffers, each of which may hold many datagrams. */
static long long sink_drops(int port) {
  char line[512], want[32];
  long long total = -1;
  FILE *f = fopen("/proc/net/udp", "r");
  if (!f) return -1;
  snprintf(want, sizeof want, "0100007F:%04X ", (unsigned)port);
  while (fgets(line, sizeof line, f)) {
    char *p = strstr(line, want);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\n')) line[--n] = '\0';
    char *last = strrchr(line, ' ');
    if (!p || !last || p - line > 16) continue;   /* local address only */
    if (total < 0) total = 0;
    total += atoll(last + 1);
  }
  fclose(f);
  return total;
}

static double self_cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* ---- socket ----------------------------------------------------------- */

static int open_client(int port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { perror("socket"); exit(2); }
  int big = 4 << 20;
  /* best effort: bigger buffers so the client never is the one dropping */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);   /* loopback only, always */
  /* connected: replies from anyone else are filtered, and a dead server
   * shows up as ECONNREFUSED instead of silence */
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    perror("connect");
    exit(2);
  }
  return fd;
}

static int wait_readable(int fd, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r = poll(&p, 1, timeout_ms);
  return r > 0;
}

/* ---- output ----------------------------------------------------------- */

static void fail(const struct opts *o, const char *what) {
  printf("loadgen mode=%s label=%s size=%d window=%d error=%s\n", o->mode,
         o->label, o->size, strcmp(o->mode, "echo") == 0 ? o->window : 0, what);
  fflush(stdout);
  exit(3);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static double pct(const uint32_t *v, size_t n, double p) {
  if (n == 0) return -1;
  size_t i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i] / 1000.0;   /* ns -> us */
}

/* ---- echo mode -------------------------------------------------------- */

struct samples {
  uint32_t *v;
  size_t n, cap;
};

struct echo {
  int fd, size, window, batch;
  uint32_t epoch;
  uint64_t seq;
  long long inflight, sent, recv, late, lost, bad;
  long long limit;            /* total datagrams that may be sent */
  int measuring;
  int64_t t0;                 /* start of the measured interval */
  long long m_recv;           /* replies counted in the measured interval */
  long long m_sent0;          /* e.sent when the measured interval began */
  int64_t last_rx;
  struct samples *rtt;        /* shared by every connection */
  unsigned char *sbuf, *rbuf;
  int rbufsz;
  struct mmsghdr smsg[MAXBATCH], rmsg[MAXBATCH];
  struct iovec siov[MAXBATCH], riov[MAXBATCH];
};

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Send up to k new datagrams (bounded by the limit). Returns how many went. */
static int echo_send(struct echo *e, int k, const struct opts *o) {
  if (k > e->batch) k = e->batch;
  if (e->sent + k > e->limit) k = (int)(e->limit - e->sent);
  if (k <= 0) return 0;
  int64_t t = now_ns();
  for (int i = 0; i < k; i++) {
    unsigned char *b = e->sbuf + (size_t)i * (size_t)e->size;
    if (e->size >= HDR) {
      put32(b, MAGIC);
      put32(b + 4, e->epoch);
      put64(b + 8, e->seq + (uint64_t)i);
      put64(b + 16, (uint64_t)t);
    }
  }
  int done = 0;
  while (done < k) {
    int r = sendmmsg(e->fd, e->smsg + done, (unsigned)(k - done), 0);
    if (r < 0) {
      if (errno == EAGAIN || errno == ENOBUFS) {
        struct pollfd p = {.fd = e->fd, .events = POLLOUT};
        poll(&p, 1, 10);
        continue;
      }
      if (errno == ECONNREFUSED) fail(o, "refused");
      perror("sendmmsg");
      fail(o, "send");
    }
    done += r;
  }
  e->seq += (uint64_t)k;
  e->sent += k;
  e->inflight += k;
  return k;
}

/* Drain replies without blocking. Returns the number of datagrams read. */
static int echo_recv(struct echo *e, const struct opts *o) {
  for (int i = 0; i < e->batch; i++) e->rmsg[i].msg_hdr.msg_flags = 0;
  int r = recvmmsg(e->fd, e->rmsg, (unsigned)e->batch, MSG_DONTWAIT, NULL);
  if (r < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    if (errno == ECONNREFUSED) fail(o, "refused");
    perror("recvmmsg");
    fail(o, "recv");
  }
  int64_t t = now_ns();
  for (int i = 0; i < r; i++) {
    const unsigned char *b = e->rbuf + (size_t)i * (size_t)e->rbufsz;
    unsigned len = e->rmsg[i].msg_len;
    if ((int)len != e->size) { e->bad++; continue; }
    if (e->size >= HDR) {
      if (get32(b) != MAGIC) { e->bad++; continue; }
      if (get32(b + 4) != e->epoch) { e->late++; continue; }
      int64_t ts = (int64_t)get64(b + 16);
      struct samples *rs = e->rtt;
      if (e->measuring && ts >= e->t0 && rs->n < RTT_CAP) {
        if (rs->n == rs->cap) {
          rs->cap = rs->cap ? rs->cap * 2 : 65536;
          rs->v = realloc(rs->v, rs->cap * sizeof *rs->v);
          if (!rs->v) { perror("realloc"); exit(2); }
        }
        int64_t d = t - ts;
        rs->v[rs->n++] = d > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d;
      }
    }
    e->recv++;
    e->inflight--;
    if (e->measuring) e->m_recv++;
  }
  return r;
}

/* Wait for the first reply: the server is up and echoing. */
static void echo_probe(struct echo *e, const struct opts *o) {
  int64_t deadline = now_ns() + 10 * 1000000000LL;
  e->limit = 1;
  echo_send(e, 1, o);
  while (now_ns() < deadline) {
    if (wait_readable(e->fd, 1000)) {
      if (echo_recv(e, o) > 0 && e->recv > 0) break;
    } else if (e->inflight > 0) {     /* lost or very slow: ask again */
      e->epoch++;
      e->lost += e->inflight;
      e->inflight = 0;
      e->limit = e->sent + 1;
      echo_send(e, 1, o);
    }
  }
  if (e->recv == 0) fail(o, "no_reply");
}

static void echo_init(struct echo *e, const struct opts *o, int window,
                      struct samples *rtt) {
  memset(e, 0, sizeof *e);
  e->fd = open_client(o->port);
  e->size = o->size;
  e->window = window;
  e->batch = MAXBATCH;
  e->epoch = 1;
  e->rtt = rtt;
  e->rbufsz = o->size + 64;
  e->sbuf = malloc((size_t)MAXBATCH * (size_t)o->size);
  e->rbuf = malloc((size_t)MAXBATCH * (size_t)e->rbufsz);
  if (!e->sbuf || !e->rbuf) { perror("malloc"); exit(2); }
  memset(e->sbuf, 'x', (size_t)MAXBATCH * (size_t)o->size);
  for (int i = 0; i < MAXBATCH; i++) {
    e->siov[i].iov_base = e->sbuf + (size_t)i * (size_t)o->size;
    e->siov[i].iov_len = (size_t)o->size;
    e->smsg[i].msg_hdr.msg_iov = &e->siov[i];
    e->smsg[i].msg_hdr.msg_iovlen = 1;
    e->riov[i].iov_base = e->rbuf + (size_t)i * (size_t)e->rbufsz;
    e->riov[i].iov_len = (size_t)e->rbufsz;
    e->rmsg[i].msg_hdr.msg_iov = &e->riov[i];
    e->rmsg[i].msg_hdr.msg_iovlen = 1;
  }
}

/* The measured interval begins: from here on each connection may send its
 * share of `count` datagrams. */
static void echo_start_measuring(struct echo *es, int nc, long long count) {
  int64_t t = now_ns();
  for (int c = 0; c < nc; c++) {
    es[c].measuring = 1;
    es[c].t0 = t;
    es[c].m_sent0 = es[c].sent;
    es[c].limit = es[c].sent + count / nc + (c < count % nc);
  }
}

static void run_echo(const struct opts *o) {
  int nc = o->conns;
  struct samples rtt = {0};
  struct echo *es = calloc((size_t)nc, sizeof *es);
  struct pollfd *pfd = calloc((size_t)nc, sizeof *pfd);
  if (!es || !pfd) { perror("calloc"); exit(2); }
  for (int c = 0; c < nc; c++) {
    echo_init(&es[c], o, o->window / nc + (c < o->window % nc), &rtt);
    pfd[c].fd = es[c].fd;
    pfd[c].events = POLLIN;
  }
  for (int c = 0; c < nc; c++) echo_probe(&es[c], o);

  /* the measured interval may send at most `count` datagrams (warm-up and
   * probe not included) */
  int64_t start = now_ns();
  int64_t warm_end = start + (int64_t)(o->warmup * 1e9);
  int64_t end = warm_end + (int64_t)(o->secs * 1e9);
  int64_t loss_ns = (int64_t)(o->loss_timeout * 1e9);
  double cu0 = 0, cs0 = 0, cu1 = 0, cs1 = 0, me0 = 0, me1 = 0, mb0 = -1, mb1;
  double ex0 = 0, ex1 = 0, per0[MAXPIDS], per1[MAXPIDS];
  int have_cpu = 0, measuring = 0;
  int64_t t1 = 0;
  for (int c = 0; c < nc; c++) {
    es[c].limit = (long long)9e18;
    es[c].last_rx = start;
  }

  for (;;) {
    int64_t t = now_ns();
    if (!measuring && t >= warm_end) {
      measuring = 1;
      echo_start_measuring(es, nc, o->count);
      have_cpu = procs_cpu(o->pids, o->npids, &cu0, &cs0, per0) == 0;
      ex0 = procs_total_us(o->extra, o->nextra);
      me0 = self_cpu_us();
      mb0 = machine_busy_us();
    }
    if (measuring) {
      long long m_recv = 0;
      int drained = 1;
      for (int c = 0; c < nc; c++) {
        m_recv += es[c].m_recv;
        if (es[c].sent < es[c].limit || es[c].inflight > 0) drained = 0;
      }
      if (t >= end || m_recv >= o->count || drained) {
        t1 = t;
        break;
      }
    }
    /* keep every window full */
    for (int c = 0; c < nc; c++) {
      struct echo *e = &es[c];
      while (e->inflight < e->window && e->sent < e->limit)
        if (echo_send(e, (int)(e->window - e->inflight), o) == 0) break;
    }

    int64_t left = (measuring ? end : warm_end) - t;
    int wait_ms = (int)(left / 1000000) + 1;
    if (wait_ms > 50) wait_ms = 50;
    int ready = poll(pfd, (nfds_t)nc, wait_ms);
    int64_t now = now_ns();
    for (int c = 0; c < nc; c++) {
      struct echo *e = &es[c];
      if (ready > 0 && (pfd[c].revents & (POLLIN | POLLERR))) {
        if (echo_recv(e, o) > 0) e->last_rx = now;
      } else if (e->inflight > 0 && now - e->last_rx > loss_ns) {
        /* nothing came back for a while: count the window as lost and start
         * a new epoch so that stragglers are not mistaken for fresh replies */
        e->lost += e->inflight;
        e->inflight = 0;
        e->epoch++;
        e->last_rx = now;
      }
    }
  }
  if (have_cpu) have_cpu = procs_cpu(o->pids, o->npids, &cu1, &cs1, per1) == 0;
  ex1 = procs_total_us(o->extra, o->nextra);
  me1 = self_cpu_us();
  mb1 = machine_busy_us();

  long long sent = 0, m_recv = 0, lost = 0, late = 0, bad = 0, inflight = 0;
  for (int c = 0; c < nc; c++) {
    sent += es[c].sent - es[c].m_sent0;
    m_recv += es[c].m_recv;
    lost += es[c].lost;
    late += es[c].late;
    bad += es[c].bad;
    inflight += es[c].inflight;
  }
  double dur = (double)(t1 - es[0].t0) / 1e9;
  double mps = dur > 0 ? (double)m_recv / dur : 0;
  if (rtt.n) qsort(rtt.v, rtt.n, sizeof *rtt.v, cmp_u32);
  printf("loadgen mode=echo label=%s size=%d window=%d conns=%d dur_s=%.3f "
         "sent=%lld recv=%lld lost=%lld late=%lld bad=%lld inflight=%lld mps=%.0f",
         o->label, o->size, o->window, nc, dur, sent, m_recv, lost, late, bad,
         inflight, mps);
  if (rtt.n)
    printf(" rtt_n=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f", rtt.n,
           pct(rtt.v, rtt.n, 0.50), pct(rtt.v, rtt.n, 0.99),
           rtt.v[rtt.n - 1] / 1000.0);
  if (have_cpu && m_recv > 0) {
    double srv = cu1 - cu0 + cs1 - cs0;
    printf(" srv_user_ms=%.0f srv_sys_ms=%.0f cpu_us_per_msg=%.3f",
           (cu1 - cu0) / 1000, (cs1 - cs0) / 1000, srv / (double)m_recv);
    /* how the load spread over several server processes */
    if (o->npids > 1 && srv > 0) {
      printf(" srv_cpu_share=");
      for (int i = 0; i < o->npids; i++)
        printf("%s%.2f", i ? "/" : "", (per1[i] - per0[i]) / srv);
    }
  }
  if (m_recv > 0)
    printf(" cli_cpu_us_per_msg=%.3f", (me1 - me0) / (double)m_recv);
  if (have_cpu && mb0 >= 0 && mb1 >= 0 && dur > 0)
    printf(" other_cores=%.2f", (mb1 - mb0 - (me1 - me0) - (ex1 - ex0) -
                                 (cu1 - cu0 + cs1 - cs0)) / 1e6 / dur);
  printf("\n");
  fflush(stdout);
  for (int c = 0; c < nc; c++) {
    free(es[c].sbuf);
    free(es[c].rbuf);
    close(es[c].fd);
  }
  free(rtt.v);
  free(es);
  free(pfd);
}

/* ---- flood mode ------------------------------------------------------- */

/* Ask the sink for its count. Returns -1 when it does not answer. */
static long long sink_stat(int fd, const struct opts *o, int timeout_ms) {
  char buf[128];
  /* drop anything stale first */
  while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {}
  for (int tries = 0; tries < 5; tries++) {
    if (send(fd, "STAT?", 5, 0) < 0) {
      if (errno == ECONNREFUSED) fail(o, "refused");
      if (errno != EAGAIN && errno != ENOBUFS) { perror("send"); fail(o, "send"); }
    }
    int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
    while (now_ns() < deadline) {
      int left = (int)((deadline - now_ns()) / 1000000) + 1;
      if (!wait_readable(fd, left)) break;
      ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == ECONNREFUSED) fail(o, "refused");
        continue;
      }
      buf[n] = '\0';
      char *endp;
      long long v = strtoll(buf, &endp, 10);
      if (endp != buf) return v;
    }
  }
  return -1;
}

/* One flood send: a sendmmsg(2) batch, or with -g one segmented sendmsg(2).
 * Returns the datagrams that left, or -1 with errno set. */
struct flood {
  int fd, gso, segs, size;
  unsigned batch;
  struct mmsghdr msg[MAXBATCH];
  struct iovec iov;
};

static long flood_send(struct flood *f, long long left) {
  if (f->gso) {
    long segs = left < f->segs ? (long)left : f->segs;
    ssize_t r = send(f->fd, f->iov.iov_base, (size_t)segs * (size_t)f->size, 0);
    return r < 0 ? -1 : segs;
  }
  unsigned k = left < f->batch ? (unsigned)left : f->batch;
  return sendmmsg(f->fd, f->msg, k, 0);
}

static void run_flood(const struct opts *o) {
  struct flood f;
  memset(&f, 0, sizeof f);
  f.fd = open_client(o->port);
  f.batch = o->batch > 0 && o->batch <= MAXBATCH ? (unsigned)o->batch : MAXBATCH;
  f.gso = o->gso;
  f.size = o->size;
  f.segs = f.gso ? GSO_MAX / o->size : 1;
  if (f.segs > 64) f.segs = 64;          /* the kernel's segment limit */
  size_t buflen = (size_t)o->size * (size_t)f.segs;
  unsigned char *buf = malloc(buflen + 1);
  if (!buf) { perror("malloc"); exit(2); }
  memset(buf, 'x', buflen);
  if (o->size == 5) buf[0] = 'y';        /* never look like "STAT?" */
  f.iov.iov_base = buf;
  f.iov.iov_len = buflen;
  if (f.gso) {
    int seg = o->size;
    if (setsockopt(f.fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof seg) < 0)
      fail(o, "gso_unsupported");
  } else {
    f.iov.iov_len = (size_t)o->size;
    for (unsigned i = 0; i < f.batch; i++) {
      f.msg[i].msg_hdr.msg_iov = &f.iov;
      f.msg[i].msg_hdr.msg_iovlen = 1;
    }
  }

  long long c0 = sink_stat(f.fd, o, 1000);
  if (c0 < 0) fail(o, "no_reply");

  /* warm-up: flood without measuring */
  int64_t t = now_ns(), warm_end = t + (int64_t)(o->warmup * 1e9);
  long long wsent = 0;
  while (now_ns() < warm_end && wsent < o->count) {
    long r = flood_send(&f, o->count - wsent);
    if (r > 0) wsent += r;
    else if (r < 0 && errno == ECONNREFUSED) fail(o, "refused");
  }
  if (o->warmup > 0) {
    usleep(50000);                      /* let the sink drain its backlog */
    c0 = sink_stat(f.fd, o, 1000);
    if (c0 < 0) fail(o, "no_reply");
  }

  double cu0 = 0, cs0 = 0, cu1 = 0, cs1 = 0;
  int have_cpu = procs_cpu(o->pids, o->npids, &cu0, &cs0, NULL) == 0;
  double me0 = self_cpu_us();
  double mb0 = machine_busy_us();
  long long d0 = sink_drops(o->port);
  int64_t t0 = now_ns(), end = t0 + (int64_t)(o->secs * 1e9);
  long long sent = 0, errs = 0;
  while (sent < o->count) {
    long r = flood_send(&f, o->count - sent);
    if (r > 0) sent += r;
    else if (r < 0) {
      if (errno == ECONNREFUSED) fail(o, "refused");
      if (f.gso && (errno == EIO || errno == EINVAL)) fail(o, "gso_unsupported");
      errs++;
      if (errno == EAGAIN || errno == ENOBUFS) {
        struct pollfd p = {.fd = f.fd, .events = POLLOUT};
        poll(&p, 1, 10);
      } else if (errs > 1000) {
        perror("flood send");
        fail(o, "send");
      }
    }
    if (now_ns() >= end) break;
  }
  int64_t t1 = now_ns();
  double me1 = self_cpu_us();
  double mb1 = machine_busy_us();
  double scu1 = 0, scs1 = 0;          /* the server's CPU at the same moment */
  if (have_cpu) have_cpu = procs_cpu(o->pids, o->npids, &scu1, &scs1, NULL) == 0;

  /* the sink may still be draining its socket buffer: wait until its count
   * stops moving (bounded) */
  long long c1 = -1, prev = -2;
  for (int i = 0; i < 40; i++) {
    c1 = sink_stat(f.fd, o, 500);
    if (c1 >= 0 && c1 == prev) break;
    prev = c1;
    usleep(20000);
  }
  if (c1 < 0) fail(o, "no_stat");
  if (have_cpu) have_cpu = procs_cpu(o->pids, o->npids, &cu1, &cs1, NULL) == 0;
  long long d1 = sink_drops(o->port);

  long long got = c1 - c0;
  double dur = (double)(t1 - t0) / 1e9;
  printf("loadgen mode=flood label=%s size=%d window=0 gso_segs=%d dur_s=%.3f "
         "sent=%lld recv=%lld loss_pct=%.2f send_mps=%.0f mps=%.0f",
         o->label, o->size, f.gso ? f.segs : 0, dur, sent, got,
         sent ? 100.0 * (double)(sent - got) / (double)sent : 0.0,
         (double)sent / dur, (double)got / dur);
  if (d0 >= 0 && d1 >= 0) printf(" sink_drops=%lld", d1 - d0);
  if (have_cpu && got > 0)
    printf(" srv_user_ms=%.0f srv_sys_ms=%.0f cpu_us_per_msg=%.3f",
           (cu1 - cu0) / 1000, (cs1 - cs0) / 1000,
           (cu1 - cu0 + cs1 - cs0) / (double)got);
  if (sent > 0)
    printf(" cli_cpu_us_per_msg=%.3f", (me1 - me0) / (double)sent);
  if (have_cpu && mb0 >= 0 && mb1 >= 0 && dur > 0)
    printf(" other_cores=%.2f",
           (mb1 - mb0 - (me1 - me0) - (scu1 - cu0 + scs1 - cs0)) / 1e6 / dur);
  printf("\n");
  fflush(stdout);
  free(buf);
  close(f.fd);
}

/* ---- watch mode ------------------------------------------------------- */

/* Another process floods the sink; count what the sink takes in during the
 * measured interval, and the CPU the -p processes (the sender) spend on it. */
static void run_watch(const struct opts *o) {
  int fd = open_client(o->port);
  if (o->warmup > 0) usleep((useconds_t)(o->warmup * 1e6));
  double cu0 = 0, cs0 = 0, cu1 = 0, cs1 = 0;
  int have_cpu = procs_cpu(o->pids, o->npids, &cu0, &cs0, NULL) == 0;
  double ex0 = procs_total_us(o->extra, o->nextra);
  double me0 = self_cpu_us(), mb0 = machine_busy_us();
  long long d0 = sink_drops(o->port);
  int64_t t0 = now_ns();
  long long c0 = sink_stat(fd, o, 1000);
  if (c0 < 0) fail(o, "no_reply");
  usleep((useconds_t)(o->secs * 1e6));
  long long c1 = sink_stat(fd, o, 1000);
  if (c1 < 0) fail(o, "no_stat");
  int64_t t1 = now_ns();
  long long d1 = sink_drops(o->port);
  if (have_cpu) have_cpu = procs_cpu(o->pids, o->npids, &cu1, &cs1, NULL) == 0;
  double ex1 = procs_total_us(o->extra, o->nextra);
  double me1 = self_cpu_us(), mb1 = machine_busy_us();

  long long got = c1 - c0, drops = d0 >= 0 && d1 >= 0 ? d1 - d0 : -1;
  double dur = (double)(t1 - t0) / 1e9;
  printf("loadgen mode=watch label=%s size=%d window=0 dur_s=%.3f recv=%lld mps=%.0f",
         o->label, o->size, dur, got, (double)got / dur);
  if (drops >= 0)
    printf(" sink_drops=%lld loss_pct=%.2f", drops,
           got + drops > 0 ? 100.0 * (double)drops / (double)(got + drops) : 0.0);
  if (have_cpu && got > 0)
    printf(" snd_user_ms=%.0f snd_sys_ms=%.0f cpu_us_per_msg=%.3f",
           (cu1 - cu0) / 1000, (cs1 - cs0) / 1000,
           (cu1 - cu0 + cs1 - cs0) / (double)got);
  if (have_cpu && mb0 >= 0 && mb1 >= 0 && dur > 0)
    printf(" other_cores=%.2f", (mb1 - mb0 - (me1 - me0) - (ex1 - ex0) -
                                 (cu1 - cu0 + cs1 - cs0)) / 1e6 / dur);
  printf("\n");
  fflush(stdout);
  close(fd);
}

/* ---- main -------------------------------------------------------------- */

static void usage(void) {
  fprintf(stderr,
    "usage: loadgen echo|flood|watch -P port [-s size] [-w window] [-c conns]\n"
    "               [-n count] [-t seconds] [-W warmup_s] [-p pid[,pid...]]\n"
    "               [-x pid[,pid...]] [-l label] [-b batch] [-g]\n"
    "               [-L loss_timeout_s]\n"
    "  echo : closed loop, window W in flight (W=1: ping-pong, RTT p50/p99),\n"
    "         spread over C sockets (distinct source ports)\n"
    "  flood: sendmmsg flood to a sink that answers \"STAT?\" with its count;\n"
    "         -g: segmented sends (UDP_SEGMENT), up to 64 KB each\n"
    "  watch: what a sink counts while another process floods it\n"
    "  -p: processes whose CPU is measured (summed); -x: more processes of\n"
    "      the test, left out of the load from elsewhere\n"
    "  target is always 127.0.0.1; output: one key=value line\n");
  exit(1);
}

static int parse_pids(const char *arg, long *pids) {
  int n = 0;
  char *end;
  while (*arg && n < MAXPIDS) {
    pids[n++] = strtol(arg, &end, 10);
    if (end == arg) usage();
    arg = *end == ',' ? end + 1 : end;
  }
  return n;
}

int main(int argc, char **argv) {
  struct opts o = {.mode = NULL, .label = "-", .port = 0, .size = 64,
                   .window = 64, .batch = MAXBATCH, .conns = 1, .count = 10000000,
                   .secs = 2.0, .warmup = 0.25, .loss_timeout = 0.2};
  if (argc < 2) usage();
  o.mode = argv[1];
  int c;
  optind = 2;
  while ((c = getopt(argc, argv, "P:s:w:c:n:t:W:p:x:l:b:gL:")) != -1) {
    switch (c) {
      case 'P': o.port = atoi(optarg); break;
      case 's': o.size = atoi(optarg); break;
      case 'w': o.window = atoi(optarg); break;
      case 'c': o.conns = atoi(optarg); break;
      case 'n': o.count = atoll(optarg); break;
      case 't': o.secs = atof(optarg); break;
      case 'W': o.warmup = atof(optarg); break;
      case 'p': o.npids = parse_pids(optarg, o.pids); break;
      case 'x': o.nextra = parse_pids(optarg, o.extra); break;
      case 'l': o.label = optarg; break;
      case 'b': o.batch = atoi(optarg); break;
      case 'g': o.gso = 1; break;
      case 'L': o.loss_timeout = atof(optarg); break;
      default: usage();
    }
  }
  if (o.port <= 0 || o.port > 65535 || o.size < 1 || o.size > 65507 ||
      o.window < 1 || o.window > MAXWINDOW || o.conns < 1 ||
      o.conns > MAXCONNS || o.conns > o.window || o.count < 1 || o.secs <= 0 ||
      o.secs > 600 || o.warmup < 0 || o.warmup > 60)
    usage();
  /* hard backstop: whatever happens, this process ends */
  alarm((unsigned)(o.warmup + o.secs) + 30);
  if (strcmp(o.mode, "echo") == 0) run_echo(&o);
  else if (strcmp(o.mode, "flood") == 0) run_flood(&o);
  else if (strcmp(o.mode, "watch") == 0) run_watch(&o);
  else usage();
  return 0;
}
