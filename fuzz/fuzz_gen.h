/*
 * fuzz/fuzz_gen.h: the values the harnesses pass to the module, decoded
 * from the input bytes: nil, booleans, edge integers and floats, address
 * strings (embedded NULs, %zones, v4-mapped, bad octets), raw and 64 KiB
 * strings, hostile tables, callbacks, sockets and their raw handles,
 * signals and other odd objects (most built by fuzz/fixtures.lua).
 *
 * Modes: M_ANY for arguments that never reach the network; M_NET for
 * everything a send or connect may take as its destination (strings that
 * parse as a non-loopback IP are replaced, numbers keep to safe port
 * residues); M_BIND for bind (numbers as in M_NET, any address).
 */
#ifndef FUZZ_GEN_H
#define FUZZ_GEN_H

/* Each harness uses some of these helpers. */
#pragma clang diagnostic ignored "-Wunused-function"

#include "fuzz_common.h"

#define NSLOT 6


enum mode { M_ANY, M_NET, M_BIND };

#define S(x) { x, sizeof(x) - 1 }
static const struct { const char *s; size_t n; } ADDRS[] = {
  S("127.0.0.1"), S("::1"), S("0.0.0.0"), S("::"), S("localhost"), S("::ffff:127.0.0.1"),
  S("::ffff:1.2.3.4"), S("1.2.3.4"), S("255.255.255.255"), S("224.0.0.1"), S("239.1.2.3"),
  S("ff02::1"), S("ff05::1:3"), S("fe80::1%lo"), S("::1%lo"), S("::1%eth0"), S("::1%"), S("%lo"),
  S("127.0.0.1\0junk"), S("\0" "127.0.0.1"), S("1.2.3.256"), S("256.1.1.1"), S("01.2.3.4"),
  S("127.1"), S("0x7f000001"), S("2130706433"), S("1.2.3"), S("::1::"), S("[::1]"), S(""), S(" "),
  S("udp4"), S("127.0.0.1 "), S("fe80::1%999"), S("::ffff:127.0.0.1%lo"), S("1::2::3"),
  S("::ffff:999.1.1.1"), S(":::"), S("0:0:0:0:0:0:0:1"), S("127.0.0.1:29100"), S("232.1.1.1"),
  S("ff3e::1234"), S("::1%1"), S("-1"), S(" 29100 "), S("0x71AC"), S("1e3"), S("29101"),
  S("Infinity"), S("NaN"), S("0b111"), S("nowhere.invalid"), S("\xff\xfe"), S("127.0.0.1\n"),
  S("::ffff:7f00:1"), S("::1%lo\0junk"), S("224.0.0.1\0x"), S("ff02::1%lo"),
};
#define NADDRS (sizeof ADDRS / sizeof ADDRS[0])

static const char *const NAMES[] = {
  "message", "error", "listening", "close", "connect", "newListener", "removeListener", "",
  "abort", "message", "error", "close",
};
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

static const lua_Integer INT_EDGES[] = {
  0, 1, -1, 2, 3, 7, 8, 255, 256, 1023, 65535, 65536, 65537, 0x7fffffff, 0x80000000LL,
  -0x80000000LL, -0x80000001LL, 0xffffffffLL, 0x100000000LL, 9007199254740993LL, LUA_MAXINTEGER,
  LUA_MININTEGER, 29100, 29101, 29102, 29103, 29100 + 65536, 64, 1000, 0x100000000LL + 29100,
  212992, 4194304, 2147483646,
};
#define NINT (sizeof INT_EDGES / sizeof INT_EDGES[0])

static const double FLOAT_EDGES[] = {
  0.5, -0.0, NAN, INFINITY, -INFINITY, 1e308, 9.3e18, 65535.0, 1.5, 29100.0, 29100.5, -1.5,
  4294967296.0 + 29100, 1e-310, 9007199254740992.0, 2147483648.0, -2147483649.0, 0.0, 1.0,
};
#define NFLOAT (sizeof FLOAT_EDGES / sizeof FLOAT_EDGES[0])

/* ------------------------------------------------------------------ */
/* Port safety of numbers (see the header comment). */

static int safe_residue(unsigned r) {
  return r < 1024 || (r >= 29100 && r < 29116) || r >= 61000;
}

/* touint32(v) % 65536, as lua/dgram/socket.lua computes a bind port; for
 * the integers 0..65535 that validate.port accepts it is the port itself. */
static unsigned residue(lua_State *l, int idx) {
  if (lua_isinteger(l, idx))
    return (unsigned)((uint64_t)lua_tointeger(l, idx) & 0xffff);
  {
    double v = lua_tonumber(l, idx), m;
    if (v != v || isinf(v))
      return 0;
    v = trunc(v);
    m = fmod(v, 4294967296.0);
    if (m < 0)
      m += 4294967296.0;
    return (unsigned)((uint64_t)m & 0xffff);
  }
}

static void own_port(rd_t *r) {
  fz_fixture("port_of");
  lua_pushinteger(L, rd_u8(r));
  fz_fixcall(1, "port_of");
}

/* Makes the value on top safe for `mode`; raw: a string from the input. */
static void sanitize_top(int mode, int raw) {
  int t = lua_type(L, -1);
  if (mode == M_ANY)
    return;
  if (t == LUA_TNUMBER) {
    unsigned r = residue(L, -1);
    if (!safe_residue(r)) {
      lua_pop(L, 1);
      lua_pushinteger(L, 29100 + (r & 7));
    }
  } else if (t == LUA_TSTRING) {
    if (mode == M_NET && unsafe_dest(lua_tostring(L, -1))) {
      lua_pop(L, 1);
      lua_pushliteral(L, "127.0.0.1");
    } else if (raw) {
      fz_fixture(mode == M_NET ? "netstr" : "portstr");
      lua_insert(L, -2);
      fz_fixcall(1, "netstr");
    }
  }
}

/* ------------------------------------------------------------------ */
/* Values. */

static void push_dict(rd_t *r) {
  unsigned i = rd_u8(r) % NADDRS;
  lua_pushlstring(L, ADDRS[i].s, ADDRS[i].n);
}

/* A long string. Blank ones are slow to reject as ports (errors.trim: see
 * fuzz/repro/trim_slow.lua), so they only go where no port is read
 * (`blank_ok`); else the fuzzer spends its time there. */
static int fz_no_blank_big; /* values_fuzz: every call may trim its argument */

static void push_big_ex(rd_t *r, int blank_ok) {
  static char big[70000];
  static const size_t LENS[] = {65507, 65508, 65535, 65536, 65537, 4096, 300, 1025};
  size_t len = LENS[rd_u8(r) % 8];
  int fill = rd_u8(r), kind = rd_u8(r) % 5;
  memset(big, fill, len);
  if (kind == 1)
    memcpy(big, "127.0.0.1", 9);
  else if (kind == 2)
    memcpy(big, "::1%", 4);
  else if (kind == 3)
    memcpy(big, "::ffff:", 7);
  else if (kind == 4)
    memset(big, ' ', len);
  if ((!blank_ok || fz_no_blank_big) && (big[len - 1] == ' ' || (big[len - 1] >= '\t' && big[len - 1] <= '\r') ||
                    (unsigned char)big[len - 1] >= 0x80))
    memset(big + 9, 'x', len - 9);
  lua_pushlstring(L, big, len);
}

static void push_big(rd_t *r) {
  push_big_ex(r, 1);
}

static void push_name(rd_t *r) {
  unsigned k = rd_u8(r);
  if (k % 16 == 15)
    rd_push_bytes(r, 16);
  else
    lua_pushstring(L, NAMES[k % NNAMES]);
}

static void push_socketish(rd_t *r, int slot) {
  int k = rd_u8(r) % 5;
  if (k == 0 || k == 1) {
    fz_fixture("sock");
    lua_pushinteger(L, k == 0 ? slot : rd_u8(r) % NSLOT + 1);
    fz_fixcall(1, "sock");
  } else if (k == 2) {
    fz_fixture("handle");
    lua_pushinteger(L, rd_u8(r) % NSLOT + 1);
    fz_fixcall(1, "handle");
  } else if (k == 3) {
    fz_dgram("Socket");
  } else {
    fz_dgram("Error");
  }
}

static void gen(rd_t *r, int mode, int slot) {
  unsigned tag = rd_u8(r) % 20;
  switch (tag) {
  case 0:
  case 1:
    lua_pushnil(L);
    return;
  case 2:
    lua_pushboolean(L, rd_u8(r) & 1);
    return;
  case 3:
    lua_pushinteger(L, rd_u8(r) % 9);
    return;
  case 4:
    lua_pushinteger(L, INT_EDGES[rd_u8(r) % NINT]);
    break;
  case 5:
    if (mode == M_ANY)
      lua_pushinteger(L, (lua_Integer)rd_u64(r));
    else
      own_port(r);
    return;
  case 6:
    lua_pushnumber(L, FLOAT_EDGES[rd_u8(r) % NFLOAT]);
    break;
  case 7:
    if (mode == M_ANY) {
      lua_pushnumber(L, rd_f64(r));
    } else {
      own_port(r);
      lua_pushfstring(L, " %s ", lua_tostring(L, -1));
      lua_remove(L, -2);
      return;
    }
    break;
  case 8:
  case 9:
  case 10:
    push_dict(r);
    sanitize_top(mode, 0);
    return;
  case 11:
    rd_push_bytes(r, 255);
    sanitize_top(mode, 1);
    return;
  case 12:
    /* never a number with an unsafe port residue: blank is 0, digits overflow */
    push_big_ex(r, mode == M_ANY);
    sanitize_top(mode, 0);
    return;
  case 13:
    fz_fixture("tbl");
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(1, "tbl");
    return;
  case 14:
    fz_fixture("fn");
    lua_pushinteger(L, slot);
    lua_pushinteger(L, rd_u8(r));
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(3, "fn");
    return;
  case 15:
    push_socketish(r, slot);
    return;
  case 16:
    fz_fixture("special");
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(1, "special");
    return;
  case 17:
    push_name(r);
    return;
  case 18:
    own_port(r);
    return;
  default:
    if (mode == M_ANY)
      lua_pushinteger(L, rd_u16(r));
    else
      lua_pushinteger(L, 29100 + rd_u8(r) % 16);
    return;
  }
  sanitize_top(mode, 0);
}

static void gen_port(rd_t *r, int mode, int slot) {
  switch (rd_u8(r) % 5) {
  case 0:
  case 1:
    own_port(r);
    break;
  case 2:
    lua_pushinteger(L, 29100 + rd_u8(r) % 16);
    break;
  case 3:
    own_port(r);
    lua_pushstring(L, lua_tostring(L, -1));
    lua_remove(L, -2);
    break;
  default:
    gen(r, mode, slot);
  }
}

/* A send/connect address: only loopback or unparsable. */
static void gen_addr(rd_t *r, int slot) {
  switch (rd_u8(r) % 5) {
  case 0:
    lua_pushnil(L);
    break;
  case 1:
  case 2:
    push_dict(r);
    sanitize_top(M_NET, 0);
    break;
  case 3:
    lua_pushstring(L, rd_u8(r) & 1 ? "::1" : "127.0.0.1");
    break;
  default:
    gen(r, M_NET, slot);
  }
}

static void gen_msg(rd_t *r, int slot) {
  switch (rd_u8(r) % 7) {
  case 0:
  case 1:
    rd_push_bytes(r, 255);
    break;
  case 2:
    push_big(r);
    break;
  case 3:
    fz_fixture("tbl");
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(1, "tbl");
    break;
  case 4:
    push_dict(r);
    break;
  case 5:
    lua_pushliteral(L, "");
    break;
  default:
    gen(r, M_NET, slot);
  }
}

static void gen_sendcb(rd_t *r, int slot) {
  if (rd_u8(r) % 4 == 3) {
    gen(r, M_NET, slot);
    return;
  }
  fz_fixture("sendcb");
  lua_pushinteger(L, slot);
  lua_pushinteger(L, rd_u8(r));
  lua_pushinteger(L, rd_u8(r));
  fz_fixcall(3, "sendcb");
}

static void gen_cb(rd_t *r, int mode, int slot) {
  if (rd_u8(r) % 4 == 3) {
    gen(r, mode, slot);
    return;
  }
  fz_fixture("fn");
  lua_pushinteger(L, slot);
  lua_pushinteger(L, rd_u8(r));
  lua_pushinteger(L, rd_u8(r));
  fz_fixcall(3, "fn");
}

/* A listener for the event name at index `name_idx`. */
static void gen_listener(rd_t *r, int slot, int name_idx) {
  if (rd_u8(r) % 5 == 4) {
    gen(r, M_ANY, slot);
    return;
  }
  fz_fixture("listener");
  lua_pushinteger(L, slot);
  if (name_idx > 0 && lua_type(L, name_idx) == LUA_TSTRING)
    lua_pushvalue(L, name_idx);
  else
    lua_pushliteral(L, "");
  lua_pushinteger(L, rd_u8(r));
  lua_pushinteger(L, rd_u8(r));
  fz_fixcall(4, "listener");
}

static void gen_fd(rd_t *r) {
  static const lua_Integer FDS[] = {-1, 0, 1, 2, 0x80000000LL, 0x7fffffff};
  unsigned k = rd_u8(r) % 10;
  if (k < 3) {
    lua_pushcfunction(L, fz_l_udpfd);
    lua_pushinteger(L, k == 1 ? 6 : 4);
    lua_call(L, 1, 1);
  } else if (k < 9) {
    lua_pushinteger(L, FDS[k - 3]);
  } else {
    lua_pushnumber(L, 1.5);
  }
}


#endif
