# fleetmod: one GNU make build for the whole tree (non-recursive).
#
# Each part of the tree keeps its rules in a fragment next to its sources
# (host-api/build.mk, plugin/mobway/build.mk, ...), included below. A
# fragment adds its outputs to ALL_TARGETS, its test targets to CHECK_TARGETS
# and its install steps to INSTALL_TARGETS / UNINSTALL_TARGETS.
#
# Variables honoured: CC CPPFLAGS CFLAGS LDFLAGS PKG_CONFIG INSTALL PREFIX
# EXEC_PREFIX BINDIR LIBDIR INCLUDEDIR SYSCONFDIR MANDIR DATADIR MODULEDIR
# DESTDIR V=1 B=builddir SANITIZE=address,undefined (or thread) WERROR=1.

VERSION     := 1.1.0
SOVERSION   := 1

PREFIX      ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
BINDIR      ?= $(EXEC_PREFIX)/bin
LIBDIR      ?= $(EXEC_PREFIX)/lib
INCLUDEDIR  ?= $(PREFIX)/include
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/fleetmod
ifeq ($(PREFIX),/usr)
SYSCONFDIR  ?= /etc
else
SYSCONFDIR  ?= $(PREFIX)/etc
endif
MODULEDIR   ?= $(LIBDIR)/fleetmod

CC          ?= cc
PKG_CONFIG  ?= pkg-config
INSTALL     ?= install
PYTHON      ?= python3
CFLAGS      ?= -O2 -g

# Build outputs go to $(B); a sanitizer build gets its own tree so that it
# never mixes objects with a normal build.
ifeq ($(SANITIZE),)
B ?= build
else
B ?= build-$(subst $(comma),-,$(SANITIZE))
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
comma := ,

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

# msgpack-c 6 renamed its pkg-config file to msgpack-c; Debian 12 has msgpack.
MSGPACK_PC := $(shell $(PKG_CONFIG) --exists msgpack-c 2>/dev/null && echo msgpack-c || echo msgpack)
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# Flags every object gets. The user's CPPFLAGS/CFLAGS come last so that
# distribution hardening flags (dpkg-buildflags) apply.
BASE_CPPFLAGS := -D_GNU_SOURCE -Ihost-api/include
# Warnings are errors only when asked (WERROR=1, as CI does): a build with
# another compiler, a newer one or a distribution's hardening flags must
# never fail on a warning that did not exist when the code was written.
BASE_CFLAGS   := -std=c11 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
	-fPIC $(SAN_FLAGS)
BASE_LDFLAGS  := $(SAN_FLAGS)
# Modules and libraries: only the contract's symbols leave the object.
MODULE_CFLAGS := -fvisibility=hidden
# -z defs makes a missing library a link error rather than a dlopen error;
# but clang links its sanitizer runtimes into programs only, so a shared
# object built with -fsanitize leaves their symbols for the program: no
# -z defs then.
MODULE_LDFLAGS := -shared -Wl,--as-needed \
	$(if $(findstring -fsanitize,$(SAN_FLAGS) $(CFLAGS) $(LDFLAGS)),,-Wl,-z,defs)

# The checks that run a program under memcheck prefix it with $(MEMCHECK).
# Under SANITIZE it is empty: valgrind cannot run sanitizer builds, which
# check memory themselves.
ifeq ($(SANITIZE),)
MEMCHECK ?= valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect --track-fds=no
else
MEMCHECK :=
endif
export MEMCHECK

compile = $(CC) $(BASE_CPPFLAGS) $(CPPFLAGS) $(BASE_CFLAGS) $(CFLAGS)

# Paths the tests use to find what the build produced.
BINDIR_B    := $(B)/bin
MODDIR_B    := $(B)/modules
LIBDIR_B    := $(B)/lib
OBJDIR_B    := $(B)/obj

ALL_TARGETS :=
CHECK_TARGETS :=
INSTALL_TARGETS :=
UNINSTALL_TARGETS :=
CLEAN_FILES :=

.PHONY: all check install uninstall clean distclean deps demo bench fuzz soak
.DEFAULT_GOAL := all

# The installation paths compiled into objects (-DSYSCONFDIR=..., the
# module directory) and written into the .pc file. make cannot see a
# variable change, so they are kept in a stamp rewritten only when they
# differ, and every object depends on it: `make` then
# `make install PREFIX=/usr SYSCONFDIR=/etc` rebuilds whatever embeds a
# path instead of installing a mobway.so that looks in /usr/local/etc.
# DESTDIR is never part of it (it is not compiled in), nor are flags.
PATHS_STAMP := $(B)/paths.stamp
PATHS_NOW := PREFIX=$(PREFIX) EXEC_PREFIX=$(EXEC_PREFIX) LIBDIR=$(LIBDIR) \
	INCLUDEDIR=$(INCLUDEDIR) SYSCONFDIR=$(SYSCONFDIR) MODULEDIR=$(MODULEDIR) \
	VERSION=$(VERSION)
ifneq ($(file <$(PATHS_STAMP)),$(strip $(PATHS_NOW)))
$(shell mkdir -p $(B))
$(file >$(PATHS_STAMP),$(strip $(PATHS_NOW)))
endif

# Every object: $(OBJDIR_B)/path/to/file.o from path/to/file.c, with its
# header dependencies tracked. Fragments add per-target flags with
# target-specific variables (EXTRA_CFLAGS).
$(OBJDIR_B)/%.o: %.c $(PATHS_STAMP)
	$(call say,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(compile) $(EXTRA_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(OBJDIR_B) -name '*.d' 2>/dev/null)

include $(wildcard host-api/build.mk)
include $(wildcard plugin/*/build.mk)
include $(wildcard examples/*/build.mk)
include $(wildcard examples/providers/*/build.mk)
include $(wildcard service/*/build.mk)
include $(wildcard tests/*/build.mk)
include $(wildcard packaging/build.mk)

# make lint: clang-format (the tree's .clang-format), the dialect (`!p`,
# `sizeof *p`), cppcheck, cited documents (.ci/lint.sh). check-lint tests
# those rules on a small tree of its own. Both are part of make check.
.PHONY: lint check-lint
lint:
	@sh .ci/lint.sh
check-lint:
	@sh .ci/test-lint.sh
CHECK_TARGETS += check-lint lint

all: $(ALL_TARGETS)

# The README's test command: everything CI runs. deps first, in its own
# step, because the pkg-config flags above are read when make starts.
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-run

.PHONY: check-run
check-run: $(CHECK_TARGETS)
	@echo "make check: all checks passed"

# Installs the Debian packages the build and tests need when run as root,
# otherwise prints the command; quiet when everything is there.
deps:
	@sh packaging/deps.sh

install: $(INSTALL_TARGETS)
uninstall: $(UNINSTALL_TARGETS)

clean:
	rm -rf build build-* $(CLEAN_FILES)

distclean: clean
