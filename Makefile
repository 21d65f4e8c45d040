# dgram: Node's node:dgram for Lua 5.4, on libuv.
#   make            build build/dgram/core.so (flags from pkg-config)
#   make test       install missing Debian packages, build, run every spec
#   make demo       install missing Debian packages, build, run the docs' example
#   make bench      benchmarks against Node, luv, LuaSocket and raw libuv
#   make install    install the module under PREFIX
#   make test SANITIZE=1   the suite under ASan + UBSan
#   make valgrind   the suite under valgrind

PKG_CONFIG ?= pkg-config
LUA_PKG    ?= lua5.4
LUA        ?= lua5.4
PREFIX     ?= /usr/local
LUA_VERSION = 5.4
INSTALL_CMOD = $(PREFIX)/lib/lua/$(LUA_VERSION)
INSTALL_LMOD = $(PREFIX)/share/lua/$(LUA_VERSION)
INSTALL_INC  = $(PREFIX)/include

# Debian packages the build and the suite need; `make deps` installs the missing ones.
DEB_PACKAGES = lua5.4 liblua5.4-dev libuv1-dev lua-busted luarocks lua-socket pkg-config gcc make valgrind dnsmasq-base iproute2

CFLAGS ?= -O2 -g
WARN    = -Wall -Wextra -pedantic -Wshadow -Wpointer-arith \
          -Wmissing-prototypes -Wstrict-prototypes -Wundef -Wdeclaration-after-statement
BUILD   = build
ifeq ($(SANITIZE),1)
BUILD   = build/san
CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_ENV = LD_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
          ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
endif
ALL_CFLAGS = -std=gnu99 -fPIC -fvisibility=hidden $(WARN) $(CFLAGS) \
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
TEST_ENV   = LUA_PATH="$(TEST_PATH)" LUA_CPATH="$(TEST_CPATH)" DGRAM_BUILD=$(BUILD)
SPECS     ?= spec

.PHONY: all deps test demo bench install uninstall clean valgrind host

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

$(BUILD)/obj/%.o: src/%.c src/core.h src/dgram.h src/udp.h
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
	@$(TEST_ENV) $(SAN_ENV) $(LUA) tools/runspecs.lua $(SPECS)

valgrind: deps
	@$(MAKE) --no-print-directory all
	@$(TEST_ENV) VALGRIND=1 $(LUA) tools/runspecs.lua $(SPECS)

demo: deps
	@$(MAKE) --no-print-directory all
	@$(TEST_ENV) $(LUA) examples/demo.lua

# The benchmark's optional peers (luv) and its instruction counts (valgrind).
BENCH_PACKAGES = lua-luv lua-socket valgrind python3

bench: deps
	@sh tools/deps.sh $(BENCH_PACKAGES)
	@$(MAKE) -s --no-print-directory all
	@$(MAKE) --no-print-directory -C bench run

install: $(MODULE)
	install -d $(DESTDIR)$(INSTALL_CMOD)/dgram $(DESTDIR)$(INSTALL_LMOD)/dgram $(DESTDIR)$(INSTALL_INC)
	install -m 755 $(MODULE) $(DESTDIR)$(INSTALL_CMOD)/dgram/core.so
	install -m 644 lua/dgram.lua $(DESTDIR)$(INSTALL_LMOD)/dgram.lua
	install -m 644 lua/dgram/*.lua $(DESTDIR)$(INSTALL_LMOD)/dgram/
	install -m 644 src/dgram.h $(DESTDIR)$(INSTALL_INC)/dgram.h

uninstall:
	rm -rf $(DESTDIR)$(INSTALL_CMOD)/dgram $(DESTDIR)$(INSTALL_LMOD)/dgram \
	       $(DESTDIR)$(INSTALL_LMOD)/dgram.lua $(DESTDIR)$(INSTALL_INC)/dgram.h

clean:
	rm -rf build
