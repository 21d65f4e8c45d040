/*
 * fuzz/fuzz_common.h: what the libFuzzer harnesses share. One lua_State for
 * the whole run with the dgram module loaded (dgram.core linked in, the Lua
 * layer from ./lua), fuzz/fixtures.lua loaded as the table F, a reader over
 * the input bytes, the protected call that checks every error value and the
 * stack, Lua coverage fed to libFuzzer, and the per-input clean-up.
 *
 * Traps (abort, so libFuzzer saves the input) on:
 *   - an error value that is neither a dgram.Error, a string, nor a value
 *     the harness itself made (emit('error', t) raises t as it is);
 *   - an unbalanced Lua stack;
 *   - a fixture's own check (a send callback called twice, a bad rinfo...);
 *   - sockets or timers still alive, or callback errors still stashed,
 *     after the clean-up;
 *   - LeakSanitizer finding unreachable memory (every 16384 inputs), a Lua
 *     heap past 256 MiB;
 *   - with FUZZ_STRICT=1, a string error that the module raised (a Lua
 *     runtime error in lua/dgram or a luaL_check* message from dgram.core)
 *     rather than a dgram.Error; FUZZ_KNOWN=1 lets the known ones pass
 *     (FUZZ_KNOWN, below).
 * ASan, UBSan (no recovery) and libFuzzer catch the rest.
 *
 * Environment: FUZZ_STRICT=1 (above), FUZZ_KNOWN=1 (the known findings
 * don't stop a run), FUZZ_IGNORE_RINFO=1 (no rinfo check in 'message'
 * listeners), FUZZ_TAMPER=1 (api_fuzz also overwrites sockets' internal
 * fields), FUZZ_LUACOV=call|line|0 (Lua coverage for libFuzzer, below),
 * FUZZ_VERBOSE=1 (each new kind of string error once; the Lua heap, its
 * registry references and largest tables now and then), FUZZ_TIMING=1
 * (slow inputs and calls), FUZZ_REAL_DNS=1 (no DNS guard: only inside a
 * network namespace that has nothing but lo), FUZZ_ROOT (the repository
 * root to chdir to).
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

/* Each harness uses some of these helpers. */
#pragma clang diagnostic ignored "-Wunused-function"

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <uv.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "dgram.h"

#if defined(__has_include)
#if __has_include(<sanitizer/lsan_interface.h>)
#include <sanitizer/lsan_interface.h>
#define FZ_HAVE_LSAN 1
#endif
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static lua_State *L;
static int ref_F = LUA_NOREF;      /* fixtures table */
static int ref_dgram = LUA_NOREF;  /* require "dgram" */
static int fz_strict, fz_verbose, fz_timing;
static int fz_lenient;             /* after core.close_all: stale handles raise strings */
static int fz_badself;             /* the current call has a non-socket self */
static unsigned long fz_inputs;

/* ------------------------------------------------------------------ */
/* Traps. */

__attribute__((noreturn, format(printf, 1, 2)))
static void fz_trap(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "\n==FUZZ TRAP== ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  if (L != NULL) {
    luaL_traceback(L, L, NULL, 0);
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
  }
  abort();
}

/* ------------------------------------------------------------------ */
/* The input reader: past the end every read gives zeros. */

typedef struct rd {
  const uint8_t *p;
  size_t n;
} rd_t;

static uint8_t rd_u8(rd_t *r) {
  uint8_t v = 0;
  if (r->n > 0) {
    v = *r->p++;
    r->n--;
  }
  return v;
}

static uint16_t rd_u16(rd_t *r) {
  uint16_t v = rd_u8(r);
  return (uint16_t)(v | (uint16_t)rd_u8(r) << 8);
}

static uint32_t rd_u32(rd_t *r) {
  uint32_t v = rd_u16(r);
  return v | (uint32_t)rd_u16(r) << 16;
}

static uint64_t rd_u64(rd_t *r) {
  uint64_t v = rd_u32(r);
  return v | (uint64_t)rd_u32(r) << 32;
}

static double rd_f64(rd_t *r) {
  uint64_t u = rd_u64(r);
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* Pushes up to `max` raw bytes of the input as a string (length first). */
static void rd_push_bytes(rd_t *r, size_t max) {
  size_t len = max > 255 ? rd_u16(r) : rd_u8(r);
  len %= max + 1;
  if (len > r->n)
    len = r->n;
  lua_pushlstring(L, (const char *)r->p, len);
  r->p += len;
  r->n -= len;
}

/* ------------------------------------------------------------------ */
/* Lua coverage as libFuzzer extra counters. Without it libFuzzer sees only
 * the C side, and most of the policy (validation, state machines) is Lua.
 * Two granularities (FUZZ_LUACOV): "call" (the default) bumps a counter
 * per edge between two called Lua functions (source and first line);
 * "line" bumps one per edge between two executed Lua lines, the line number
 * standing for the location, finer but halves the executions per second
 * (measured: api_fuzz 836/s with "call", 420/s with "line", 1109/s off);
 * "0" turns it off. */

#define FZ_LCOV_SIZE (1u << 16)
__attribute__((section("__libfuzzer_extra_counters"), used))
static uint8_t fz_lcov[FZ_LCOV_SIZE];
static uint32_t fz_prev_loc;

/* Not instrumented themselves: they run on every Lua line or call. */
__attribute__((no_sanitize("coverage", "address", "undefined")))
static void fz_line_hook(lua_State *l, lua_Debug *ar) {
  uint32_t cur = (uint32_t)ar->currentline * 0x9E3779B1u;
  (void)l;
  cur ^= cur >> 16;
  fz_lcov[(cur ^ fz_prev_loc) & (FZ_LCOV_SIZE - 1)]++;
  fz_prev_loc = cur >> 1;
}

__attribute__((no_sanitize("coverage", "address", "undefined")))
static void fz_call_hook(lua_State *l, lua_Debug *ar) {
  uint32_t cur;
  if (!lua_getinfo(l, "S", ar) || ar->what[0] == 'C')
    return;
  cur = (uint32_t)(uintptr_t)ar->source * 0x85EBCA6Bu ^ (uint32_t)ar->linedefined * 0x9E3779B1u;
  cur ^= cur >> 16;
  fz_lcov[(cur ^ fz_prev_loc) & (FZ_LCOV_SIZE - 1)]++;
  fz_prev_loc = cur >> 1;
}

/* ------------------------------------------------------------------ */
/* C helpers for the fixtures (the `fz` table). */

static int fz_l_trap(lua_State *l) {
  fz_trap("%s", luaL_optstring(l, 1, "fixture trap"));
}

static int lo_index(void) {
  static int idx = -1;
  if (idx < 0)
    idx = (int)if_nametoindex("lo");
  return idx;
}

/* s (as C sees it, up to the first NUL) parses as an IP that is not
 * loopback, by the same libuv functions that dgram.core uses. */
static int unsafe_dest(const char *s) {
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  if (uv_ip4_addr(s, 0, &a4) == 0 && a4.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
    return 1;
  if (uv_ip6_addr(s, 0, &a6) == 0) {
    static const unsigned char mapped_lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    if (!IN6_IS_ADDR_LOOPBACK(&a6.sin6_addr) && memcmp(&a6.sin6_addr, mapped_lo, 16) != 0)
      return 1;
  }
  return 0;
}

/* A multicast interface argument: only loopback, or nothing that parses. */
static int unsafe_iface(const char *s) {
  struct in_addr a4;
  struct sockaddr_in6 a6;
  if (uv_inet_pton(AF_INET, s, &a4) == 0 && a4.s_addr != htonl(INADDR_LOOPBACK))
    return 1;
  if (uv_ip6_addr(s, 0, &a6) == 0 && (int)a6.sin6_scope_id != lo_index())
    return 1;
  return 0;
}

static int parses_ip(const char *s) {
  struct sockaddr_in a4;
  struct sockaddr_in6 a6;
  return uv_ip4_addr(s, 0, &a4) == 0 || uv_ip6_addr(s, 0, &a6) == 0;
}

static int fz_l_unsafe_dest(lua_State *l) {
  lua_pushboolean(l, lua_type(l, 1) == LUA_TSTRING && unsafe_dest(lua_tostring(l, 1)));
  return 1;
}

/* Fresh UDP sockets handed to bind({fd=}); the ones dgram did not adopt
 * are closed after each input (matched by inode, as the number may be
 * reused once dgram closes its copy). */
#define FZ_MAXFD 16
static struct { int fd; ino_t ino; } fz_fds[FZ_MAXFD];
static int fz_nfds;

static int fz_l_udpfd(lua_State *l) {
  int fd;
  struct stat st;
  if (fz_nfds == FZ_MAXFD) {
    lua_pushinteger(l, -1);
    return 1;
  }
  fd = socket(luaL_optinteger(l, 1, 4) == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && fstat(fd, &st) == 0) {
    fz_fds[fz_nfds].fd = fd;
    fz_fds[fz_nfds].ino = st.st_ino;
    fz_nfds++;
  }
  lua_pushinteger(l, fd);
  return 1;
}

static void fz_close_fds(void) {
  int i;
  struct stat st;
  for (i = 0; i < fz_nfds; i++)
    if (fstat(fz_fds[i].fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == fz_fds[i].ino)
      close(fz_fds[i].fd);
  fz_nfds = 0;
}

/* ------------------------------------------------------------------ */
/* Error values and protected calls. */

/* String errors that are no finding: raised by the fixtures themselves, by
 * a hostile value's own __tostring, or by the Lua VM running out. */
static const char *const FUZZ_ALLOW[] = {
  "fuzz:",
  "'__tostring' must return a string",
  "not enough memory",
  "stack overflow",
  NULL
};

/* String errors the module raises instead of a dgram.Error that are known
 * findings (fuzz/repro/README.md): with FUZZ_KNOWN=1 they don't stop a run
 * (so that it can find the next one); without it strict mode traps on them. */
static const char *const FUZZ_KNOWN[] = {
  "dgram.run: the loop is already running",  /* run() from a callback: a string */
  NULL
};

static int fz_known(const char *msg) {
  int i;
  static int on = -1;
  if (on < 0)
    on = getenv("FUZZ_KNOWN") != NULL && atoi(getenv("FUZZ_KNOWN")) != 0;
  if (on)
    for (i = 0; FUZZ_KNOWN[i] != NULL; i++)
      if (strstr(msg, FUZZ_KNOWN[i]) != NULL)
        return 1;
  return 0;
}

#define FZ_SEEN 512
static uint32_t fz_seen[FZ_SEEN];
static int fz_nseen;

/* A string error: classify it. Lua runtime errors inside lua/dgram and
 * luaL_check* messages from dgram.core are the module failing to validate. */
static void fz_string_error(const char *msg, size_t len, const char *where) {
  int i, module = 0;
  uint32_t h = 2166136261u;
  for (i = 0; FUZZ_ALLOW[i] != NULL; i++)
    if (strstr(msg, FUZZ_ALLOW[i]) != NULL)
      return;
  if (fz_known(msg))
    return;
  if (strstr(msg, "lua/dgram") != NULL || strncmp(msg, "bad argument #", 14) == 0 ||
      strstr(msg, "socket is closed") != NULL || strstr(msg, "expected, got") != NULL)
    module = 1;
  if (fz_strict && module && !fz_badself && !fz_lenient)
    fz_trap("%s: the module raised a string, not a dgram.Error: %s", where, msg);
  if (fz_verbose) {
    /* once per message shape (digits dropped) */
    for (i = 0; i < (int)len && i < 200; i++)
      if (msg[i] < '0' || msg[i] > '9')
        h = (h ^ (uint8_t)msg[i]) * 16777619u;
    for (i = 0; i < fz_nseen; i++)
      if (fz_seen[i] == h)
        return;
    if (fz_nseen < FZ_SEEN)
      fz_seen[fz_nseen++] = h;
    fprintf(stderr, "[fuzz] %s%s: string error: %.300s\n", module ? "MODULE " : "", where, msg);
  }
}

/* Checks the error value on top of the stack and pops it. */
static void fz_check_error(const char *where) {
  int t = lua_type(L, -1);
  if (t == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    fz_string_error(s, len, where);
  } else if (t == LUA_TTABLE) {
    int ok = 0;
    if (lua_getmetatable(L, -1)) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, ref_F);
      lua_getfield(L, -1, "Error");
      ok = lua_rawequal(L, -1, -3);
      lua_pop(L, 3);
    }
    if (!ok) {
      lua_rawgeti(L, LUA_REGISTRYINDEX, ref_F);
      lua_getfield(L, -1, "known");
      lua_pushvalue(L, -3);
      ok = lua_rawget(L, -2) != LUA_TNIL;
      lua_pop(L, 3);
    }
    if (!ok)
      fz_trap("%s: error value is a table that is neither a dgram.Error nor the harness's own", where);
  } else {
    fz_trap("%s: error value of type %s", where, lua_typename(L, t));
  }
  lua_pop(L, 1);
}

/* Calls the function below nargs arguments; checks the error value or
 * drops the results; checks the stack. Returns 1 on success. */
static int fz_pcall(int nargs, const char *where) {
  int base = lua_gettop(L) - nargs - 1;
  int status;
  if (base < 0)
    fz_trap("%s: stack underflow before the call", where);
  status = lua_pcall(L, nargs, LUA_MULTRET, 0);
  if (status != LUA_OK) {
    if (lua_gettop(L) != base + 1)
      fz_trap("%s: stack unbalanced after a failed call: %d, expected %d", where, lua_gettop(L), base + 1);
    fz_check_error(where);
    return 0;
  }
  if (lua_gettop(L) < base)
    fz_trap("%s: stack unbalanced after the call: %d < %d", where, lua_gettop(L), base);
  lua_settop(L, base);
  return 1;
}

/* The same, keeping exactly one result (nil on error). */
static int fz_pcall1(int nargs, const char *where) {
  int base = lua_gettop(L) - nargs - 1;
  if (lua_pcall(L, nargs, 1, 0) != LUA_OK) {
    fz_check_error(where);
    lua_pushnil(L);
    if (lua_gettop(L) != base + 1)
      fz_trap("%s: stack unbalanced", where);
    return 0;
  }
  if (lua_gettop(L) != base + 1)
    fz_trap("%s: stack unbalanced", where);
  return 1;
}

/* Pushes F[name]. */
static void fz_fixture(const char *name) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_F);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
}

/* Calls a fixture (pushed with its nargs arguments); one result. A fixture
 * that fails is a harness bug or a module failure where none may be. */
static void fz_fixcall(int nargs, const char *name) {
  if (lua_pcall(L, nargs, 1, 0) != LUA_OK)
    fz_trap("fixture %s failed: %s", name, luaL_tolstring(L, -1, NULL));
}

/* Hands the value on top to fixture `which` (track_timer, ...) and pops it. */
static void track(const char *which) {
  fz_fixture(which);
  lua_insert(L, -2);
  fz_fixcall(1, which);
  lua_pop(L, 1);
}

/* Pushes dgram[name]. */
static void fz_dgram(const char *name) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_dgram);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
}

/* ------------------------------------------------------------------ */
/* Start-up. */

static int fz_open_core(lua_State *l) { return luaopen_dgram_core(l); }

static void fz_init(void) {
  const char *root = getenv("FUZZ_ROOT");
  int top;
  if (L != NULL)
    return;
  if (root != NULL && chdir(root) != 0) {
    perror("FUZZ_ROOT");
    exit(2);
  }
  fz_strict = getenv("FUZZ_STRICT") != NULL && atoi(getenv("FUZZ_STRICT")) != 0;
  fz_verbose = getenv("FUZZ_VERBOSE") != NULL && atoi(getenv("FUZZ_VERBOSE")) != 0;
  fz_timing = getenv("FUZZ_TIMING") != NULL && atoi(getenv("FUZZ_TIMING")) != 0;
  L = luaL_newstate();
  luaL_openlibs(L);
  top = lua_gettop(L);
  lua_getglobal(L, "package");
  lua_pushliteral(L, "./lua/?.lua;./lua/?/init.lua");
  lua_setfield(L, -2, "path");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, fz_open_core);
  lua_setfield(L, -2, "dgram.core");
  lua_pop(L, 2);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "dgram");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "require 'dgram' failed (run from the repository root): %s\n", lua_tostring(L, -1));
    exit(2);
  }
  ref_dgram = luaL_ref(L, LUA_REGISTRYINDEX);
  if (luaL_loadfile(L, "fuzz/fixtures.lua") != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    exit(2);
  }
  lua_newtable(L);
  lua_pushcfunction(L, fz_l_trap);
  lua_setfield(L, -2, "trap");
  lua_pushcfunction(L, fz_l_unsafe_dest);
  lua_setfield(L, -2, "unsafe_dest");
  lua_pushcfunction(L, fz_l_udpfd);
  lua_setfield(L, -2, "udpfd");
  lua_pushboolean(L, getenv("FUZZ_REAL_DNS") != NULL && atoi(getenv("FUZZ_REAL_DNS")) != 0);
  lua_setfield(L, -2, "real_dns");
  lua_pushboolean(L, getenv("FUZZ_IGNORE_RINFO") != NULL && atoi(getenv("FUZZ_IGNORE_RINFO")) != 0);
  lua_setfield(L, -2, "ignore_rinfo");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "fuzz/fixtures.lua: %s\n", lua_tostring(L, -1));
    exit(2);
  }
  ref_F = luaL_ref(L, LUA_REGISTRYINDEX);
  {
    const char *cov = getenv("FUZZ_LUACOV");
    if (cov != NULL && strcmp(cov, "0") == 0)
      ;
    else if (cov != NULL && strcmp(cov, "line") == 0)
      lua_sethook(L, fz_line_hook, LUA_MASKLINE, 0);
    else
      lua_sethook(L, fz_call_hook, LUA_MASKCALL, 0);
  }
  if (lua_gettop(L) != top)
    fz_trap("init: stack unbalanced");
}

/* ------------------------------------------------------------------ */
/* Clean-up after each input: close every socket through the API, clear the
 * harness's timers, run the loop until idle (bounded), close whatever is
 * left with core.close_all, and check that nothing stays alive. */

static double fz_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One run("nowait"); returns whether the loop has work left (1 on error). */
static int fz_run_nowait(const char *where) {
  int alive = 1;
  fz_dgram("run");
  lua_pushliteral(L, "nowait");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fz_check_error(where);
    return 1;
  }
  alive = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return alive;
}

/* live handles, pending errors, pending look-ups */
static void fz_counts(int *live, int *errs, int *dns) {
  fz_fixture("open_handles");
  if (lua_pcall(L, 0, 4, 0) != LUA_OK)
    fz_trap("open_handles failed: %s", lua_tostring(L, -1));
  *live = (int)lua_tointeger(L, -4);
  *errs = (int)lua_tointeger(L, -2);
  *dns = (int)lua_tointeger(L, -1);
  lua_pop(L, 4);
}

static void fz_cleanup(int top) {
  int i, n, live, errs, dns;
  double deadline;
  if (lua_gettop(L) != top)
    fz_trap("stack unbalanced at the end of the input: %d, expected %d", lua_gettop(L), top);
  fz_badself = 0;
  /* close every socket, as a user would */
  fz_fixture("sockets");
  fz_fixcall(0, "sockets");
  n = (int)luaL_len(L, -1);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lua_getfield(L, -1, "close");
    lua_insert(L, -2);
    fz_pcall(1, "cleanup close");
  }
  lua_pop(L, 1);
  fz_fixture("clear_timers");
  fz_pcall(0, "clear_timers");
  /* run until idle. Each run() raises at most one error (a callback's, or
   * a nextTick's before the loop runs at all), so a burst of raising
   * 'close' listeners takes a pass each; look-ups on the thread pool may
   * take a moment. */
  deadline = fz_now() + 5.0;
  for (i = 0;; i++) {
    int alive = fz_run_nowait("cleanup run");
    fz_counts(&live, &errs, &dns);
    if (!alive && errs == 0 && dns == 0)
      break;
    if (i > 1000 || (i > 8 && dns == 0 && errs == 0) || fz_now() > deadline)
      break;
    if (dns > 0)
      usleep(100);
  }
  /* whatever is left (a close queued behind a bind that never ends) */
  fz_lenient = 1;
  fz_dgram("stop");
  lua_pop(L, 1);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_F);
  lua_getfield(L, -1, "core");
  lua_getfield(L, -1, "close_all");
  fz_pcall(0, "close_all");
  lua_pop(L, 2);
  for (i = 0; i < 1000; i++) {
    int alive = fz_run_nowait("final run");
    fz_counts(&live, &errs, &dns);
    if (getenv("FUZZ_DEBUG_CLEANUP"))
      fprintf(stderr, "[cleanup] pass %d: alive %d, live %d, stashed errors %d, look-ups %d\n", i, alive,
              live, errs, dns);
    if (live == 0 && errs == 0 && !alive)
      break;
  }
  fz_lenient = 0;
  if (live != 0)
    fz_trap("%d sockets or timers still alive after the clean-up", live);
  if (errs != 0)
    fz_trap("%d callback errors still stashed after the clean-up", errs);
  fz_close_fds();
  fz_fixture("reset");
  fz_fixcall(0, "reset");
  lua_pop(L, 1);
  if (lua_gettop(L) != top)
    fz_trap("stack unbalanced after the clean-up");
#ifdef FZ_HAVE_LSAN
  /* C leaks: libFuzzer's own per-input check (-detect_leaks) would run after
   * almost every input, as the Lua GC frees late; so run -detect_leaks=0 and
   * look for unreachable blocks here now and then instead. */
  if (getenv("FUZZ_PLANT_LEAK") != NULL && fz_inputs == 100)
    fprintf(stderr, "planted leak at %p\n", (void *)((uintptr_t)malloc(4242) ^ 1));
  if ((fz_inputs + 1) % 16384 == 0 && __lsan_do_recoverable_leak_check() != 0)
    fz_trap("LeakSanitizer found unreachable memory (report above)");
#endif
  /* the Lua heap must stay bounded over the whole run */
  if (++fz_inputs % 4096 == 0) {
    int kb;
    lua_gc(L, LUA_GCCOLLECT);
    kb = lua_gc(L, LUA_GCCOUNT);
    if (fz_verbose) {
      /* the registry's references in use: a leak of refs shows here first */
      lua_Integer refs = 0, r, nr = (lua_Integer)lua_rawlen(L, LUA_REGISTRYINDEX);
      for (r = 1; r <= nr; r++) {
        refs += lua_rawgeti(L, LUA_REGISTRYINDEX, r) != LUA_TNUMBER;
        lua_pop(L, 1);
      }
      fprintf(stderr, "[fuzz] %lu inputs, Lua heap %d KiB, %lld registry refs\n", fz_inputs, kb,
              (long long)refs);
      if (fz_inputs % 32768 == 0) {
        fz_fixture("census");
        lua_pushinteger(L, 8);
        fz_fixcall(1, "census");
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
      }
    }
    if (kb > 256 * 1024)
      fz_trap("Lua heap grew to %d KiB", kb);
  }
}

static void fz_begin(void) {
  fz_prev_loc = 0;
  fz_badself = 0;
}

#endif
