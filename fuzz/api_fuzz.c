/*
 * fuzz/api_fuzz.c: libFuzzer harness over dgram's public API. Each input is
 * a short program: the bytes pick operations (createSocket with type
 * strings or option tables good and bad, every Socket method, the emitter
 * methods, the module's timers and loop functions, dropping a socket for
 * the GC, aborting a signal) and their arguments (nil, interior nils,
 * booleans, edge integers and floats, address strings with embedded NULs,
 * 64 KiB strings, %zones, v4-mapped and malformed literals, hostile tables,
 * callbacks that raise, close, send or re-enter run()). Every call goes
 * through lua_pcall and its error value is checked (fuzz_common.h). After
 * each input every socket is closed and the loop is run with
 * dgram.run("nowait") until idle, and nothing may be left alive.
 *
 * Destinations are only ever 127.0.0.1 or ::1: every string argument of
 * send and connect that parses as another IP (as dgram.core parses it) is
 * replaced, port numbers are kept to ports of the harness's own sockets,
 * < 1024, 29100-29115 or > 61000 (never another process's ephemeral port),
 * names that would reach the system resolver are answered locally (the DNS
 * guard in fixtures.lua), and multicast joins happen on lo only.
 *
 * With FUZZ_TAMPER=1 an operation also overwrites a socket's internal
 * fields (_events, _state, _state.handle, .fast, .family) as a script may;
 * errors of any text are then allowed for the rest of the input, but not a
 * crash, a sanitizer report or a loop left unusable.
 *
 * Build and run: make fuzz (see the Makefile); one input by hand:
 *   build/fuzz/api_fuzz fuzz/corpus/api_fuzz/<file>
 */
#include "fuzz_gen.h"

#ifndef MAX_OPS
#define MAX_OPS 32 /* operations per input */
#endif

/* ------------------------------------------------------------------ */
/* Argument lists. Each pushes the arguments after self; returns how many. */

static int args_send(rd_t *r, int slot) {
  int n = 0, i;
  unsigned t = rd_u8(r) % 7, bits = rd_u8(r);
  gen_msg(r, slot);
  n = 1;
  switch (t) {
  case 0: /* anything */
    for (i = rd_u8(r) % 7; i > 0; i--, n++)
      gen(r, M_NET, slot);
    break;
  case 1: /* msg, port[, address][, callback] */
    gen_port(r, M_NET, slot), n++;
    if (bits & 1)
      gen_addr(r, slot), n++;
    if (bits & 2)
      gen_sendcb(r, slot), n++;
    break;
  case 2: /* msg, offset, length, port, address, callback */
    gen(r, M_NET, slot), n++;
    gen(r, M_NET, slot), n++;
    gen_port(r, M_NET, slot), n++;
    gen_addr(r, slot), n++;
    if (bits & 2)
      gen_sendcb(r, slot), n++;
    break;
  case 3: /* connected: msg[, callback] */
    if (bits & 2)
      gen_sendcb(r, slot), n++;
    break;
  case 4: /* connected: msg, offset, length[, callback] */
    lua_pushinteger(L, rd_u8(r) % 8), n++;
    lua_pushinteger(L, rd_u8(r) % 16), n++;
    if (bits & 2)
      gen_sendcb(r, slot), n++;
    break;
  case 5: /* msg, port, callback */
    gen_port(r, M_NET, slot), n++;
    gen_sendcb(r, slot), n++;
    break;
  default: /* msg, offset, length, port, nil, callback */
    lua_pushinteger(L, rd_u8(r) % 8), n++;
    lua_pushinteger(L, rd_u8(r) % 300), n++;
    gen_port(r, M_NET, slot), n++;
    lua_pushnil(L), n++;
    gen_sendcb(r, slot), n++;
    break;
  }
  return n;
}

static int args_connect(rd_t *r, int slot) {
  int n = 0, i;
  switch (rd_u8(r) % 4) {
  case 0:
    for (i = rd_u8(r) % 5; i > 0; i--, n++)
      gen(r, M_NET, slot);
    break;
  case 1:
    gen_port(r, M_NET, slot), n++;
    gen_addr(r, slot), n++;
    gen_cb(r, M_NET, slot), n++;
    break;
  case 2:
    gen_port(r, M_NET, slot), n++;
    gen_cb(r, M_NET, slot), n++;
    break;
  default:
    gen_port(r, M_NET, slot), n++;
  }
  return n;
}

static void bind_options(rd_t *r, int slot) {
  unsigned bits = rd_u8(r);
  if (bits == 0xff) {
    fz_fixture("tbl");
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(1, "tbl");
    return;
  }
  lua_newtable(L);
  if (bits & 1) {
    gen_port(r, M_BIND, slot);
    lua_setfield(L, -2, "port");
  }
  if (bits & 2) {
    if (rd_u8(r) & 1)
      push_dict(r);
    else
      gen(r, M_BIND, slot);
    lua_setfield(L, -2, "address");
  }
  if (bits & 4) {
    gen(r, M_ANY, slot);
    lua_setfield(L, -2, "exclusive");
  }
  if (bits & 8) {
    gen_fd(r);
    lua_setfield(L, -2, "fd");
  }
  fz_fixture("mark");
  lua_pushvalue(L, -2);
  fz_fixcall(1, "mark");
  lua_pop(L, 1);
}

static int args_bind(rd_t *r, int slot) {
  int n = 0, i;
  switch (rd_u8(r) % 7) {
  case 0:
    for (i = rd_u8(r) % 5; i > 0; i--, n++)
      gen(r, M_BIND, slot);
    break;
  case 1: /* port, address, callback */
    gen_port(r, M_BIND, slot), n++;
    if (rd_u8(r) & 1)
      push_dict(r), n++;
    else
      gen(r, M_BIND, slot), n++;
    gen_cb(r, M_BIND, slot), n++;
    break;
  case 2: /* options, callback */
    bind_options(r, slot), n++;
    gen_cb(r, M_BIND, slot), n++;
    break;
  case 3: /* port, callback */
    gen_port(r, M_BIND, slot), n++;
    gen_cb(r, M_BIND, slot), n++;
    break;
  case 4: /* callback */
    gen_cb(r, M_BIND, slot), n++;
    break;
  case 5:
    bind_options(r, slot), n++;
    break;
  default: /* the usual: port 0 on loopback */
    lua_pushinteger(L, 0), n++;
    lua_pushstring(L, rd_u8(r) & 1 ? "::1" : "127.0.0.1"), n++;
    break;
  }
  return n;
}

static void gen_group(rd_t *r, int slot) {
  switch (rd_u8(r) % 4) {
  case 0:
  case 1:
    push_dict(r);
    break;
  case 2:
    rd_push_bytes(r, 64);
    break;
  default:
    gen(r, M_ANY, slot);
  }
}

/* The interface argument at `iface` (absolute index, or 0 when absent)
 * for the group at `group`: joins only ever happen on lo. Returns the
 * (possibly larger) argument count. */
static int fix_iface(int first, int n, int group_pos, int iface_pos) {
  int group = first + group_pos - 1, iface = first + iface_pos - 1;
  const char *g = n >= group_pos && lua_type(L, group) == LUA_TSTRING ? lua_tostring(L, group) : NULL;
  struct sockaddr_in a4;
  int v4 = g != NULL && uv_ip4_addr(g, 0, &a4) == 0;
  const char *safe = v4 ? "127.0.0.1" : "::1%lo";
  if (n < iface_pos || lua_isnil(L, iface)) {
    if (g == NULL || !parses_ip(g))
      return n;
    while (n < iface_pos) {
      lua_pushnil(L);
      n++;
    }
    lua_pushstring(L, safe);
    lua_replace(L, iface);
  } else if (lua_type(L, iface) == LUA_TSTRING && unsafe_iface(lua_tostring(L, iface))) {
    lua_pushstring(L, safe);
    lua_replace(L, iface);
  }
  return n;
}

static void gen_iface(rd_t *r, int slot) {
  static const char *const IFACES[] = {"127.0.0.1", "::1%lo", "::%lo", "fe80::1%lo", "lo", "%lo", "eth0"};
  switch (rd_u8(r) % 4) {
  case 0:
    lua_pushnil(L);
    break;
  case 1:
    lua_pushstring(L, IFACES[rd_u8(r) % 7]);
    break;
  case 2:
    push_dict(r);
    break;
  default:
    gen(r, M_ANY, slot);
  }
}

static int args_membership(rd_t *r, int slot, int ssm) {
  int first = lua_gettop(L) + 1, n = 0, want = rd_u8(r) % 5;
  if (ssm) {
    if (want > 0)
      gen_group(r, slot), n++;
    if (want > 1)
      gen_group(r, slot), n++;
    if (want > 2)
      gen_iface(r, slot), n++;
    for (; n < want; n++)
      gen(r, M_ANY, slot);
    return fix_iface(first, n, 2, 3);
  }
  if (want > 0)
    gen_group(r, slot), n++;
  if (want > 1)
    gen_iface(r, slot), n++;
  for (; n < want; n++)
    gen(r, M_ANY, slot);
  return fix_iface(first, n, 1, 2);
}

static int args_any(rd_t *r, int slot, int mode) {
  int n, i = rd_u8(r) % 4;
  for (n = 0; n < i; n++)
    gen(r, mode, slot);
  return n;
}

static int args_listen(rd_t *r, int slot) {
  int first = lua_gettop(L) + 1;
  push_name(r);
  gen_listener(r, slot, first);
  return 2;
}

/* off / removeListener / listenerCount: an existing listener or another. */
static int args_off(rd_t *r, int slot) {
  int first = lua_gettop(L) + 1;
  push_name(r);
  if (rd_u8(r) & 1) {
    /* one of the listeners already there (a once-wrapper included) */
    lua_getfield(L, first - 1, "rawListeners"); /* self is just below */
    lua_pushvalue(L, first - 1);
    lua_pushvalue(L, first);
    fz_pcall1(2, "rawListeners");
    if (lua_type(L, -1) == LUA_TTABLE) {
      lua_rawgeti(L, -1, rd_u8(r) % 3 + 1);
      lua_remove(L, -2);
    }
  } else {
    gen_listener(r, slot, first);
  }
  return 2;
}

static int args_emit(rd_t *r, int slot) {
  int n = 1, i = rd_u8(r) % 5;
  push_name(r);
  for (; i > 0; i--, n++)
    gen(r, M_ANY, slot);
  return n;
}

static int args_name(rd_t *r, int slot) {
  (void)slot;
  if (rd_u8(r) % 4 == 0)
    return 0;
  push_name(r);
  return 1;
}

enum { B_SEND, B_BIND, B_CONNECT, B_MEMB, B_SSM, B_CLOSE, B_ANY, B_LISTEN, B_OFF, B_EMIT, B_NAME };

static const struct { const char *name; int builder; } METHODS[] = {
  {"send", B_SEND}, {"send", B_SEND}, {"send", B_SEND}, {"send", B_SEND},
  {"bind", B_BIND}, {"bind", B_BIND}, {"bind", B_BIND},
  {"connect", B_CONNECT}, {"connect", B_CONNECT},
  {"close", B_CLOSE}, {"disconnect", B_ANY}, {"address", B_ANY}, {"remoteAddress", B_ANY},
  {"setBroadcast", B_ANY}, {"setTTL", B_ANY}, {"setMulticastTTL", B_ANY},
  {"setMulticastLoopback", B_ANY}, {"setMulticastInterface", B_ANY},
  {"addMembership", B_MEMB}, {"dropMembership", B_MEMB},
  {"addSourceSpecificMembership", B_SSM}, {"dropSourceSpecificMembership", B_SSM},
  {"setRecvBufferSize", B_ANY}, {"setSendBufferSize", B_ANY},
  {"getRecvBufferSize", B_ANY}, {"getSendBufferSize", B_ANY},
  {"getSendQueueSize", B_ANY}, {"getSendQueueCount", B_ANY}, {"ref", B_ANY}, {"unref", B_ANY},
  {"on", B_LISTEN}, {"addListener", B_LISTEN}, {"once", B_LISTEN}, {"prependListener", B_LISTEN},
  {"prependOnceListener", B_LISTEN}, {"off", B_OFF}, {"removeListener", B_OFF},
  {"removeAllListeners", B_NAME}, {"emit", B_EMIT}, {"listeners", B_NAME},
  {"rawListeners", B_NAME}, {"listenerCount", B_OFF}, {"eventNames", B_ANY},
  {"setMaxListeners", B_ANY}, {"getMaxListeners", B_ANY}, {"__close", B_ANY},
  {"__tostring", B_ANY},
};
#define NMETHODS (sizeof METHODS / sizeof METHODS[0])

static int build_args(rd_t *r, int builder, int slot) {
  switch (builder) {
  case B_SEND: return args_send(r, slot);
  case B_BIND: return args_bind(r, slot);
  case B_CONNECT: return args_connect(r, slot);
  case B_MEMB: return args_membership(r, slot, 0);
  case B_SSM: return args_membership(r, slot, 1);
  case B_CLOSE:
    if (rd_u8(r) & 1)
      return 0;
    gen_cb(r, M_ANY, slot);
    return 1;
  case B_LISTEN: return args_listen(r, slot);
  case B_OFF: return args_off(r, slot);
  case B_EMIT: return args_emit(r, slot);
  case B_NAME: return args_name(r, slot);
  default: return args_any(r, slot, M_ANY);
  }
}

/* ------------------------------------------------------------------ */
/* Operations. */

static void push_type(rd_t *r, int slot) {
  static const char *const TYPES[] = {"udp4", "udp6", "udp4", "udp6", "UDP4", "", "udp"};
  unsigned k = rd_u8(r) % 10;
  if (k < 7)
    lua_pushstring(L, TYPES[k]);
  else if (k == 7)
    lua_pushlstring(L, "udp4\0", 5);
  else
    gen(r, M_ANY, slot);
}

static void op_create(rd_t *r) {
  int slot = rd_u8(r) % NSLOT + 1, n = 1, twice = 0;
  unsigned form = rd_u8(r) % 6, bits;
  fz_dgram("createSocket");
  if (form == 0 || form == 1) {
    push_type(r, slot);
  } else if (form == 5) {
    gen(r, M_ANY, slot);
  } else {
    bits = rd_u16(r);
    lua_newtable(L);
    if (!(bits & 1)) {
      push_type(r, slot);
      lua_setfield(L, -2, "type");
    }
    if (bits & 2) { gen(r, M_ANY, slot); lua_setfield(L, -2, "reuseAddr"); }
    if (bits & 4) { gen(r, M_ANY, slot); lua_setfield(L, -2, "reusePort"); }
    if (bits & 8) { gen(r, M_ANY, slot); lua_setfield(L, -2, "ipv6Only"); }
    if (bits & 16) { gen(r, M_ANY, slot); lua_setfield(L, -2, "recvBufferSize"); }
    if (bits & 32) { gen(r, M_ANY, slot); lua_setfield(L, -2, "sendBufferSize"); }
    if (bits & 64) {
      if (rd_u8(r) % 5 == 4) {
        gen(r, M_ANY, slot);
      } else {
        fz_fixture("lookup");
        lua_pushinteger(L, rd_u8(r));
        lua_pushinteger(L, rd_u8(r));
        if (lua_pcall(L, 2, 2, 0) != LUA_OK)
          fz_trap("fixture lookup failed");
        twice = lua_toboolean(L, -1);
        lua_pop(L, 1);
      }
      lua_setfield(L, -2, "lookup");
    }
    if (bits & 128) {
      if (rd_u8(r) % 4 == 3) {
        gen(r, M_ANY, slot);
      } else {
        fz_fixture("signal");
        lua_pushinteger(L, rd_u8(r));
        fz_fixcall(1, "signal");
      }
      lua_setfield(L, -2, "signal");
    }
    if (bits & 256) {
      push_name(r);
      gen(r, M_ANY, slot);
      lua_settable(L, -3);
    }
    fz_fixture("mark");
    lua_pushvalue(L, -2);
    fz_fixcall(1, "mark");
    lua_pop(L, 1);
  }
  if (form == 1 || form == 3) {
    gen_listener(r, slot, 0); /* no event name */
    n++;
  }
  fz_pcall1(n, "createSocket");
  if (lua_istable(L, -1)) {
    int sock = lua_gettop(L);
    fz_fixture("adopt");
    lua_pushinteger(L, slot);
    lua_pushvalue(L, sock);
    lua_pushinteger(L, rd_u16(r) & 0x3ff);
    lua_pushinteger(L, rd_u32(r) & 0xfffff);
    fz_fixcall(4, "adopt");
    lua_pop(L, 1);
    if (twice) {
      fz_fixture("twice");
      lua_pushinteger(L, slot);
      fz_fixcall(1, "twice");
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

/* Pushes the socket of `slot`, creating a plain one when the slot is empty. */
static void push_slot(int slot) {
  fz_fixture("sock");
  lua_pushinteger(L, slot);
  fz_fixcall(1, "sock");
  if (!lua_isnil(L, -1))
    return;
  lua_pop(L, 1);
  fz_dgram("createSocket");
  lua_pushstring(L, slot % 2 ? "udp4" : "udp6");
  fz_pcall1(1, "createSocket");
  fz_fixture("adopt");
  lua_pushinteger(L, slot);
  lua_pushvalue(L, -3);
  lua_pushinteger(L, 0);
  lua_pushinteger(L, 0);
  fz_fixcall(4, "adopt");
  lua_pop(L, 1);
}

static void op_method(rd_t *r, int any_args) {
  int slot = rd_u8(r) % NSLOT + 1, n, self;
  unsigned m = rd_u8(r) % NMETHODS;
  push_slot(slot);
  self = lua_gettop(L);
  if (!lua_istable(L, self)) {
    lua_pop(L, 1);
    return;
  }
  lua_getfield(L, self, METHODS[m].name);
  lua_pushvalue(L, self);
  if (any_args && METHODS[m].builder != B_MEMB && METHODS[m].builder != B_SSM) {
    int i = rd_u8(r) % 8;
    for (n = 0; n < i; n++)
      gen(r, M_NET, slot);
  } else {
    n = build_args(r, METHODS[m].builder, slot);
  }
  {
    double ts = fz_timing ? fz_now() : 0;
    fz_pcall(n + 1, METHODS[m].name);
    if (fz_timing && fz_now() - ts > 0.004)
      fprintf(stderr, "[timing] %s(%d args) %.1f ms\n", METHODS[m].name, n, (fz_now() - ts) * 1e3);
  }
  lua_pop(L, 1);
}

/* A Socket method called with something else as self. */
static void op_badself(rd_t *r) {
  int slot = rd_u8(r) % NSLOT + 1, n, i;
  unsigned m = rd_u8(r) % NMETHODS;
  fz_dgram("Socket");
  lua_getfield(L, -1, METHODS[m].name);
  lua_remove(L, -2);
  gen(r, M_NET, slot); /* may be a real socket: the arguments stay safe */
  if (METHODS[m].builder == B_MEMB || METHODS[m].builder == B_SSM) {
    n = args_membership(r, slot, METHODS[m].builder == B_SSM);
  } else {
    i = rd_u8(r) % 6;
    for (n = 0; n < i; n++)
      gen(r, M_NET, slot);
  }
  fz_badself = 1;
  fz_pcall(n + 1, "bad self");
  fz_badself = 0;
}

static void push_ms(rd_t *r) {
  static const double MS[] = {0, 1, 2, -1, NAN, 0.5, 1e-9, 2147483647.0, 5, 10};
  unsigned k = rd_u8(r) % 13;
  if (k < 10)
    lua_pushnumber(L, MS[k]);
  else if (k == 10)
    lua_pushnil(L);
  else if (k == 11)
    lua_pushliteral(L, "5");
  else
    lua_pushliteral(L, "abc");
}

static void push_fn_or_any(rd_t *r) {
  if (rd_u8(r) % 6 == 5) {
    gen(r, M_ANY, 1);
    return;
  }
  fz_fixture("fn");
  lua_pushinteger(L, rd_u8(r) % NSLOT + 1);
  lua_pushinteger(L, rd_u8(r));
  lua_pushinteger(L, rd_u8(r));
  fz_fixcall(3, "fn");
}

/* A Timeout or Immediate of this input (or nil); with `any`, sometimes
 * anything at all. Returns whether it is one of ours. */
static int push_timerish(rd_t *r, int any) {
  unsigned k = rd_u8(r) % 4;
  if (any && k == 3) {
    gen(r, M_ANY, 1);
    return 0;
  }
  fz_fixture(k == 2 ? "immediate" : "timer");
  lua_pushinteger(L, rd_u8(r));
  fz_fixcall(1, "timer");
  return 1;
}

static void op_module(rd_t *r) {
  unsigned k = rd_u8(r) % 14;
  int n, i;
  switch (k) {
  case 0:
  case 1:
    fz_dgram(k == 0 ? "setTimeout" : "setInterval");
    push_fn_or_any(r);
    push_ms(r);
    n = 2;
    for (i = rd_u8(r) % 3; i > 0; i--, n++)
      gen(r, M_ANY, 1);
    fz_pcall1(n, k == 0 ? "setTimeout" : "setInterval");
    track("track_timer");
    break;
  case 2:
    fz_dgram("setImmediate");
    push_fn_or_any(r);
    n = 1;
    for (i = rd_u8(r) % 3; i > 0; i--, n++)
      gen(r, M_ANY, 1);
    fz_pcall1(n, "setImmediate");
    track("track_immediate");
    break;
  case 3:
    fz_dgram("nextTick");
    push_fn_or_any(r);
    n = 1;
    for (i = rd_u8(r) % 8; i > 0; i--, n++)
      gen(r, M_ANY, 1);
    fz_pcall(n, "nextTick");
    break;
  case 4:
  case 5:
  case 6: {
    static const char *const CLEAR[] = {"clearTimeout", "clearInterval", "clearImmediate"};
    fz_dgram(CLEAR[k - 4]);
    push_timerish(r, 1);
    fz_pcall(1, CLEAR[k - 4]);
    break;
  }
  case 7: {
    /* never "default"/"once" or nil: they would block on a bound socket */
    unsigned m = rd_u8(r) % 6;
    fz_dgram("run");
    if (m == 0)
      lua_pushliteral(L, "nowait");
    else if (m == 1)
      lua_pushliteral(L, "NOWAIT");
    else if (m == 2)
      lua_pushliteral(L, "bogus");
    else if (m == 3)
      lua_pushinteger(L, 0);
    else if (m == 4)
      lua_newtable(L);
    else
      lua_pushboolean(L, 1);
    fz_pcall(1, "run");
    break;
  }
  case 8:
    fz_dgram("stop");
    fz_pcall(0, "stop");
    break;
  case 9:
    fz_dgram("now");
    fz_pcall(0, "now");
    break;
  case 10:
    fz_dgram("Socket");
    n = 0;
    for (i = rd_u8(r) % 3; i > 0; i--, n++)
      gen(r, M_ANY, 1);
    fz_pcall(n, "Socket()");
    break;
  case 11:
    fz_fixture("abort");
    lua_pushinteger(L, rd_u8(r));
    gen(r, M_ANY, 1);
    fz_pcall(2, "abort");
    break;
  case 12:
  case 13: {
    static const char *const TM[] = {"ref", "unref", "hasRef", "refresh", "close"};
    int t, ours = push_timerish(r, 0);
    t = lua_gettop(L);
    if (ours && lua_istable(L, t)) {
      lua_getfield(L, t, TM[rd_u8(r) % 5]);
      lua_pushvalue(L, t);
      fz_pcall(1, "timer method");
    }
    lua_pop(L, 1);
    break;
  }
  }
}

static void op_abort(rd_t *r) {
  fz_fixture("abort");
  lua_pushinteger(L, rd_u8(r));
  if (rd_u8(r) & 1)
    gen(r, M_ANY, 1);
  else
    lua_pushnil(L);
  fz_pcall(2, "abort");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rd_t rd = {data, size};
  int top, ops = 0;
  static int tamper = -1;
  double t0 = 0, t1;
  if (tamper < 0)
    tamper = getenv("FUZZ_TAMPER") != NULL && atoi(getenv("FUZZ_TAMPER")) != 0;
  if (fz_timing)
    t0 = fz_now();
  fz_init();
  fz_begin();
  top = lua_gettop(L);
  while (rd.n > 0 && ops++ < MAX_OPS) {
    unsigned op = rd_u8(&rd) % 32;
    double ts = fz_timing ? fz_now() : 0;
    if (op < 4)
      op_create(&rd);
    else if (op < 20)
      op_method(&rd, 0);
    else if (op < 24)
      op_module(&rd);
    else if (op < 27)
      fz_run_nowait("run");
    else if (op == 27) {
      fz_fixture("drop");
      lua_pushinteger(L, rd_u8(&rd) % NSLOT + 1);
      fz_pcall(1, "drop");
    } else if (op == 28) {
      unsigned k = rd_u8(&rd);
      if (tamper && (k & 2)) {
        fz_fixture("tamper");
        lua_pushinteger(L, rd_u8(&rd) % NSLOT + 1);
        lua_pushinteger(L, rd_u8(&rd));
        lua_pushinteger(L, rd_u8(&rd));
        fz_pcall(3, "tamper");
        fz_lenient = 1; /* from here on, errors of any text */
      } else {
        lua_gc(L, k & 1 ? LUA_GCCOLLECT : LUA_GCSTEP, 0);
      }
    }
    else if (op == 29)
      op_badself(&rd);
    else if (op == 30)
      op_abort(&rd);
    else
      op_method(&rd, 1);
    if (lua_gettop(L) != top)
      fz_trap("stack unbalanced after op %u: %d, expected %d", op, lua_gettop(L), top);
    if (fz_timing && fz_now() - ts > 0.004)
      fprintf(stderr, "[timing] op %u took %.1f ms (Lua heap %d KiB)\n", op, (fz_now() - ts) * 1e3,
              lua_gc(L, LUA_GCCOUNT));
  }
  t1 = fz_timing ? fz_now() : 0;
  fz_cleanup(top);
  if (fz_timing) {
    double t2 = fz_now();
    if (t2 - t0 > 0.004) {
      size_t i;
      fprintf(stderr, "[timing] ops %.1f ms, cleanup %.1f ms, %zu bytes, ops:", (t1 - t0) * 1e3,
              (t2 - t1) * 1e3, size);
      for (i = 0; i < size && i < 24; i++)
        fprintf(stderr, " %u", data[i] % 32);
      fprintf(stderr, "\n");
    }
  }
  return 0;
}
