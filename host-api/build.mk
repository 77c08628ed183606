# libfleetmod: the loader library hosts link against (host-api/include/
# fleetmod/host.h) and its pkg-config file (its unit tests and test modules:
# tests/unit/build.mk).
#
# Outputs
#   $(LIBDIR_B)/libfleetmod.so.$(VERSION)   soname libfleetmod.so.$(SOVERSION),
#   $(LIBDIR_B)/libfleetmod.so.$(SOVERSION) and libfleetmod.so symlinks,
#   $(LIBDIR_B)/libfleetmod.a, $(B)/fleetmod.pc.
#
# Linking a program of this tree against libfleetmod (other fragments):
#
#   $(BINDIR_B)/fleetcmd: $(FLEETCMD_OBJS) $(LIBFLEETMOD)
#           $(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(FLEETCMD_OBJS) $(LIBFLEETMOD_LINK)
#
# LIBFLEETMOD is the file to depend on (the libfleetmod.so symlink, made
# together with the real file); LIBFLEETMOD_LINK the flags. They carry a
# run path of $ORIGIN/../lib: a program in any directory directly under
# $(B) (build/bin, build/check, ...) finds build/lib/libfleetmod.so.1 without
# LD_LIBRARY_PATH, so `build/bin/fleetcmd` just runs. The same binary,
# installed as $(BINDIR)/fleetcmd, looks in $(BINDIR)/../lib first, which is
# $(LIBDIR) for the default PREFIX layout and an unrelated system directory
# otherwise (then the dynamic loader's normal search finds the library).
# No build-tree path is ever recorded; lintian accepts $ORIGIN run paths
# (Lintian::Check::Binaries::Rpath skips them) and so does rpm's
# check-rpaths. Nothing needs relinking at install.

LIBFLEETMOD_PC_DEPS := $(MSGPACK_PC) jansson inih sqlite3 libcrypto
# The command journal and its guards (fleetmod/guard.h) live in their own
# directory: host-api/src/journal/.
LIBFLEETMOD_SRCS := $(wildcard host-api/src/*.c) \
	$(wildcard host-api/src/journal/*.c)
LIBFLEETMOD_OBJS := $(LIBFLEETMOD_SRCS:%.c=$(OBJDIR_B)/%.o)
LIBFLEETMOD_SO := $(LIBDIR_B)/libfleetmod.so.$(VERSION)
LIBFLEETMOD_A := $(LIBDIR_B)/libfleetmod.a
LIBFLEETMOD := $(LIBDIR_B)/libfleetmod.so
LIBFLEETMOD_LINK := -L$(LIBDIR_B) -lfleetmod -Wl,-rpath,'$$ORIGIN/../lib'
LIBFLEETMOD_PC := $(B)/fleetmod.pc
LIBFLEETMOD_MAP := host-api/libfleetmod.map

# The installation paths compiled into the library and written into the
# .pc file: the top Makefile's stamp of them (every object depends on it).
LIBFLEETMOD_PATHS := $(PATHS_STAMP)

$(LIBFLEETMOD_OBJS): EXTRA_CFLAGS := $(MODULE_CFLAGS) \
	$(call pc_cflags,$(LIBFLEETMOD_PC_DEPS)) \
	-DFLEETMOD_MODULEDIR='"$(MODULEDIR)"' \
	-DFLEETMOD_SYSCONFDIR='"$(SYSCONFDIR)"'

$(LIBFLEETMOD_SO): $(LIBFLEETMOD_OBJS) $(LIBFLEETMOD_MAP)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) \
		-Wl,-soname,libfleetmod.so.$(SOVERSION) \
		-Wl,--version-script=$(LIBFLEETMOD_MAP) \
		-o $@ $(LIBFLEETMOD_OBJS) \
		$(call pc_libs,$(LIBFLEETMOD_PC_DEPS)) -ldl
	$(Q)ln -sf libfleetmod.so.$(VERSION) $(LIBDIR_B)/libfleetmod.so.$(SOVERSION)

$(LIBFLEETMOD): $(LIBFLEETMOD_SO)
	$(Q)ln -sf libfleetmod.so.$(SOVERSION) $@

$(LIBFLEETMOD_A): $(LIBFLEETMOD_OBJS)
	$(call say,AR,$@)
	$(Q)mkdir -p $(@D)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $(LIBFLEETMOD_OBJS)

$(LIBFLEETMOD_PC): host-api/fleetmod.pc.in $(LIBFLEETMOD_PATHS)
	$(call say,GEN,$@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@EXEC_PREFIX@|$(EXEC_PREFIX)|' \
		-e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|' -e 's|@MODULEDIR@|$(MODULEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES_PRIVATE@|$(LIBFLEETMOD_PC_DEPS)|' $< >$@.tmp
	$(Q)mv $@.tmp $@

ALL_TARGETS += $(LIBFLEETMOD) $(LIBFLEETMOD_A) $(LIBFLEETMOD_PC)

# --- install ---------------------------------------------------------------

.PHONY: install-libfleetmod uninstall-libfleetmod
install-libfleetmod: $(LIBFLEETMOD) $(LIBFLEETMOD_A) $(LIBFLEETMOD_PC)
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/fleetmod $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(MODULEDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	$(INSTALL) -m 0644 host-api/include/fleetmod/module.h \
		host-api/include/fleetmod/host.h \
		host-api/include/fleetmod/guard.h \
		host-api/include/fleetmod/service.h \
		host-api/include/fleetmod/msgcheck.h \
		host-api/include/fleetmod/modutil.h $(DESTDIR)$(INCLUDEDIR)/fleetmod/
	$(INSTALL) -m 0755 $(LIBFLEETMOD_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libfleetmod.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libfleetmod.so.$(SOVERSION)
	ln -sf libfleetmod.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libfleetmod.so
	$(INSTALL) -m 0644 $(LIBFLEETMOD_A) $(DESTDIR)$(LIBDIR)/
	$(INSTALL) -m 0644 $(LIBFLEETMOD_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/
	$(INSTALL) -m 0644 host-api/man/fleetmod-stack.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 host-api/man/fleetmod-policy.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 host-api/man/fleetmod-journal.7 $(DESTDIR)$(MANDIR)/man7/

uninstall-libfleetmod:
	rm -f $(DESTDIR)$(INCLUDEDIR)/fleetmod/module.h \
		$(DESTDIR)$(INCLUDEDIR)/fleetmod/host.h \
		$(DESTDIR)$(INCLUDEDIR)/fleetmod/guard.h \
		$(DESTDIR)$(INCLUDEDIR)/fleetmod/service.h \
		$(DESTDIR)$(INCLUDEDIR)/fleetmod/msgcheck.h \
		$(DESTDIR)$(INCLUDEDIR)/fleetmod/modutil.h \
		$(DESTDIR)$(LIBDIR)/libfleetmod.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libfleetmod.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libfleetmod.so $(DESTDIR)$(LIBDIR)/libfleetmod.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/fleetmod.pc \
		$(DESTDIR)$(MANDIR)/man5/fleetmod-stack.5 \
		$(DESTDIR)$(MANDIR)/man5/fleetmod-policy.5 \
		$(DESTDIR)$(MANDIR)/man7/fleetmod-journal.7
	-rmdir $(DESTDIR)$(INCLUDEDIR)/fleetmod $(DESTDIR)$(MODULEDIR) 2>/dev/null

INSTALL_TARGETS += install-libfleetmod
UNINSTALL_TARGETS += uninstall-libfleetmod

# The default stack file (fleetmod_default_stack_path()): the example, every
# line commented out. Once there, the file is the administrator's: install
# leaves an existing one alone, and uninstall removes it only while it is
# still the unedited example.
STACK_CONF_EXAMPLE := host-api/stack.conf.example
STACK_CONF_DIR := $(DESTDIR)$(SYSCONFDIR)/fleetmod

.PHONY: install-stack-conf uninstall-stack-conf
install-stack-conf: $(STACK_CONF_EXAMPLE)
	$(INSTALL) -d $(STACK_CONF_DIR)
	test -e $(STACK_CONF_DIR)/stack.conf || \
		$(INSTALL) -m 0644 $(STACK_CONF_EXAMPLE) $(STACK_CONF_DIR)/stack.conf

uninstall-stack-conf:
	if cmp -s $(STACK_CONF_EXAMPLE) $(STACK_CONF_DIR)/stack.conf; then \
		rm -f $(STACK_CONF_DIR)/stack.conf; fi
	rmdir $(STACK_CONF_DIR) 2>/dev/null || true

INSTALL_TARGETS += install-stack-conf
UNINSTALL_TARGETS += uninstall-stack-conf

# --- unit tests --------------------------------------------------------------
#
# libfleetmod's unit tests, its test modules and the module helpers' tests
# (check-libfleetmod, check-msgcheck, check-modutil): tests/unit/build.mk.
