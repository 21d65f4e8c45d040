/*
 * fuzz/values_fuzz.c: libFuzzer harness over the parts of dgram that take
 * arbitrary Lua values and need no socket: Node's error constructors and
 * their rendering of values (util.inspect, determineSpecificType), the
 * validators, the EventEmitter on its own, AbortController, the timers and
 * the loop driver, and dgram.core's pure functions (isip, errname,
 * strerror, guess_handle). Fast, so it reaches deep into value shapes:
 * cycles, 300-level nesting, 64 KiB and invalid UTF-8 strings, NaN, -0,
 * integers past 2^53, tables whose metamethods raise.
 *
 * Besides the checks of fuzz_common.h (error types, stack, crashes), the
 * invariants here are strict, whatever FUZZ_STRICT says:
 *   - describing a value never fails: inspect, describe and the ERR_*
 *     constructors that quote a received value give a dgram.Error (or a
 *     string) for any value, and tostring() of the result is a string;
 *     only an error raised by the value's own metamethods ("fuzz: ...",
 *     or a __tostring that returns no string) may come out;
 *   - validators return or raise a dgram.Error, never a Lua runtime error;
 *   - emitter methods raise only dgram.Errors (or what a listener raised);
 *     FUZZ_KNOWN=1 lets the known findings pass (fuzz_common.h).
 */
#include "fuzz_gen.h"

#ifndef MAX_OPS
#define MAX_OPS 12 /* operations per input: each stands alone */
#endif
#define NEMIT 3

static int ref_errors = LUA_NOREF, ref_validate = LUA_NOREF, ref_events = LUA_NOREF;
static int ref_js = LUA_NOREF;
static int ref_emitters = LUA_NOREF;


static void push_module(int *ref, const char *name) {
  if (*ref == LUA_NOREF) {
    lua_getglobal(L, "require");
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, *ref);
}

static void push_field(int *ref, const char *module, const char *field) {
  push_module(ref, module);
  lua_getfield(L, -1, field);
  lua_remove(L, -2);
}

/* A strict call: a string error other than the allowed ones is a finding.
 * Returns 1 on success (results dropped). */
static int strict_call(int nargs, const char *where) {
  int base = lua_gettop(L) - nargs - 1, i;
  if (lua_pcall(L, nargs, LUA_MULTRET, 0) == LUA_OK) {
    lua_settop(L, base);
    return 1;
  }
  if (lua_type(L, -1) == LUA_TSTRING) {
    const char *msg = lua_tostring(L, -1);
    int allowed = fz_known(msg);
    for (i = 0; FUZZ_ALLOW[i] != NULL; i++)
      if (strstr(msg, FUZZ_ALLOW[i]) != NULL)
        allowed = 1;
    if (!allowed)
      fz_trap("%s raised a Lua error, not a dgram.Error: %s", where, msg);
  }
  fz_check_error(where);
  if (lua_gettop(L) != base)
    fz_trap("%s: stack unbalanced", where);
  return 0;
}

/* The same, keeping one result; the result must be a dgram.Error whose
 * tostring() is a string. */
static void describe_call(int nargs, const char *where, int want_error) {
  int base = lua_gettop(L) - nargs - 1;
  if (lua_pcall(L, nargs, 1, 0) != LUA_OK) {
    /* only the value's own __tostring (Node's util.inspect.custom) may fail */
    if (lua_type(L, -1) == LUA_TSTRING && strstr(lua_tostring(L, -1), "fuzz:") == NULL &&
        strstr(lua_tostring(L, -1), "'__tostring' must return a string") == NULL)
      fz_trap("%s raised: %s", where, lua_tostring(L, -1));
    fz_check_error(where);
  } else {
    if (want_error) {
      int ok = 0;
      if (lua_getmetatable(L, -1)) {
        fz_dgram("Error");
        ok = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
      }
      if (!ok)
        fz_trap("%s did not return a dgram.Error", where);
      lua_getfield(L, -1, "message");
      if (lua_type(L, -1) != LUA_TSTRING)
        fz_trap("%s: message is not a string", where);
      lua_pop(L, 1);
      /* tostring(err) */
      lua_getglobal(L, "tostring");
      lua_insert(L, -2);
      if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_type(L, -1) != LUA_TSTRING)
        fz_trap("%s: tostring of the error failed: %s", where, luaL_tolstring(L, -1, NULL));
    } else if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER) {
      fz_trap("%s returned a %s", where, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  if (lua_gettop(L) != base)
    fz_trap("%s: stack unbalanced", where);
}

/* ------------------------------------------------------------------ */

static void op_describe(rd_t *r) {
  unsigned k = rd_u8(r) % 12;
  switch (k) {
  case 0:
    push_field(&ref_js, "dgram.js", "inspect");
    gen(r, M_ANY, 1);
    describe_call(1, "js.inspect", 0);
    break;
  case 1:
    push_field(&ref_js, "dgram.js", "describe");
    gen(r, M_ANY, 1);
    describe_call(1, "js.describe", 0);
    break;
  case 2:
    push_field(&ref_errors, "dgram.errors", "ERR_INVALID_ARG_TYPE");
    push_name(r);
    if (rd_u8(r) & 1) {
      lua_createtable(L, 3, 0);
      lua_pushliteral(L, "string");
      lua_rawseti(L, -2, 1);
      lua_pushliteral(L, "Buffer");
      lua_rawseti(L, -2, 2);
      lua_pushliteral(L, "an integer");
      lua_rawseti(L, -2, 3);
    } else {
      lua_pushliteral(L, "number");
    }
    gen(r, M_ANY, 1);
    describe_call(3, "ERR_INVALID_ARG_TYPE", 1);
    break;
  case 3:
    push_field(&ref_errors, "dgram.errors", "ERR_UNHANDLED_ERROR");
    gen(r, M_ANY, 1);
    describe_call(1, "ERR_UNHANDLED_ERROR", 1);
    break;
  case 4:
    push_field(&ref_errors, "dgram.errors", "ERR_OUT_OF_RANGE");
    lua_pushliteral(L, "size");
    lua_pushliteral(L, ">= 0 && <= 4294967295");
    gen(r, M_ANY, 1);
    describe_call(3, "ERR_OUT_OF_RANGE", 1);
    break;
  case 5:
    push_field(&ref_errors, "dgram.errors", "ERR_SOCKET_BAD_PORT");
    gen(r, M_ANY, 1);
    lua_pushliteral(L, "Port");
    lua_pushboolean(L, rd_u8(r) & 1);
    describe_call(3, "ERR_SOCKET_BAD_PORT", 1);
    break;
  case 6:
    push_field(&ref_errors, "dgram.errors", "ERR_INVALID_ARG_VALUE");
    lua_pushliteral(L, "mode");
    gen(r, M_ANY, 1);
    if (rd_u8(r) & 1)
      lua_pushliteral(L, "must be 'default', 'once' or 'nowait'");
    else
      lua_pushnil(L);
    describe_call(3, "ERR_INVALID_ARG_VALUE", 1);
    break;
  case 7:
    push_field(&ref_js, "dgram.js", "number");
    if (rd_u8(r) & 1)
      lua_pushnumber(L, rd_f64(r));
    else
      lua_pushinteger(L, (lua_Integer)rd_u64(r));
    describe_call(1, "js.number", 0);
    break;
  case 8:
    push_field(&ref_js, "dgram.js", "tonumber");
    gen(r, M_ANY, 1);
    describe_call(1, "js.tonumber", 0);
    break;
  case 9: {
    /* libuv codes, known and unknown, through every system-error maker */
    static const char *const MK[] = {"errno", "hostport", "dns", "ERR_SOCKET_BUFFER_SIZE"};
    unsigned m = rd_u8(r) % 4;
    push_field(&ref_errors, "dgram.errors", MK[m]);
    if (rd_u8(r) & 1)
      lua_pushinteger(L, -(lua_Integer)(rd_u16(r) % 4200));
    else
      lua_pushinteger(L, (lua_Integer)(int32_t)rd_u32(r));
    lua_pushliteral(L, "send");
    gen(r, M_ANY, 1);
    gen(r, M_ANY, 1);
    describe_call(4, MK[m], 1);
    break;
  }
  case 10: {
    /* an Error-like table with odd fields, printed */
    int i;
    lua_getglobal(L, "tostring");
    lua_createtable(L, 0, 3);
    for (i = 0; i < 3; i++) {
      static const char *const FIELDS[] = {"name", "code", "message"};
      if (rd_u8(r) & 1) {
        gen(r, M_ANY, 1);
        lua_setfield(L, -2, FIELDS[i]);
      }
    }
    fz_dgram("Error");
    lua_setmetatable(L, -2);
    describe_call(1, "tostring(Error)", 0);
    break;
  }
  default:
    /* internal: called with argument names only (ipairs over a hostile
     * table would never end, by the table's design) */
    push_field(&ref_errors, "dgram.errors", "ERR_MISSING_ARGS");
    {
      int n = 0, i = rd_u8(r) % 4;
      for (; n < i; n++)
        push_name(r);
      describe_call(n, "ERR_MISSING_ARGS", 1);
    }
  }
}

static void op_validate(rd_t *r) {
  static const char *const V[] = {"port", "string", "number", "uint32", "func", "abortSignal", "int32"};
  unsigned k = rd_u8(r) % 7;
  push_field(&ref_validate, "dgram.validate", V[k]);
  gen(r, M_ANY, 1);
  lua_pushliteral(L, "options.x");
  if (rd_u8(r) & 1)
    lua_pushboolean(L, 0);
  else
    gen(r, M_ANY, 1);
  strict_call(3, V[k]);
}

/* ------------------------------------------------------------------ */
/* The emitter on its own. */

static void push_emitter(rd_t *r) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_emitters);
  lua_rawgeti(L, -1, rd_u8(r) % NEMIT + 1);
  lua_remove(L, -2);
}

static void new_emitters(void) {
  int i;
  lua_createtable(L, NEMIT, 0);
  for (i = 1; i <= NEMIT; i++) {
    push_field(&ref_events, "dgram.events", "new");
    lua_call(L, 0, 1);
    lua_rawseti(L, -2, i);
  }
  if (ref_emitters == LUA_NOREF)
    ref_emitters = luaL_ref(L, LUA_REGISTRYINDEX);
  else
    lua_rawseti(L, LUA_REGISTRYINDEX, ref_emitters);
}

static const char *const EMETHODS[] = {
  "on", "addListener", "once", "prependListener", "prependOnceListener", "off", "removeListener",
  "removeAllListeners", "emit", "listeners", "rawListeners", "listenerCount", "eventNames",
  "setMaxListeners", "getMaxListeners", "emit", "emit", "on",
};
#define NEMETHODS (sizeof EMETHODS / sizeof EMETHODS[0])

/* A name: mostly strings, sometimes any value (nil and NaN included). */
static void push_event_name(rd_t *r) {
  if (rd_u8(r) % 4 == 3)
    gen(r, M_ANY, 1);
  else
    push_name(r);
}

static void op_emitter(rd_t *r) {
  unsigned m = rd_u8(r) % NEMETHODS;
  int self, n, i, first;
  push_emitter(r);
  self = lua_gettop(L);
  lua_getfield(L, self, EMETHODS[m]);
  lua_pushvalue(L, self);
  first = lua_gettop(L) + 1;
  push_event_name(r);
  n = 1;
  if (m <= 6 || m == 11 || m == 17) {
    /* a listener: a fixture, one already there, or anything */
    unsigned how = rd_u8(r) % 4;
    if (how == 0) {
      lua_getfield(L, self, "rawListeners");
      lua_pushvalue(L, self);
      lua_pushvalue(L, first);
      fz_pcall1(2, "rawListeners");
      if (lua_type(L, -1) == LUA_TTABLE) {
        lua_rawgeti(L, -1, rd_u8(r) % 3 + 1);
        lua_remove(L, -2);
      }
    } else if (how == 3) {
      gen(r, M_ANY, 1);
    } else {
      fz_fixture("fn");
      lua_pushinteger(L, 1);
      lua_pushinteger(L, rd_u8(r));
      lua_pushinteger(L, rd_u8(r));
      fz_fixcall(3, "fn");
    }
    n++;
  } else if (m == 8 || m == 15 || m == 16) {
    for (i = rd_u8(r) % 5; i > 0; i--, n++)
      gen(r, M_ANY, 1);
  } else if (m == 7 && rd_u8(r) % 3 == 0) {
    lua_pop(L, 1); /* removeAllListeners() with no argument at all */
    n = 0;
  } else if (m == 13) {
    lua_pop(L, 1);
    gen(r, M_ANY, 1);
  }
  strict_call(n + 1, EMETHODS[m]);
  lua_pop(L, 1);
}

/* ------------------------------------------------------------------ */

static void op_core(rd_t *r) {
  unsigned k = rd_u8(r) % 8;
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref_F);
  lua_getfield(L, -1, "core");
  lua_remove(L, -2);
  switch (k) {
  case 0:
  case 1:
    lua_getfield(L, -1, "isip");
    if (k == 0)
      rd_push_bytes(r, 80);
    else
      gen(r, M_ANY, 1);
    fz_pcall(1, "core.isip");
    break;
  case 2:
    lua_getfield(L, -1, "errname");
    lua_pushinteger(L, rd_u8(r) & 1 ? -(lua_Integer)(rd_u16(r) % 4200) : (lua_Integer)rd_u64(r));
    fz_pcall(1, "core.errname");
    break;
  case 3:
    lua_getfield(L, -1, "strerror");
    lua_pushinteger(L, rd_u8(r) & 1 ? -(lua_Integer)(rd_u16(r) % 4200) : (lua_Integer)rd_u64(r));
    fz_pcall(1, "core.strerror");
    break;
  case 4: {
    static const lua_Integer FDS[] = {-1, 0, 1, 2, 3, 1000, 0x7fffffff, 0x80000000LL, LUA_MININTEGER};
    lua_getfield(L, -1, "guess_handle");
    lua_pushinteger(L, FDS[rd_u8(r) % 9]);
    fz_pcall(1, "core.guess_handle");
    break;
  }
  case 5:
    lua_getfield(L, -1, "now");
    fz_pcall(0, "core.now");
    break;
  case 6:
    lua_getfield(L, -1, "open_handles");
    fz_pcall(0, "core.open_handles");
    break;
  default:
    lua_getfield(L, -1, "update_time");
    fz_pcall(0, "core.update_time");
  }
  lua_pop(L, 1);
}

static void op_timers(rd_t *r) {
  unsigned k = rd_u8(r) % 8;
  int n, i;
  static const char *const FN[] = {"setTimeout", "setInterval", "setImmediate", "nextTick",
                                   "clearTimeout", "clearInterval", "clearImmediate", "run"};
  fz_dgram(FN[k]);
  if (k < 4) {
    if (rd_u8(r) % 5 == 4) {
      gen(r, M_ANY, 1);
    } else {
      fz_fixture("fn");
      lua_pushinteger(L, 1);
      lua_pushinteger(L, rd_u8(r));
      lua_pushinteger(L, rd_u8(r));
      fz_fixcall(3, "fn");
    }
    n = 1;
    for (i = rd_u8(r) % 8; i > 0; i--, n++) {
      if (n == 1 && k < 2 && rd_u8(r) & 1)
        lua_pushinteger(L, rd_u8(r) % 3);
      else
        gen(r, M_ANY, 1);
    }
    fz_pcall1(n, FN[k]);
    if (k == 2)
      track("track_immediate");
    else if (k < 2)
      track("track_timer");
    else
      lua_pop(L, 1);
  } else if (k < 7) {
    if (rd_u8(r) & 1) {
      fz_fixture(k == 6 ? "immediate" : "timer");
      lua_pushinteger(L, rd_u8(r));
      fz_fixcall(1, "timer");
    } else {
      gen(r, M_ANY, 1);
    }
    strict_call(1, FN[k]);
  } else {
    /* never blocking: "nowait", or a mode that is refused */
    if (rd_u8(r) & 1)
      lua_pushliteral(L, "nowait");
    else
      gen(r, M_ANY, 1);
    if (lua_isnil(L, -1) || (lua_type(L, -1) == LUA_TSTRING &&
                             (strcmp(lua_tostring(L, -1), "default") == 0 ||
                              strcmp(lua_tostring(L, -1), "once") == 0))) {
      lua_pop(L, 1);
      lua_pushliteral(L, "nowait");
    }
    fz_pcall(1, "run");
  }
}

static void op_abort(rd_t *r) {
  switch (rd_u8(r) % 4) {
  case 0:
    fz_fixture("special");
    lua_pushinteger(L, 2 + (rd_u8(r) & 1)); /* a fresh signal, aborted or not */
    fz_fixcall(1, "special");
    lua_getfield(L, -1, "throwIfAborted");
    lua_insert(L, -2);
    fz_pcall(1, "throwIfAborted");
    break;
  case 1:
    fz_fixture("abort");
    lua_pushinteger(L, rd_u8(r));
    gen(r, M_ANY, 1);
    fz_pcall(2, "abort");
    break;
  case 2:
    fz_fixture("signal");
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(1, "signal");
    lua_getfield(L, -1, "on");
    lua_insert(L, -2);
    lua_pushliteral(L, "abort");
    fz_fixture("fn");
    lua_pushinteger(L, 1);
    lua_pushinteger(L, rd_u8(r));
    lua_pushinteger(L, rd_u8(r));
    fz_fixcall(3, "fn");
    fz_pcall(3, "signal:on");
    break;
  default:
    fz_dgram("AbortController");
    gen(r, M_ANY, 1);
    fz_pcall(1, "AbortController");
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_no_blank_big = 1;
  fz_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rd_t rd = {data, size};
  int top, ops = 0;
  fz_init();
  fz_begin();
  top = lua_gettop(L);
  new_emitters();
  while (rd.n > 0 && ops++ < MAX_OPS) {
    unsigned op = rd_u8(&rd) % 16;
    if (op < 4)
      op_describe(&rd);
    else if (op < 6)
      op_validate(&rd);
    else if (op < 11)
      op_emitter(&rd);
    else if (op < 12)
      op_core(&rd);
    else if (op < 14)
      op_timers(&rd);
    else if (op < 15)
      op_abort(&rd);
    else
      fz_run_nowait("run");
    if (lua_gettop(L) != top)
      fz_trap("stack unbalanced after op %u: %d, expected %d", op, lua_gettop(L), top);
  }
  fz_cleanup(top);
  return 0;
}
