# dgram: Node's node:dgram for Lua 5.1 to 5.4 and LuaJIT, on libuv.
#   make            build build/dgram/core.so (flags from pkg-config)
#   make LUA=luajit the same for another interpreter (lua5.1, lua5.2, lua5.3,
#                   luajit), into build/<interpreter>/; `make test LUA=...`
#                   runs the suite on it
#   make test       install missing Debian packages, build, luacheck, run every spec
#   make test-all   the suite on lua5.1, lua5.2, lua5.3, lua5.4 and luajit,
#                   each one's summary, then their sum on the last line
#   make demo       install missing Debian packages, build, run the docs' example
#   make bench      benchmarks against Node, luv, LuaSocket and raw libuv
#   make install    install the module under PREFIX
#   make release-rockspec  rockspec/dgram-<dgram._VERSION>-1.rockspec from the scm one
#   make test SANITIZE=1   the suite under ASan + UBSan
#   make valgrind   the suite under valgrind
#   make soak       the hardening specs at their long sizes (docs/reliability.md)
#   make fuzz       libFuzzer harnesses (fuzz/*_fuzz.c), FUZZ_TIME seconds each
#   make fuzz-replay  replay the committed corpus (fuzz/corpus/<harness>/) once

PKG_CONFIG ?= pkg-config
LUA        ?= lua5.4
# Debian names the pkg-config module after the interpreter (lua5.1 ... luajit).
LUA_PKG    ?= $(LUA)
PREFIX     ?= /usr/local
LUA_VERSION = $(if $(filter luajit,$(LUA)),5.1,$(patsubst lua%,%,$(LUA)))
INSTALL_CMOD = $(PREFIX)/lib/lua/$(LUA_VERSION)
INSTALL_LMOD = $(PREFIX)/share/lua/$(LUA_VERSION)
INSTALL_INC  = $(PREFIX)/include

# Debian packages the build and the suite need; `make deps` installs the missing ones.
LUA_DEB_luajit = luajit libluajit-5.1-dev
LUA_DEB_lua5.1 = lua5.1 liblua5.1-0-dev
LUA_DEB = $(or $(LUA_DEB_$(LUA)),$(LUA) lib$(LUA)-dev)
# The real hosts of spec/hosts: LÖVE and Neovim run LuaJIT, luv the Luas.
HOST_DEB = luajit libluajit-5.1-dev lua-luv love neovim
DEB_PACKAGES = lua5.4 liblua5.4-dev $(LUA_DEB) libuv1-dev lua-busted luarocks lua-socket pkg-config gcc make valgrind dnsmasq-base iproute2 nftables socat \
               clang libclang-rt-14-dev $(HOST_DEB)

CFLAGS ?= -O2 -g
WARN    = -Wall -Wextra -pedantic -Wshadow -Wpointer-arith \
          -Wmissing-prototypes -Wstrict-prototypes -Wundef -Wdeclaration-after-statement
# The default interpreter builds into build/, the others beside it.
BUILD_ROOT = $(if $(filter lua5.4,$(LUA)),build,build/$(LUA))
BUILD   = $(BUILD_ROOT)
ifeq ($(SANITIZE),1)
BUILD   = $(BUILD_ROOT)/san
CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_ENV = LD_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
          ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
endif
# An undeclared Lua function (an API another version lacks) must not build.
ALL_CFLAGS = -std=gnu99 -fPIC -fvisibility=hidden -Werror=implicit-function-declaration $(WARN) $(CFLAGS) \
             $(shell $(PKG_CONFIG) --cflags $(LUA_PKG) libuv 2>/dev/null)
# No -llua: the interpreter (or the embedding host) provides Lua's symbols.
LIBS    = $(shell $(PKG_CONFIG) --libs libuv 2>/dev/null)

SRC     = $(wildcard src/*.c)
OBJ     = $(SRC:src/%.c=$(BUILD)/obj/%.o)
MODULE  = $(BUILD)/dgram/core.so
LUA_SRC = $(shell find lua -name '*.lua')

# Debian's busted lives under the Lua 5.1 tree but runs on 5.4.
TEST_PATH  = ./lua/?.lua;./lua/?/init.lua;./spec/?.lua;./spec/node/?.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;
TEST_CPATH = ./$(BUILD)/?.so;;
# DGRAM_NO_RUN_NOTICE: the suite's children end without dgram.run() on purpose.
TEST_ENV   = LUA_PATH="$(TEST_PATH)" LUA_CPATH="$(TEST_CPATH)" DGRAM_BUILD=$(BUILD) LUA=$(LUA) DGRAM_NO_RUN_NOTICE=1
SPECS     ?= spec
# `make test` runs luacheck (.luacheckrc) first, counted as one test; LUACHECK= skips it.
LUACHECK  ?= luacheck --formatter plain lua spec examples bench
DEB_PACKAGES += lua-check

.PHONY: all deps test test-all demo bench install uninstall clean valgrind host soak release-rockspec

all: $(MODULE)

# The embedding example: links the module by path and Lua dynamically.
HOST = $(BUILD)/host
host: $(HOST)
$(HOST): examples/host.c src/dgram.h $(MODULE)
	$(CC) -std=gnu99 $(WARN) $(CFLAGS) -Isrc $(shell $(PKG_CONFIG) --cflags $(LUA_PKG) libuv) \
	  -o $@ examples/host.c $(MODULE) -Wl,-rpath,'$$ORIGIN/dgram' \
	  $(shell $(PKG_CONFIG) --libs $(LUA_PKG) libuv)

$(MODULE): $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared $(ALL_CFLAGS) -o $@ $(OBJ) $(LIBS)

$(BUILD)/obj/%.o: src/%.c src/core.h src/compat.h src/dgram.h src/udp.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Rebuild when the flags change (CFLAGS=... on the command line).
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(ALL_CFLAGS)' | cmp -s - $@ || echo '$(ALL_CFLAGS)' > $@
$(OBJ): $(BUILD)/.flags
.PHONY: FORCE

deps:
	@sh tools/deps.sh $(DEB_PACKAGES)

test: deps
	@$(MAKE) -s --no-print-directory all
	@$(TEST_ENV) $(SAN_ENV) LINT="$(LUACHECK)" $(LUA) tools/runspecs.lua $(SPECS)

# Every supported interpreter in turn (its whole output streamed, kept in
# build/test-all-<interpreter>.log), then each one's summary and the sum.
# An interpreter whose run ends without its summary counts one failure.
# TEST_ALL_LOGGED: interpreters whose `make test` output this checkout has
# just saved as that log (CI does so for Lua 5.4): counted, not run again.
TEST_ALL_LUAS = lua5.1 lua5.2 lua5.3 lua5.4 luajit
TEST_ALL_LOGGED ?=
test-all:
	@mkdir -p build; passed=0; failed=0; recap=""; \
	for lua in $(TEST_ALL_LUAS); do \
	  if echo " $(TEST_ALL_LOGGED) " | grep -q " $$lua "; then \
	    echo "== $$lua: counted from build/test-all-$$lua.log"; \
	  else \
	    echo "== $$lua"; \
	    $(MAKE) -s --no-print-directory test LUA=$$lua SPECS="$(SPECS)" 2>&1 | tee build/test-all-$$lua.log; \
	  fi; \
	  line=$$(grep -E '^[0-9]+ passed, [0-9]+ failed$$' build/test-all-$$lua.log | tail -n 1); \
	  p=$$(echo "$$line" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$$/\1/p'); \
	  f=$$(echo "$$line" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$$/\2/p'); \
	  if [ -z "$$p" ]; then p=0; f=1; line="no summary (build/test-all-$$lua.log)"; fi; \
	  passed=$$((passed + p)); failed=$$((failed + f)); \
	  recap="$$recap$$lua: $$line\n"; \
	done; \
	echo; printf '%b' "$$recap"; echo "$$passed passed, $$failed failed"; \
	[ $$failed -eq 0 ] && [ $$passed -gt 0 ]

valgrind: deps
	@$(MAKE) --no-print-directory all
	@$(TEST_ENV) VALGRIND=1 $(LUA) tools/runspecs.lua $(SPECS)

# The specs of spec/hardening with their long counts and durations (SOAK=1:
# 1,000,000 echoes, 10 s floods, ...); each figure they measure is appended
# to $(SOAK_FIGURES) and printed at the end. SANITIZE=1 works here too.
SOAK_FIGURES = $(BUILD)/soak-figures.txt
soak: deps
	@$(MAKE) -s --no-print-directory all
	@mkdir -p $(BUILD) && rm -f $(SOAK_FIGURES)
	@$(TEST_ENV) $(SAN_ENV) SOAK=1 FIGURES=$(CURDIR)/$(SOAK_FIGURES) SPEC_TIMEOUT=3600 \
	  $(LUA) tools/runspecs.lua spec/hardening; status=$$?; \
	  echo; echo "Figures ($(SOAK_FIGURES)):"; cat $(SOAK_FIGURES) 2>/dev/null; exit $$status

demo: deps
	@$(MAKE) --no-print-directory all
	@$(TEST_ENV) $(LUA) examples/demo.lua

# The benchmark's optional peers (luv), its instruction counts (valgrind) and
# its charts (gnuplot).
BENCH_PACKAGES = lua-luv lua-socket valgrind python3 gnuplot-nox

bench: deps
	@sh tools/deps.sh $(BENCH_PACKAGES)
	@$(MAKE) -s --no-print-directory all
	@$(MAKE) --no-print-directory -C bench run

# The release rockspec: the scm one's build for the version of dgram._VERSION
# (lua/dgram.lua), its source the tag v<version>. Run it again whenever the
# scm rockspec changes; spec/release_spec.lua fails until then.
RELEASE_VERSION = $(shell sed -n 's/^M._VERSION = "dgram \(.*\)"$$/\1/p' lua/dgram.lua)
release-rockspec:
	sed -e 's/^version = "scm-1"$$/version = "$(RELEASE_VERSION)-1"/' \
	    -e 's|^\(  url = .*\)$$|\1\n  tag = "v$(RELEASE_VERSION)",|' \
	    rockspec/dgram-scm-1.rockspec > rockspec/dgram-$(RELEASE_VERSION)-1.rockspec

install: $(MODULE)
	install -d $(DESTDIR)$(INSTALL_CMOD)/dgram $(DESTDIR)$(INSTALL_LMOD)/dgram $(DESTDIR)$(INSTALL_INC)
	install -m 755 $(MODULE) $(DESTDIR)$(INSTALL_CMOD)/dgram/core.so
	install -m 644 lua/dgram.lua $(DESTDIR)$(INSTALL_LMOD)/dgram.lua
	install -m 644 lua/dgram/*.lua $(DESTDIR)$(INSTALL_LMOD)/dgram/
	install -m 644 src/dgram.h $(DESTDIR)$(INSTALL_INC)/dgram.h

uninstall:
	rm -rf $(DESTDIR)$(INSTALL_CMOD)/dgram $(DESTDIR)$(INSTALL_LMOD)/dgram \
	       $(DESTDIR)$(INSTALL_LMOD)/dgram.lua $(DESTDIR)$(INSTALL_INC)/dgram.h

# Fuzzing: each fuzz/<name>_fuzz.c is a libFuzzer harness, built with
# Debian's clang into build/fuzz/<name>_fuzz together with src/*.c, Lua
# linked statically. They run from the repository root (they load ./lua and
# fuzz/fixtures.lua). fuzz/README.md says what each one does and checks.
#   make fuzz [FUZZ_TIME=600]  each harness for FUZZ_TIME seconds, new inputs
#                              in build/fuzz/corpus/<name>, crashes in
#                              build/fuzz/artifacts/
#   make fuzz-replay           every input of fuzz/corpus/<name> once (CI)
FUZZ_CC     ?= clang
FUZZ_BUILD   = build/fuzz
FUZZ_TIME   ?= 60
FUZZ_NAMES   = $(basename $(notdir $(wildcard fuzz/*_fuzz.c)))
FUZZ_BINS    = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%)
FUZZ_CFLAGS  = -std=gnu99 -g -O1 -fno-omit-frame-pointer \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -Wall -Wextra -Isrc $(shell $(PKG_CONFIG) --cflags $(LUA_PKG) libuv 2>/dev/null)
FUZZ_LIBS    = -l:liblua5.4.a $(shell $(PKG_CONFIG) --libs libuv 2>/dev/null) -lm -ldl
# -detect_leaks=0: the harnesses run LeakSanitizer themselves now and then
# (the Lua GC frees late, so libFuzzer's per-input check would fire always).
FUZZ_FLAGS  ?= -detect_leaks=0 -rss_limit_mb=4096 -timeout=60 -max_len=1024
# Strict mode: a string error from the module is a finding. FUZZ_KNOWN=1
# steps over the findings still open (fuzz/repro/README.md); drop it once
# those are fixed.
FUZZ_ENV    ?= FUZZ_STRICT=1 FUZZ_KNOWN=1 UBSAN_OPTIONS=print_stacktrace=1

.PHONY: fuzz fuzz-build fuzz-replay

FUZZ_OBJ     = $(SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
.SECONDARY: $(FUZZ_OBJ)

$(FUZZ_BUILD)/obj/%.o: src/%.c src/core.h src/compat.h src/dgram.h src/udp.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/%_fuzz: fuzz/%_fuzz.c $(wildcard fuzz/*.h) $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@for h in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$h fuzz/corpus/$$h; \
	  echo "== $$h: $(FUZZ_TIME) s"; \
	  $(FUZZ_ENV) $(FUZZ_BUILD)/$$h $(FUZZ_FLAGS) -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$h- $(FUZZ_BUILD)/corpus/$$h fuzz/corpus/$$h || exit 1; \
	done

fuzz-replay: deps
	@$(MAKE) --no-print-directory fuzz-build
	@for h in $(FUZZ_NAMES); do \
	  log=$(FUZZ_BUILD)/replay-$$h.log; \
	  if $(FUZZ_ENV) $(FUZZ_BUILD)/$$h -runs=0 -detect_leaks=0 -rss_limit_mb=4096 -timeout=60 \
	       fuzz/corpus/$$h > $$log 2>&1; then \
	    echo "$$h: $$(ls fuzz/corpus/$$h | wc -l) inputs replayed, no finding"; \
	  else \
	    tail -n 60 $$log; echo "fuzz-replay: $$h failed (whole log: $$log)"; exit 1; \
	  fi; \
	done
	@echo "fuzz-replay: every corpus input ran clean"

clean:
	rm -rf build
