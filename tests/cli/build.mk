# fleetcmd's tests: `make check-fleetcmd` runs tests/cli/test_fleetcmd.py
# against the skeleton provider, filestate.so, a test provider whose
# commands outlive the process (confirm and status in a later run), and
# mobway.so against a mobway-sim of its own (batches end to end), and the
# --help of the other operator tools (mobway-sim, fleetmod-conformance);
# tests/cli/test_messages.py: each error line says a thing once.

FILESTATE_SO := $(B)/tests/cli/filestate.so
FILESTATE_OBJ := $(OBJDIR_B)/tests/cli/filestate.o

$(FILESTATE_OBJ): EXTRA_CFLAGS := $(MODULE_CFLAGS) $(call pc_cflags,$(MSGPACK_PC))

$(FILESTATE_SO): $(FILESTATE_OBJ)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) $(MODULE_LDFLAGS) -o $@ $< \
		$(call pc_libs,$(MSGPACK_PC))

.PHONY: check-fleetcmd
check-fleetcmd: $(FLEETCMD) $(SKELETON_SO) $(FILESTATE_SO) $(MOBWAY_SO) \
		$(BINDIR_B)/mobway-sim $(BINDIR_B)/fleetmod-conformance
	$(Q)$(PYTHON) tests/cli/test_fleetcmd.py --fleetcmd $(FLEETCMD) \
		--modules $(MODDIR_B) --skeleton-conf $(SKELETON_CONF) \
		--filestate $(FILESTATE_SO) --mobway $(MOBWAY_SO) \
		--sim $(BINDIR_B)/mobway-sim --conformance $(CONFORMANCE)
	$(Q)$(PYTHON) tests/cli/test_messages.py --fleetcmd $(FLEETCMD) \
		--mobway $(MOBWAY_SO)

CHECK_TARGETS += check-fleetcmd

# The journal surface of fleetcmd (tests/cli/test_journal_cli.py): guarded
# sends, refusals, a host killed mid-call and reconcile, journal
# list/show/verify/stats and the OpenMetrics text, against mobway.so, a
# mobway-sim of its own and a real SQLite journal in a temporary directory.
.PHONY: check-fleetcmd-journal
check-fleetcmd-journal: $(FLEETCMD) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim
	$(Q)$(PYTHON) tests/cli/test_journal_cli.py --fleetcmd $(FLEETCMD) \
		--mobway $(MOBWAY_SO) --sim $(BINDIR_B)/mobway-sim \
		--default-policy $(SYSCONFDIR)/fleetmod/policy.conf

CHECK_TARGETS += check-fleetcmd-journal
