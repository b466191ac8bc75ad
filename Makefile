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
PKGS := gsl cairo cairo-png cairo-pdf cairo-svg pangocairo glib-2.0 jansson
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
LDLIBS += $(PKG_LIBS) -lcsv -lpthread -lm

BUILD ?= build
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
bindir ?= $(prefix)/bin
datarootdir ?= $(prefix)/share
datadir ?= $(datarootdir)
mandir ?= $(datarootdir)/man
man1dir ?= $(mandir)/man1
# The default inputs (the incident) are installed as an example input set.
exampledir ?= $(datadir)/natcap/examples/incident
EXAMPLE_FILES := $(wildcard inputs/*.csv)

LIB_SRC := $(wildcard model/*.c io/*.c plot/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_SRC := $(wildcard *.c)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/check_*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all deps test-deps test-slurm test-k8s run test check bench clean install uninstall debug release asan golden-update mutants

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

# The test-only packages (GNU parallel, python3-yaml, ...) on top of deps; then
# tests/tools.sh checks each external command the tests call by its version.
test-deps:
	@sh scripts/deps.sh test
	@sh tests/tools.sh

# Unit tests (Check) and end-to-end tests of the binary on tests/e2e inputs;
# first the include order of the layers (tests/layers.sh).
test check: test-deps
	sh tests/layers.sh
	@$(MAKE) --no-print-directory natcap $(BUILD)/check_all
	NATCAP=$(CURDIR)/natcap $(BUILD)/check_all
	NATCAP=$(CURDIR)/natcap sh tests/e2e.sh
	NATCAP=$(CURDIR)/natcap sh tests/e2e_shard.sh
	NATCAP=$(CURDIR)/natcap $$(sh tests/tools.sh python) tests/k8s_manifests.py
	NATCAP=$(CURDIR)/natcap sh tests/e2e_hostile.sh
	NATCAP=$(CURDIR)/natcap sh tests/e2e_explain.sh
	NATCAP=$(CURDIR)/natcap sh tests/e2e_layouts.sh
	NATCAP=$(CURDIR)/natcap sh tests/e2e_cli.sh
	NATCAP=$(CURDIR)/natcap sh tests/e2e_observed.sh
	NATCAP=$(CURDIR)/natcap sh tests/e2e_alerts.sh

# The README's Slurm recipe on a throw-away single-node cluster (munged, slurmctld
# and slurmd on localhost, all state in a temporary directory): installs slurm-wlm
# and munge when missing.  Stops within its time limit even if a daemon hangs.
test-slurm: test-deps
	@sh scripts/deps.sh test slurm
	@$(MAKE) --no-print-directory natcap
	NATCAP=$(CURDIR)/natcap timeout -k 10 170 sh tests/slurm.sh

# The README's Kubernetes Jobs against the API's JSON schema, offline: npm's
# kubernetes-models (pinned) installed into $(BUILD)/k8s-schema once; Debian's nodejs
# and npm when missing.  (make test checks their fields and runs their commands.)
K8S_MODELS_VERSION := 4.5.1
K8S_MODELS := $(BUILD)/k8s-schema/node_modules/kubernetes-models
test-k8s: test-deps
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y -qq nodejs npm || exit 1; \
	    else echo "natcap: install node and npm: sudo apt-get install -y nodejs npm" >&2; exit 1; fi; }
	@grep -qs '"version": "$(K8S_MODELS_VERSION)"' $(K8S_MODELS)/package.json || { \
	    mkdir -p $(BUILD)/k8s-schema && echo '{"private": true}' > $(BUILD)/k8s-schema/package.json && \
	    npm install --prefix $(BUILD)/k8s-schema --no-audit --no-fund --loglevel=error \
	        kubernetes-models@$(K8S_MODELS_VERSION); }
	$$(sh tests/tools.sh python) tests/k8s_manifests.py --json README.md | node tests/k8s_schema.js $(CURDIR)/$(K8S_MODELS)

bench: deps
	@$(MAKE) --no-print-directory natcap $(BUILD)/calib
	CALIB=$(BUILD)/calib sh tests/bench.sh

$(BUILD)/calib: tests/bench/calib.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(STD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(LDLIBS)

# Mutation testing: each tests/mutants/*.mut applied to a copy of the tree in
# build/mutant/tree (never to this one), the fast suite run on it, killed or
# survived printed per mutant (tests/mutants.py).  MUTANTS=NAME... picks some.
mutants: deps
	python3 tests/mutants.py $(MUTANTS)

debug:
	$(MAKE) BUILD=build/debug CFLAGS="-O0 -g3 -DNATCAP_CHECKS"

release:
	$(MAKE) BUILD=build/release CFLAGS="-O2 -DNDEBUG"

# AddressSanitizer + UBSan build of natcap and the test runner, then the tests.
# tests/lsan.supp suppresses only fontconfig's and pango's process-wide caches.
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
asan: test-deps
	$(MAKE) --no-print-directory BUILD=build/asan \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -DNATCAP_CHECKS" \
		LDFLAGS="-fsanitize=address,undefined" natcap-asan build/asan/check_all
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan build/asan/check_all
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_shard.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_hostile.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_explain.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_layouts.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_cli.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_observed.sh
	$(ASAN_ENV) NATCAP=$(CURDIR)/natcap-asan sh tests/e2e_alerts.sh

natcap-asan: $(MAIN_OBJ) $(LIB_OBJ)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# GNU conventions: `make install PREFIX=/opt/natcap DESTDIR=$PWD/stage`.  The man
# page names the example directory of this prefix.
install: natcap
	install -d $(DESTDIR)$(bindir) $(DESTDIR)$(man1dir) $(DESTDIR)$(exampledir)
	install -m 755 natcap $(DESTDIR)$(bindir)/natcap
	sed 's|/usr/local/share/natcap|$(datadir)/natcap|g' man/natcap.1 >$(DESTDIR)$(man1dir)/natcap.1.tmp
	chmod 644 $(DESTDIR)$(man1dir)/natcap.1.tmp
	mv $(DESTDIR)$(man1dir)/natcap.1.tmp $(DESTDIR)$(man1dir)/natcap.1
	install -m 644 $(EXAMPLE_FILES) $(DESTDIR)$(exampledir)/

uninstall:
	rm -f $(DESTDIR)$(bindir)/natcap $(DESTDIR)$(man1dir)/natcap.1
	rm -f $(addprefix $(DESTDIR)$(exampledir)/,$(notdir $(EXAMPLE_FILES)))
	-rmdir $(DESTDIR)$(exampledir) $(DESTDIR)$(datadir)/natcap/examples \
		$(DESTDIR)$(datadir)/natcap 2>/dev/null

# The man page must stay free of mandoc warnings.
man-lint:
	mandoc -T lint -W warning man/natcap.1

clean:
	rm -rf build natcap natcap-asan

# ---- issue 5: fuzzing and valgrind (fuzz, fuzz-replay, valgrind) --------------------
# `make fuzz FUZZ_SECONDS=N` fuzzes the input loader (tests/fuzz/fuzz_load.c) with
# libFuzzer + ASan + UBSan for N seconds, starting from the seed corpus tests/fuzz/corpus;
# new inputs go to $(BUILD)/fuzz/corpus, crashes to $(BUILD)/fuzz/artifacts (add each one,
# once fixed, to tests/fuzz/corpus as a regression test).  Needs Debian's clang and
# libclang-rt: installed when root, else the command is printed.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -fno-omit-frame-pointer
FUZZ_SRC := tests/fuzz/fuzz_load.c $(wildcard io/csv_in*.c) io/explain.c io/csv_read.c io/csv_value.c model/status.c \
            model/config.c model/arrivals.c model/latency.c model/topology.c
FUZZ_LIBS = -lcsv $(shell $(PKG_CONFIG) --libs gsl 2>/dev/null) -lm
FUZZ_ARGS := -timeout=10 -rss_limit_mb=2048 -max_len=8192 -dict=tests/fuzz/natcap.dict \
             -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/artifacts/
# `make fuzz` also fuzzes the observed-metrics parsers (tests/fuzz/fuzz_import.c: the JSON
# importers and observed.csv) for FUZZ_IMPORT_SECONDS of the FUZZ_SECONDS (a third), so
# the total stays FUZZ_SECONDS; `make fuzz-import` runs that part alone.
FUZZ_IMPORT_SECONDS ?= $(shell expr $(FUZZ_SECONDS) / 3)
FUZZ_LOAD_SECONDS = $(shell expr $(FUZZ_SECONDS) - $(FUZZ_IMPORT_SECONDS))
FUZZ_IMPORT_SRC := tests/fuzz/fuzz_import.c $(wildcard io/obs_import*.c) io/observed_in.c io/csv_read.c \
                   io/csv_value.c model/observed.c model/status.c
FUZZ_IMPORT_LIBS = -lcsv $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null) -lm
# valgrind: memcheck with leak checking; suppressions only for library-internal caches.
VALGRIND ?= valgrind

.PHONY: fuzz fuzz-deps fuzz-replay fuzz-coverage valgrind fuzz-import

fuzz-deps:
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1 || \
	    ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' | \
	      $(FUZZ_CC) -fsanitize=fuzzer -x c -o /dev/null - >/dev/null 2>&1; then \
	    echo "natcap: fuzzing needs clang and libclang-rt (libFuzzer)" >&2; \
	    if [ "$$(id -u)" = 0 ]; then \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	            apt-get install -y -qq clang libclang-rt-14-dev || exit 1; \
	    else \
	        echo "natcap: install them with: sudo apt-get install -y clang libclang-rt-14-dev" >&2; \
	        exit 1; \
	    fi; \
	fi

$(BUILD)/fuzz/fuzz_load: $(FUZZ_SRC) io/csv_in.h io/csv_in_impl.h io/csv_read.h io/csv_value.h model/status.h \
                         model/config.h model/arrivals.h model/latency.h model/topology.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ-LD $@")
	$(Q)$(FUZZ_CC) $(STD) $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $(FUZZ_SRC) $(FUZZ_LIBS)

$(BUILD)/fuzz/fuzz_import: $(FUZZ_IMPORT_SRC) io/obs_import.h io/obs_import_impl.h io/observed_in.h model/observed.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ-LD $@")
	$(Q)$(FUZZ_CC) $(STD) $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) -o $@ $(FUZZ_IMPORT_SRC) $(FUZZ_IMPORT_LIBS)

fuzz-import: deps fuzz-deps
	@$(MAKE) --no-print-directory $(BUILD)/fuzz/fuzz_import
	@mkdir -p $(BUILD)/fuzz/corpus_import $(BUILD)/fuzz/artifacts
	@echo "fuzzing the observed-metrics parsers for $(FUZZ_IMPORT_SECONDS) s (log: $(BUILD)/fuzz/import.log)"
	@{ $(BUILD)/fuzz/fuzz_import -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
		-artifact_prefix=$(BUILD)/fuzz/artifacts/import- -max_total_time=$(FUZZ_IMPORT_SECONDS) \
		$(BUILD)/fuzz/corpus_import tests/fuzz/corpus_import; echo $$? > $(BUILD)/fuzz/rc-import; } 2>&1 | \
		tee $(BUILD)/fuzz/import.log | grep -E --line-buffered \
		'^#[0-9]+ +(INITED|DONE)|^stat::|^==[0-9]+==|^SUMMARY|runtime error|written to|Done [0-9]+ runs|property broken'
	@exit $$(cat $(BUILD)/fuzz/rc-import)

fuzz: deps fuzz-deps
	@$(MAKE) --no-print-directory $(BUILD)/fuzz/fuzz_load
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/artifacts
	@echo "fuzzing the input loader for $(FUZZ_LOAD_SECONDS) s (log: $(BUILD)/fuzz/last.log)"
	@{ $(BUILD)/fuzz/fuzz_load $(FUZZ_ARGS) -max_total_time=$(FUZZ_LOAD_SECONDS) \
		$(BUILD)/fuzz/corpus tests/fuzz/corpus; echo $$? > $(BUILD)/fuzz/rc; } 2>&1 | \
		tee $(BUILD)/fuzz/last.log | grep -E --line-buffered \
		'^#[0-9]+ +(INITED|DONE|pulse)|^stat::|^==[0-9]+==|^SUMMARY|^artifact_prefix|written to|Done [0-9]+ runs|property broken'
	@test "$$(cat $(BUILD)/fuzz/rc)" = 0
	@$(MAKE) --no-print-directory fuzz-import

# The seed corpus and every regression input, replayed by a plain build under ASan+UBSan
# (no clang needed).
fuzz-replay: deps
	@mkdir -p $(BUILD)/fuzz-replay
	$(CC) $(STD) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		$(PKG_CFLAGS) -o $(BUILD)/fuzz-replay/fuzz_replay tests/fuzz/replay.c $(FUZZ_SRC) \
		$(FUZZ_LIBS)
	$(BUILD)/fuzz-replay/fuzz_replay tests/fuzz/corpus
	$(CC) $(STD) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		$(PKG_CFLAGS) -o $(BUILD)/fuzz-replay/fuzz_import_replay tests/fuzz/replay.c \
		$(FUZZ_IMPORT_SRC) $(FUZZ_IMPORT_LIBS)
	$(BUILD)/fuzz-replay/fuzz_import_replay tests/fuzz/corpus_import

# Line and branch coverage of the loader by the fuzz corpus (seeds, regressions and what
# `make fuzz` found in $(BUILD)/fuzz/corpus), measured with gcov on a plain build.
fuzz-coverage:
	@rm -rf $(BUILD)/fuzz-cov && mkdir -p $(BUILD)/fuzz-cov
	$(CC) $(STD) -O0 -g --coverage -o $(BUILD)/fuzz-cov/fuzz_replay tests/fuzz/replay.c \
		$(PKG_CFLAGS) $(addprefix $(CURDIR)/,$(FUZZ_SRC)) $(FUZZ_LIBS)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz-cov/fuzz_replay tests/fuzz/corpus $(BUILD)/fuzz/corpus
	@cd $(BUILD)/fuzz-cov && gcov -b -o . fuzz_replay-csv_in fuzz_replay-csv_in_schema fuzz_replay-csv_in_refs \
		fuzz_replay-csv_in_values fuzz_replay-csv_in_overlay fuzz_replay-csv_read \
		fuzz_replay-csv_value 2>/dev/null | grep -A3 -E "^File '.*io/csv_(in[a-z_]*|read|value)\.c'"

# The end-to-end tests with natcap under valgrind; zero errors and zero leaks of natcap's
# own (tests/valgrind.supp suppresses documented library caches only).  Logs in
# $(BUILD)/valgrind/.
valgrind: deps
	@$(MAKE) --no-print-directory natcap
	@command -v $(VALGRIND) >/dev/null 2>&1 || { \
	    if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq valgrind; \
	    else echo "natcap: install valgrind: sudo apt-get install -y valgrind" >&2; exit 1; fi; }
	@rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	CK_FORK=no NATCAP_REAL=$(CURDIR)/natcap VALGRIND_LOGS=$(CURDIR)/$(BUILD)/valgrind \
		NATCAP=$(CURDIR)/tests/valgrind-natcap.sh NATCAP_SLOW=1 sh tests/e2e_hostile.sh
	@if [ -f tests/e2e.sh ]; then \
	    echo "CK_FORK=no NATCAP=tests/valgrind-natcap.sh sh tests/e2e.sh"; \
	    CK_FORK=no NATCAP_REAL=$(CURDIR)/natcap VALGRIND_LOGS=$(CURDIR)/$(BUILD)/valgrind \
	        NATCAP=$(CURDIR)/tests/valgrind-natcap.sh NATCAP_SLOW=1 sh tests/e2e.sh || exit 1; \
	fi
	@sh tests/valgrind-check.sh $(BUILD)/valgrind
# ---- end of issue 5 block ----------------------------------------------------------

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
