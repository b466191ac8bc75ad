# natcap - NAT gateway source-port capacity planner.
# `make` builds ./natcap; `make run` and `make test` install missing Debian
# packages first (scripts/deps.sh).  V=1 shows full commands.

CC ?= cc
# -O2 -g by default; override on the command line (make CFLAGS=-O0).
CFLAGS ?= -O2 -g
# C11 plus POSIX 2008 for openat/getline/etc.; warnings are errors in spirit: keep it at zero.
WARN := -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wundef -Wpointer-arith -Wcast-qual -Wvla
STD := -std=c11 -D_POSIX_C_SOURCE=200809L
PKG_CONFIG ?= pkg-config
# Libraries with a .pc file; libcsv has none, so it is linked with -lcsv.
PKGS := gsl cairo cairo-png cairo-pdf cairo-svg pangocairo
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
LDLIBS += $(PKG_LIBS) -lcsv -lpthread -lm

BUILD ?= build
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
bindir ?= $(prefix)/bin

LIB_SRC := $(wildcard model/*.c io/*.c plot/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/main.o
TEST_SRC := $(wildcard tests/check_*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BENCH_SRC := $(wildcard tests/bench/*.c)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all deps run test check bench clean install uninstall debug release asan golden-update

all: natcap

natcap: $(MAIN_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(STD) $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(STD) $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/check_all: $(TEST_OBJ) $(LIB_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory natcap
	./natcap run -i inputs -o outputs

# Unit tests (Check) and end-to-end tests of the binary on tests/e2e inputs.
test check: deps
	@$(MAKE) --no-print-directory natcap $(BUILD)/check_all
	NATCAP=$(CURDIR)/natcap $(BUILD)/check_all
	NATCAP=$(CURDIR)/natcap sh tests/e2e.sh

bench: deps
	@$(MAKE) --no-print-directory natcap
	sh tests/bench.sh

debug:
	$(MAKE) BUILD=build/debug CFLAGS="-O0 -g3"

release:
	$(MAKE) BUILD=build/release CFLAGS="-O2 -DNDEBUG"

# AddressSanitizer + UBSan build of natcap and the test runner, then the tests.
asan: deps
	$(MAKE) --no-print-directory BUILD=build/asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" natcap-asan build/asan/check_all
	ASAN_OPTIONS=detect_leaks=1 NATCAP=$(CURDIR)/natcap-asan build/asan/check_all
	ASAN_OPTIONS=detect_leaks=1 NATCAP=$(CURDIR)/natcap-asan sh tests/e2e.sh

natcap-asan: $(MAIN_OBJ) $(LIB_OBJ)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

install: natcap
	install -d $(DESTDIR)$(bindir)
	install -m 755 natcap $(DESTDIR)$(bindir)/natcap

uninstall:
	rm -f $(DESTDIR)$(bindir)/natcap

clean:
	rm -rf build natcap natcap-asan

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
