/*
 * fuzz/addr_fuzz.c: libFuzzer harness over the address strings that reach
 * the C core, at a speed that allows tens of millions of inputs. Two
 * sockets (udp4 on 127.0.0.1, udp6 on ::1) stay bound for the whole run;
 * each input is a few calls on them that take an address: send (plain, with
 * offset and length, to a list), addMembership/dropMembership, the
 * source-specific pair, setMulticastInterface; and now and then connect or
 * bind on a fresh socket. The strings are built from the input: dictionary
 * entries with bytes put in, dotted quads with odd octets and separators,
 * IPv6 groups with `::`, v4-mapped tails and `%zone`s, raw bytes with NULs,
 * and (rarely) 64 KiB strings. Names are answered in Lua, on the next loop
 * iteration (look-up errors, loopback for localhost): the thread pool would
 * cost more than everything else, and api_fuzz covers that path.
 *
 * Checked, besides fuzz_common.h's error-type and stack checks: every
 * datagram that arrives has a whole rinfo of its socket's family, and every
 * send callback runs once with (nil, bytes) or a dgram.Error. The two
 * sockets must stay open, and nothing may be left pending after an input.
 *
 * Only loopback: a destination that parses (as dgram.core parses it) as an
 * IP other than loopback is replaced by the loopback literal, ports are the
 * two sockets' own or 29100-29115, a multicast interface is loopback or
 * does not parse (never the default route's), and no name reaches a
 * resolver.
 */
#include "fuzz_gen.h"

#define MAX_OPS 8

static int ref_addr = LUA_NOREF; /* the Lua half below */

/* The Lua half: the two sockets, their listeners, the send callback and
 * the per-input checks. */
static const char ADDR_LUA[] =
  "local dgram, F, trap = ...\n"
  "local ok_err = F.ok_err\n"
  "local A = { pending = 0, lookups = 0 }\n"
  "-- Names are answered here, on the next loop iteration, without the thread\n"
  "-- pool: most strings below are names, and a real look-up per input would\n"
  "-- make this harness as slow as api_fuzz, which covers the C look-up path.\n"
  "local core = F.core\n"
  "local LOOPBACK = { [4] = '127.0.0.1', [6] = '::1' }\n"
  "core.getaddrinfo = function(host, family, cb)\n"
  "  local name = type(host) == 'string' and host:match('^[^%z]*') or nil\n"
  "  A.lookups = A.lookups + 1\n"
  "  dgram.setImmediate(function()\n"
  "    A.lookups = A.lookups - 1\n"
  "    if name == 'localhost' then return cb(0, LOOPBACK[family] or '127.0.0.1', family == 6 and 6 or 4) end\n"
  "    cb(#(name or '') % 2 == 0 and core.errno.EAI_NONAME or core.errno.EAI_AGAIN)\n"
  "  end)\n"
  "  return 0\n"
  "end\n"
  "local function listener(family)\n"
  "  return function(msg, rinfo)\n"
  "    if type(msg) ~= 'string' or type(rinfo) ~= 'table' or rinfo.family ~= family\n"
  "      or type(rinfo.address) ~= 'string' or math.type(rinfo.port) ~= 'integer'\n"
  "      or rinfo.size ~= #msg then\n"
  "      trap('a malformed message or rinfo on the ' .. family .. ' socket')\n"
  "    end\n"
  "  end\n"
  "end\n"
  "local function onError(err)\n"
  "  if not ok_err(err) then trap(\"'error' with a value that is no dgram.Error\") end\n"
  "end\n"
  "local socks = {}\n"
  "for i, spec in ipairs({ { 'udp4', '127.0.0.1', 'IPv4' }, { 'udp6', '::1', 'IPv6' } }) do\n"
  "  local s = dgram.createSocket(spec[1])\n"
  "  s:on('message', listener(spec[3]))\n"
  "  s:on('error', onError)\n"
  "  s:bind(0, spec[2])\n"
  "  socks[i] = s\n"
  "end\n"
  "while not (socks[1]._state.bindState == 2 and socks[2]._state.bindState == 2) do\n"
  "  dgram.run('nowait')\n"
  "end\n"
  "A.socks = socks\n"
  "A.ports = { socks[1]:address().port, socks[2]:address().port }\n"
  "-- counted: the callback must run before the input ends (a send on a\n"
  "-- socket that closes first may lose its callback, as in Node). A send\n"
  "-- that raised must never call back.\n"
  "function A.sendcb(counted)\n"
  "  local rec = { counted = counted }\n"
  "  if counted then A.pending = A.pending + 1 end\n"
  "  A.last = rec\n"
  "  return F.mark(function(err, bytes)\n"
  "    if rec.called then trap('a send callback called twice') end\n"
  "    if rec.raised then trap('a send that raised called back') end\n"
  "    rec.called = true\n"
  "    if counted then A.pending = A.pending - 1 end\n"
  "    if err == nil then\n"
  "      if math.type(bytes) ~= 'integer' then trap('a send callback without bytes') end\n"
  "    elseif not ok_err(err) then\n"
  "      trap('a send callback error that is no dgram.Error')\n"
  "    end\n"
  "  end)\n"
  "end\n"
  "-- After each send: whether it returned or raised.\n"
  "function A.sent(ok)\n"
  "  local rec = A.last\n"
  "  A.last = nil\n"
  "  if rec and not ok then\n"
  "    rec.raised = true\n"
  "    if rec.counted then A.pending = A.pending - 1 end\n"
  "  end\n"
  "end\n"
  "function A.connectcb()\n"
  "  return F.mark(function(err)\n"
  "    if err ~= nil and not ok_err(err) then trap('a connect callback error that is no dgram.Error') end\n"
  "  end)\n"
  "end\n"
  "function A.fresh(kind)\n"
  "  local s = dgram.createSocket(kind == 0 and 'udp4' or 'udp6')\n"
  "  s:on('error', onError)\n"
  "  return s\n"
  "end\n"
  "-- Waits out what an input left behind: look-ups, send callbacks,\n"
  "-- closing sockets. Bounded; then checks that nothing is left.\n"
  "function A.settle()\n"
  "  for _ = 1, 10000 do\n"
  "    dgram.run('nowait')\n"
  "    if A.lookups == 0 and A.pending == 0 then break end\n"
  "  end\n"
  "  if A.lookups ~= 0 then trap('a look-up still pending after the input') end\n"
  "  if A.pending ~= 0 then trap(A.pending .. ' send callbacks not called after the input') end\n"
  "  for _, s in ipairs(socks) do\n"
  "    if not s._state.handle then trap('a long-lived socket was closed') end\n"
  "  end\n"
  "end\n"
  "return A\n";

static void push_addr_field(const char *name) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_addr);
  lua_getfield(L, -1, name);
  lua_remove(L, -2);
}

static void addr_init(void) {
  fz_init();
  if (ref_addr != LUA_NOREF)
    return;
  if (luaL_loadbuffer(L, ADDR_LUA, sizeof ADDR_LUA - 1, "=addr_fuzz") != LUA_OK)
    fz_trap("addr_fuzz Lua: %s", lua_tostring(L, -1));
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_dgram);
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_F);
  lua_getfield(L, -1, "reset");
  lua_call(L, 0, 0);
  lua_pushcfunction(L, fz_l_trap);
  if (lua_pcall(L, 3, 1, 0) != LUA_OK)
    fz_trap("addr_fuzz set-up: %s", lua_tostring(L, -1));
  ref_addr = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* ------------------------------------------------------------------ */
/* Address strings, built in a buffer from the input. */

#define ABUF 1024

static size_t put_dec(char *b, size_t n, unsigned v) {
  return n + (size_t)snprintf(b + n, ABUF - n, "%u", v);
}

static size_t put_zone(rd_t *r, char *b, size_t n) {
  static const char *const ZONES[] = {"lo", "1", "0", "999", "", "eth0", "lo0", "4294967296", "%", "lo\xff"};
  unsigned k = rd_u8(r) % 12;
  b[n++] = '%';
  if (k < 10)
    n += (size_t)snprintf(b + n, ABUF - n, "%s", ZONES[k]);
  else
    while (n < 64 && rd_u8(r) & 1)
      b[n++] = (char)rd_u8(r);
  return n;
}

static size_t gen_quad(rd_t *r, char *b, size_t n) {
  static const char SEPS[] = {'.', '.', '.', '.', '.', ':', '\0', ' ', '%', 'x'};
  int i, parts = 1 + rd_u8(r) % 5;
  for (i = 0; i < parts && n < 200; i++) {
    unsigned v = rd_u8(r);
    if (i > 0)
      b[n++] = SEPS[rd_u8(r) % sizeof SEPS];
    switch (v % 8) {
    case 0:
      n = put_dec(b, n, rd_u16(r));
      break;
    case 1:
      n += (size_t)snprintf(b + n, ABUF - n, "0%o", rd_u8(r));
      break;
    case 2:
      n += (size_t)snprintf(b + n, ABUF - n, "0x%x", rd_u8(r));
      break;
    default:
      n = put_dec(b, n, rd_u8(r) % 2 ? 127 : rd_u8(r));
    }
  }
  return n;
}

static size_t gen_v6(rd_t *r, char *b, size_t n) {
  int i, groups = rd_u8(r) % 10, gap = rd_u8(r) % 10;
  for (i = 0; i < groups && n < 400; i++) {
    if (i == gap)
      n += (size_t)snprintf(b + n, ABUF - n, "::");
    else if (i > 0)
      b[n++] = ':';
    if (rd_u8(r) % 6 == 0)
      n += (size_t)snprintf(b + n, ABUF - n, "%x", rd_u32(r));
    else
      n += (size_t)snprintf(b + n, ABUF - n, "%x", rd_u16(r));
  }
  if (groups == 0 || gap >= groups)
    n += (size_t)snprintf(b + n, ABUF - n, gap % 2 ? "::" : "::1");
  if (rd_u8(r) % 4 == 0) {
    n += (size_t)snprintf(b + n, ABUF - n, ":ffff:");
    n = gen_quad(r, b, n);
  }
  if (rd_u8(r) % 3 == 0)
    n = put_zone(r, b, n);
  return n;
}

/* Pushes an address-like string (or, now and then, nil or another value). */
static void push_address(rd_t *r) {
  char b[ABUF];
  size_t n = 0;
  unsigned k = rd_u8(r) % 16;
  if (k < 4) {
    unsigned i = rd_u8(r) % NADDRS;
    memcpy(b, ADDRS[i].s, ADDRS[i].n);
    n = ADDRS[i].n;
    if (k == 3 && n > 0) { /* a byte of the input put in somewhere */
      size_t at = rd_u8(r) % n;
      b[at] = (char)rd_u8(r);
    }
    if (rd_u8(r) % 8 == 0)
      n = put_zone(r, b, n);
  } else if (k < 7) {
    n = gen_quad(r, b, 0);
  } else if (k < 11) {
    n = gen_v6(r, b, 0);
  } else if (k < 13) {
    rd_push_bytes(r, 80);
    return;
  } else if (k == 13) {
    lua_pushnil(L);
    return;
  } else if (k == 14 && rd_u8(r) % 16 == 0) {
    push_big(r);
    return;
  } else {
    gen(r, M_ANY, 1);
    return;
  }
  lua_pushlstring(L, b, n);
}

/* A destination: as push_address, but loopback whenever it would parse as
 * another IP. */
static void push_dest(rd_t *r) {
  push_address(r);
  if (lua_type(L, -1) == LUA_TSTRING && unsafe_dest(lua_tostring(L, -1))) {
    lua_pop(L, 1);
    lua_pushstring(L, rd_u8(r) & 1 ? "::1" : "127.0.0.1");
  }
}

/* A multicast interface: loopback, or something that does not parse. */
static void push_iface(rd_t *r) {
  push_address(r);
  if (lua_type(L, -1) != LUA_TSTRING || unsafe_iface(lua_tostring(L, -1))) {
    lua_pop(L, 1);
    lua_pushstring(L, rd_u8(r) & 1 ? "::1%lo" : "127.0.0.1");
  }
}

static void push_port(rd_t *r) {
  unsigned k = rd_u8(r) % 8;
  if (k < 4) {
    push_addr_field("ports");
    lua_rawgeti(L, -1, (k & 1) + 1);
    lua_remove(L, -2);
    if (k == 3) { /* the same port as a string */
      lua_pushstring(L, lua_tostring(L, -1));
      lua_remove(L, -2);
    }
  } else if (k < 6) {
    lua_pushinteger(L, 29100 + rd_u8(r) % 16);
  } else {
    gen(r, M_NET, 1); /* sanitized: a safe port or no port at all */
  }
}

/* Tells the Lua half whether the send just made returned (1) or raised. */
static void sent(int ok) {
  push_addr_field("sent");
  lua_pushboolean(L, ok);
  lua_call(L, 1, 0);
}

static void push_sendcb(rd_t *r, int counted) {
  if (rd_u8(r) % 4 == 0) {
    lua_pushnil(L);
    return;
  }
  push_addr_field("sendcb");
  lua_pushboolean(L, counted);
  lua_call(L, 1, 1);
}

/* Pushes method `name` of a long-lived socket (udp4 or udp6) and the socket. */
static void push_method(rd_t *r, const char *name) {
  push_addr_field("socks");
  lua_rawgeti(L, -1, rd_u8(r) % 2 + 1);
  lua_remove(L, -2);
  lua_getfield(L, -1, name);
  lua_insert(L, -2);
}

/* Whether one of the n values on top could be taken as the callback (Node's
 * send shifts its arguments when it meets a function): then the harness's
 * callback may rightly never run, so it is not counted. */
static int callable_among(int n) {
  int i;
  for (i = lua_gettop(L) - n + 1; i <= lua_gettop(L); i++) {
    if (lua_type(L, i) == LUA_TFUNCTION)
      return 1;
    if (luaL_getmetafield(L, i, "__call") != LUA_TNIL) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

static void op_send(rd_t *r) {
  unsigned k = rd_u8(r) % 4;
  push_method(r, "send");
  if (k == 0) { /* msg, offset, length, port, address, cb */
    rd_push_bytes(r, 64);
    lua_pushinteger(L, rd_u8(r) % 80);
    lua_pushinteger(L, rd_u8(r) % 80);
    push_port(r);
    push_dest(r);
    push_sendcb(r, !callable_among(2));
    sent(fz_pcall(7, "send(msg, offset, length, port, address)"));
  } else if (k == 1) { /* a list */
    int i, parts = rd_u8(r) % 4;
    lua_createtable(L, parts, 0);
    for (i = 1; i <= parts; i++) {
      rd_push_bytes(r, 32);
      lua_rawseti(L, -2, i);
    }
    push_port(r);
    push_dest(r);
    push_sendcb(r, !callable_among(2));
    sent(fz_pcall(5, "send(list, port, address)"));
  } else {
    rd_push_bytes(r, 64);
    push_port(r);
    push_dest(r);
    push_sendcb(r, !callable_among(2));
    sent(fz_pcall(5, "send(msg, port, address)"));
  }
}

static void op_membership(rd_t *r) {
  static const char *const M[] = {"addMembership", "dropMembership", "addSourceSpecificMembership",
                                  "dropSourceSpecificMembership"};
  unsigned k = rd_u8(r) % 4;
  push_method(r, M[k]);
  if (k >= 2)
    push_address(r); /* source */
  push_address(r);   /* group */
  push_iface(r);
  fz_pcall(k >= 2 ? 4 : 3, M[k]);
}

static void op_interface(rd_t *r) {
  push_method(r, "setMulticastInterface");
  push_iface(r);
  fz_pcall(2, "setMulticastInterface");
}

/* connect, then send on the connected socket, or bind: on a fresh socket,
 * closed at the end of the op. */
static void op_fresh(rd_t *r) {
  unsigned k = rd_u8(r);
  int s;
  push_addr_field("fresh");
  lua_pushinteger(L, k & 1);
  lua_call(L, 1, 1);
  s = lua_gettop(L);
  if (k & 2) {
    lua_getfield(L, s, "connect");
    lua_pushvalue(L, s);
    push_port(r);
    push_dest(r);
    push_addr_field("connectcb");
    lua_call(L, 0, 1);
    fz_pcall(4, "connect");
    lua_getfield(L, s, "send");
    lua_pushvalue(L, s);
    rd_push_bytes(r, 16);
    push_sendcb(r, 0);
    sent(fz_pcall(3, "send on a connecting socket"));
  } else {
    lua_getfield(L, s, "bind");
    lua_pushvalue(L, s);
    if (k & 4)
      lua_pushinteger(L, 0);
    else
      push_port(r);
    push_address(r); /* binding sends nothing; names never reach a resolver */
    fz_pcall(3, "bind");
  }
  fz_run_nowait("fresh socket");
  lua_getfield(L, s, "close");
  lua_pushvalue(L, s);
  fz_pcall(1, "close");
  lua_settop(L, s - 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  addr_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rd_t rd = {data, size};
  int top, ops = 0;
  addr_init();
  fz_begin();
  top = lua_gettop(L);
  while (rd.n > 0 && ops++ < MAX_OPS) {
    unsigned op = rd_u8(&rd) % 16;
    if (op < 8)
      op_send(&rd);
    else if (op < 12)
      op_membership(&rd);
    else if (op < 14)
      op_interface(&rd);
    else
      op_fresh(&rd);
    if (lua_gettop(L) != top)
      fz_trap("stack unbalanced after op %u: %d, expected %d", op, lua_gettop(L), top);
  }
  push_addr_field("settle");
  if (lua_pcall(L, 0, 0, 0) != LUA_OK)
    fz_check_error("settle");
  if (lua_gettop(L) != top)
    fz_trap("stack unbalanced after the input");
  if (++fz_inputs % 65536 == 0) {
    lua_gc(L, LUA_GCCOLLECT);
    if (lua_gc(L, LUA_GCCOUNT) > 64 * 1024)
      fz_trap("Lua heap grew to %d KiB", lua_gc(L, LUA_GCCOUNT));
#ifdef FZ_HAVE_LSAN
    if (__lsan_do_recoverable_leak_check() != 0)
      fz_trap("LeakSanitizer found unreachable memory (report above)");
#endif
  }
  return 0;
}
