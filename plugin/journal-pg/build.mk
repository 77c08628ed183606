# plugin/journal-pg: journal_pg.so, the PostgreSQL store of the command
# journal (host-api/src/journal/backend.h). libfleetmod dlopens it for a
# postgresql:// journal url, from the module search path, then MODULEDIR;
# it is the only part of fleetmod linked against libpq, and ships in its own
# package (libfleetmod-journal-pg, rpm fleetmod-journal-pg).
#
#   make build/modules/journal_pg.so
#   make check-journal-pg       (tests/pg/build.mk)

JOURNAL_PG_DIR  := plugin/journal-pg
JOURNAL_PG_SO   := $(MODDIR_B)/journal_pg.so
JOURNAL_PG_SRCS := $(wildcard $(JOURNAL_PG_DIR)/*.c)
JOURNAL_PG_OBJS := $(JOURNAL_PG_SRCS:%.c=$(OBJDIR_B)/%.o)

$(JOURNAL_PG_OBJS): EXTRA_CFLAGS := $(MODULE_CFLAGS) \
	-Ihost-api/src/journal $(call pc_cflags,libpq)

# -z nodelete, as for mobway.so: libpq and the OpenSSL it loads keep
# process-wide state (atexit handlers, thread-local error queues) that must
# not vanish when libfleetmod closes the journal and dlcloses this object.
$(JOURNAL_PG_SO): $(JOURNAL_PG_OBJS) $(JOURNAL_PG_DIR)/journal_pg.map
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(MODULE_LDFLAGS) $(LDFLAGS) \
		-Wl,--version-script=$(JOURNAL_PG_DIR)/journal_pg.map -Wl,-z,nodelete \
		-o $@ $(JOURNAL_PG_OBJS) $(call pc_libs,libpq)

ALL_TARGETS += $(JOURNAL_PG_SO)

# 0755 like mobway.so: rpm strips only executable objects (into -debuginfo);
# dh_fixperms makes shared objects 0644 in the .deb.
.PHONY: install-journal-pg uninstall-journal-pg
install-journal-pg: $(JOURNAL_PG_SO)
	$(INSTALL) -d $(DESTDIR)$(MODULEDIR)
	$(INSTALL) -m 0755 $(JOURNAL_PG_SO) $(DESTDIR)$(MODULEDIR)/journal_pg.so

uninstall-journal-pg:
	rm -f $(DESTDIR)$(MODULEDIR)/journal_pg.so

INSTALL_TARGETS += install-journal-pg
UNINSTALL_TARGETS += uninstall-journal-pg
