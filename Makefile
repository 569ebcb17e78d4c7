# hopwatch: build, test and install.  `make run`, `make check`, `make install`.

.DEFAULT_GOAL := all

PREFIX ?= /usr/local
exec_prefix ?= $(PREFIX)
sbindir ?= $(exec_prefix)/sbin
bindir ?= $(exec_prefix)/bin
libdir ?= $(exec_prefix)/lib
sysconfdir ?= $(PREFIX)/etc
mandir ?= $(PREFIX)/share/man
plugindir ?= $(libdir)/hopwatch
DESTDIR ?=

CC ?= cc
VERSION := 0.1
OPT ?= -O2 -g
CFLAGS ?= $(OPT)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Warnings are errors in CI (CI=true) or with WERROR=1.
ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN += -Werror
endif
# SANITIZE=1: AddressSanitizer + UndefinedBehaviorSanitizer everywhere.
ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(SAN) -MMD -MP \
	-DHW_SYSCONFDIR='"$(sysconfdir)"' -DHW_PLUGIN_DIR='"$(plugindir)"' -DHW_VERSION='"$(VERSION)"'

# Library flags come from pkg-config; libev ships no .pc file.  The file is
# made by checking (and as root installing) the Debian build dependencies.
-include build/config.mk
build/config.mk: contrib/install-deps.sh
	@mkdir -p build
	@contrib/install-deps.sh build
	@pkg-config --exists libconfig hiredis libcares jansson || { echo "hopwatch: pkg-config cannot find libconfig, hiredis, libcares or jansson" >&2; exit 1; }
	@{ echo "DEP_CFLAGS := $$(pkg-config --cflags libconfig hiredis libcares jansson)"; \
	   echo "DEP_LIBS := $$(pkg-config --libs libconfig hiredis libcares jansson) -lev -lm -ldl"; } > $@

# Rebuild everything when the flags change (SANITIZE=1 after a plain build).
FLAGS_ID := $(CC) $(CFLAGS) $(BASE_CFLAGS)
build/flags: FORCE
	@mkdir -p build
	@echo '$(FLAGS_ID)' | cmp -s - $@ || echo '$(FLAGS_ID)' > $@

ALL_CFLAGS = $(BASE_CFLAGS) $(DEP_CFLAGS) $(CFLAGS)

# The layout (README "Layout"): src/core, src/sink and src/paths make
# the daemon's core library; src/cli is the read-only CLI; lib/pkt is the
# packet library and plugins/common the probe helpers, both static, PIC and
# linked into each plugin that needs them; a plugin is plugins/NAME.c or
# the directory plugins/NAME/.
CORE_SRCS := $(wildcard src/core/*.c src/sink/*.c src/paths/*.c)
CORE_SRCS := $(filter-out src/core/daemon.c,$(CORE_SRCS))
CORE_OBJS := $(CORE_SRCS:.c=.o)
CORE_INC := -Iinclude -Isrc/core -Isrc/sink -Isrc/paths -Ilib/pkt
PKT_SRCS := $(wildcard lib/pkt/*.c)
PKT_LIB := lib/pkt/libhwpkt.a
COMMON_SRCS := $(wildcard plugins/common/*.c)
COMMON_LIB := plugins/common/libhwcommon.a
PLUGIN_INC := -Iinclude -Ilib/pkt -Iplugins/common
PLUGIN_LIBS := $(COMMON_LIB) $(PKT_LIB)
DAEMON := src/hopwatchd
CLI := src/hopwatch
PLUGIN_DIRS := $(filter-out plugins/common,$(patsubst %/,%,$(wildcard plugins/*/)))
PLUGINS := $(patsubst %.c,%.so,$(wildcard plugins/*.c)) $(addsuffix .so,$(PLUGIN_DIRS))
TEST_PLUGINS := $(patsubst %.c,%.so,$(wildcard t/plugins/*.c))
TOOLS := $(patsubst %.c,%,$(wildcard t/tools/*.c))
UNIT := $(patsubst %.c,%.t,$(wildcard t/unit/*.c))

all: $(DAEMON) $(CLI) $(PLUGINS) $(TOOLS) $(UNIT) $(TEST_PLUGINS)

src/%.o: src/%.c build/flags | build/config.mk
	$(CC) $(ALL_CFLAGS) $(CORE_INC) -c -o $@ $<

# Made anew each time: `ar r` never drops the member of a renamed file.
src/libhopwatch.a: $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# The daemon exports the hw_* functions of include/hopwatch.h to plugins
# (src/core/hopwatch.dynlist); --whole-archive keeps those the core itself
# never calls.
$(DAEMON): src/core/daemon.o src/libhopwatch.a $(PKT_LIB) src/core/hopwatch.dynlist
	$(CC) $(ALL_CFLAGS) -o $@ src/core/daemon.o -Wl,--whole-archive src/libhopwatch.a -Wl,--no-whole-archive \
		$(PKT_LIB) -Wl,--dynamic-list=src/core/hopwatch.dynlist $(LDFLAGS) $(DEP_LIBS)

# The CLI reads only the core settings of a config (conf_load_core) and
# loads no plugin: it links what it uses of the core, and exports nothing.
CLI_OBJS := $(patsubst %.c,%.o,$(wildcard src/cli/*.c))
$(CLI): $(CLI_OBJS) src/libhopwatch.a $(PKT_LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJS) src/libhopwatch.a $(PKT_LIB) $(LDFLAGS) $(DEP_LIBS)

# Plugin code: position-independent, hidden unless exported on purpose.
PLUGIN_CFLAGS = $(ALL_CFLAGS) -fPIC -fvisibility=hidden $(PLUGIN_INC)
lib/pkt/%.o: lib/pkt/%.c build/flags | build/config.mk
	$(CC) $(PLUGIN_CFLAGS) -c -o $@ $<
plugins/%.o: plugins/%.c build/flags | build/config.mk
	$(CC) $(PLUGIN_CFLAGS) -c -o $@ $<
$(PKT_LIB): $(PKT_SRCS:.c=.o)
	$(AR) rcs $@ $^
$(COMMON_LIB): $(COMMON_SRCS:.c=.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# A plugin exports exactly hopwatch_plugin; everything else is hidden.
# plugins/NAME.c or plugins/NAME/*.c -> plugins/NAME.so
plugins/%.so: plugins/%.o $(PLUGIN_LIBS)
	$(CC) $(PLUGIN_CFLAGS) -shared -o $@ $< $(PLUGIN_LIBS) $(LDFLAGS)
# A directory plugin may link more Debian libraries: LDLIBS_NAME := -lfoo.
LDLIBS_dns := -lcares
define plugin_dir_rule
$(1).so: $(patsubst %.c,%.o,$(wildcard $(1)/*.c)) $$(PLUGIN_LIBS)
	$$(CC) $$(PLUGIN_CFLAGS) -shared -o $$@ $$(filter %.o,$$^) $$(PLUGIN_LIBS) $$(LDFLAGS) $$(LDLIBS_$(notdir $(1)))
endef
$(foreach d,$(PLUGIN_DIRS),$(eval $(call plugin_dir_rule,$(d))))
t/plugins/%.so: t/plugins/%.c include/hopwatch.h build/flags | build/config.mk
	$(CC) $(PLUGIN_CFLAGS) -shared -o $@ $< $(LDFLAGS)

# Test helpers: standalone, no libraries; never installed.
t/tools/%: t/tools/%.c build/flags | build/config.mk
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -pthread -o $@ $< -lm

# C unit tests print TAP; they link the core, packet and plugin libraries.
TEST_INC := $(CORE_INC) -Ilib/pkt -Iplugins/common -Isrc/cli -It/unit
t/unit/%.t: t/unit/%.c t/unit/test-lib.h src/libhopwatch.a $(PLUGIN_LIBS) build/flags
	$(CC) $(ALL_CFLAGS) $(TEST_INC) -o $@ $< src/libhopwatch.a $(PLUGIN_LIBS) $(LDFLAGS) $(DEP_LIBS)

# Unit tests of the CLI's pure files (t/unit/cli-*.c) link them too.
CLI_PURE_OBJS := src/cli/format.o src/cli/jsonout.o
t/unit/cli-%.t: t/unit/cli-%.c t/unit/test-lib.h $(CLI_PURE_OBJS) src/cli/cli.h src/libhopwatch.a $(PKT_LIB) build/flags
	$(CC) $(ALL_CFLAGS) $(TEST_INC) -o $@ $< $(CLI_PURE_OBJS) src/libhopwatch.a $(PKT_LIB) $(LDFLAGS) $(DEP_LIBS)

# Unit tests of the path plugin (t/unit/path-*.c) link its objects with the
# host mock (t/mock/*.c: fake hw_* functions, reply synthesis), not the core.
PATH_OBJS = $(patsubst %.c,%.o,$(wildcard plugins/path/*.c))
MOCK_SRCS := $(wildcard t/mock/*.c)
t/unit/path-%.t: t/unit/path-%.c t/unit/test-lib.h $(MOCK_SRCS) $(wildcard t/mock/*.h) $(PATH_OBJS) $(PLUGIN_LIBS) build/flags
	$(CC) $(ALL_CFLAGS) $(TEST_INC) -Iplugins/path -It/mock -o $@ $< $(MOCK_SRCS) $(PATH_OBJS) $(PLUGIN_LIBS) $(LDFLAGS) -lm

run: all
	$(DAEMON) -c etc/hopwatch.conf -P plugins -e

# Every test under prove.  Test dependencies are installed first (as root).
PROVE ?= prove
check: all
	@contrib/install-deps.sh test || echo "hopwatch: some tests will be skipped" >&2
	HW_INSTALL_VARS='PREFIX=$(PREFIX) sysconfdir=$(sysconfdir) sbindir=$(sbindir) bindir=$(bindir) libdir=$(libdir) plugindir=$(plugindir) mandir=$(mandir) systemdunitdir=$(systemdunitdir)' \
		$(PROVE) -j2 $(PROVE_FLAGS) $(UNIT) t/t[0-9]*.sh

# A newcomer's tour (root): a delayed, lossy namespace network, hopwatchd
# echoing what it sends, and a route change halfway (t/demo.sh).
demo: all
	t/demo.sh

# Side-by-side benchmarks against fping, collectd, traceroute, mtr and
# scamper on the testbed (root; bench/README.md).  BENCH_QUICK=1: ~3 min.
BENCH_TOOLS := bench/emit-bench bench/dsd-sum
bench/emit-bench: bench/emit-bench.c src/libhopwatch.a build/flags
	$(CC) $(ALL_CFLAGS) $(CORE_INC) -o $@ $< src/libhopwatch.a -pthread $(LDFLAGS) $(DEP_LIBS)
bench/dsd-sum: bench/dsd-sum.c build/flags | build/config.mk
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $<
bench: all $(BENCH_TOOLS)
	bench/run

# Man pages, and the systemd unit, with this install's paths.  Every
# generated file depends on build/install-vars, which changes whenever an
# install variable does: `make install PREFIX=/usr` after a build with the
# default prefix regenerates them (the binaries follow build/flags).
MAN_SRC := contrib/man/hopwatchd.8 contrib/man/hopwatch.conf.5 contrib/man/hopwatch.1
MAN := $(patsubst contrib/man/%,build/man/%,$(MAN_SRC))
systemdunitdir ?= $(PREFIX)/lib/systemd/system
INSTALL_VARS_ID := $(sbindir) $(bindir) $(sysconfdir) $(plugindir) $(mandir) $(systemdunitdir)
build/install-vars: FORCE
	@mkdir -p build
	@echo '$(INSTALL_VARS_ID)' | cmp -s - $@ || echo '$(INSTALL_VARS_ID)' > $@
SUBST_PATHS = sed -e 's|@SBINDIR@|$(sbindir)|g' -e 's|@BINDIR@|$(bindir)|g' \
	-e 's|@SYSCONFDIR@|$(sysconfdir)|g' -e 's|@PLUGINDIR@|$(plugindir)|g'
build/hopwatchd.service: contrib/systemd/hopwatchd.service build/install-vars
	@mkdir -p build
	$(SUBST_PATHS) $< > $@
build/man/%: contrib/man/% build/install-vars
	@mkdir -p build/man
	$(SUBST_PATHS) $< > $@

# The SETTINGS of hopwatch.conf(5) are made from `hopwatchd -L` (every
# setting of the core and of each plugin): run this after adding or
# changing one; t/t8030-man.sh fails until the page matches the code.
man-settings: $(DAEMON) $(PLUGINS)
	$(DAEMON) -L -P plugins | awk -f contrib/man/settings.awk > build/settings.man
	awk -v gen=build/settings.man \
		'/^\.\\" END SETTINGS/ { while ((getline l < gen) > 0) print l; skip = 0 } \
		 !skip { print } /^\.\\" BEGIN SETTINGS/ { skip = 1 }' \
		contrib/man/hopwatch.conf.5 > build/hopwatch.conf.5.new
	mv build/hopwatch.conf.5.new contrib/man/hopwatch.conf.5

# contrib/datadog/dashboard.json is what `hopwatch dashboard` prints without
# -c (src/cli/dashboard.c: the widgets of each plugin, one table): run this
# after changing the table; t/t8050-dashboard.sh fails until the file matches.
dashboard: $(CLI)
	$(CLI) dashboard > build/dashboard.json.new
	mv build/dashboard.json.new contrib/datadog/dashboard.json

install: $(DAEMON) $(CLI) $(PLUGINS) build/hopwatchd.service $(MAN)
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) $(DESTDIR)$(plugindir) \
		$(DESTDIR)$(sysconfdir)/hopwatch/conf.d $(DESTDIR)$(systemdunitdir) \
		$(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(mandir)/man8
	install -m 0755 $(DAEMON) $(DESTDIR)$(sbindir)/hopwatchd
	install -m 0755 $(CLI) $(DESTDIR)$(bindir)/hopwatch
	for p in $(PLUGINS); do install -m 0644 $$p $(DESTDIR)$(plugindir)/; done
	test -e $(DESTDIR)$(sysconfdir)/hopwatch/hopwatch.conf || \
		install -m 0644 etc/hopwatch.conf $(DESTDIR)$(sysconfdir)/hopwatch/hopwatch.conf
	install -m 0644 build/hopwatchd.service $(DESTDIR)$(systemdunitdir)/hopwatchd.service
	for m in $(MAN); do install -m 0644 $$m $(DESTDIR)$(mandir)/man$${m##*.}/; done

# The configuration (and conf.d) is left in place: it is the admin's.
uninstall:
	rm -f $(DESTDIR)$(sbindir)/hopwatchd $(DESTDIR)$(bindir)/hopwatch
	for p in $(notdir $(PLUGINS)); do rm -f $(DESTDIR)$(plugindir)/$$p; done
	-rmdir $(DESTDIR)$(plugindir)
	rm -f $(DESTDIR)$(systemdunitdir)/hopwatchd.service
	for m in $(notdir $(MAN)); do rm -f $(DESTDIR)$(mandir)/man$${m##*.}/$$m; done

clean:
	rm -rf build $(DAEMON) $(CLI) $(TOOLS) t/unit/*.t
	find src lib plugins t -name '*.[oda]' -delete
	rm -f plugins/*.so t/plugins/*.so

# libFuzzer targets (clang): t/fuzz/NAME.c -> build/fuzz/NAME, built with the
# core sources under ASan+UBSan.  `make fuzz` runs each for FUZZ_SECONDS;
# t/t8100-fuzz.sh runs a short bounded pass in `make check` when clang is there.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZERS := $(patsubst t/fuzz/%.c,build/fuzz/%,$(wildcard t/fuzz/*.c))
FUZZ_SRCS := $(CORE_SRCS) $(PKT_SRCS) $(COMMON_SRCS)
build/fuzz/%: t/fuzz/%.c $(FUZZ_SRCS) $(wildcard src/*/*.h lib/pkt/*.h plugins/common/*.h) | build/config.mk
	@mkdir -p build/fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined $(TEST_INC) \
		$(DEP_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(DEP_LIBS)
# The path matcher fuzzer links the plugin's sources with the host mock instead of the core.
build/fuzz/path-match: t/fuzz/path-match.c $(wildcard plugins/path/*.[ch] t/mock/*.[ch]) $(PKT_SRCS) $(COMMON_SRCS) | build/config.mk
	@mkdir -p build/fuzz
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined $(TEST_INC) -Iplugins/path -It/mock \
		-o $@ $< $(wildcard plugins/path/*.c) $(MOCK_SRCS) $(PKT_SRCS) $(COMMON_SRCS) -lm
fuzz-build: $(FUZZERS) $(TEST_PLUGINS)
fuzz: fuzz-build
	@for f in $(FUZZERS); do \
		echo "fuzz: $$f for $(FUZZ_SECONDS)s"; \
		mkdir -p build/corpus/$$(basename $$f); \
		LSAN_OPTIONS=suppressions=$(CURDIR)/t/lsan.supp HW_FUZZ_PLUGIN_DIR=t/plugins \
			$$f -artifact_prefix=build/ -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
			build/corpus/$$(basename $$f) || exit 1; \
	done

FORCE:
.PHONY: fuzz fuzz-build all run check demo bench install uninstall clean man-settings dashboard FORCE

-include $(wildcard src/*/*.d lib/*/*.d plugins/*.d plugins/*/*.d t/plugins/*.d t/tools/*.d t/unit/*.d)
