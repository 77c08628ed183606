# The command journal and its guards end to end (fleetmod/guard.h,
# fleetmod-policy(5), fleetmod-journal(7)): `make check-journal` runs
# tests/journal/test_journal.py, which drives jtool (a C host of the guard
# API) through guards in front of mobway.so against its own mobway-sim,
# on real SQLite files.

# Directly under $(B), where $(LIBFLEETMOD_LINK)'s run path finds the library.
JTOOL := $(B)/check/jtool
JTOOL_OBJ := $(OBJDIR_B)/tests/journal/jtool.o

$(JTOOL_OBJ): EXTRA_CFLAGS := $(call pc_cflags,$(MSGPACK_PC))

$(JTOOL): $(JTOOL_OBJ) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBFLEETMOD_LINK) \
		$(call pc_libs,$(MSGPACK_PC)) -pthread

# tests/mobway-sim/build.mk is included after this fragment, and a rule's
# prerequisites are expanded as it is read: name the simulator by its path.
JOURNAL_SIM := $(BINDIR_B)/mobway-sim

.PHONY: check-journal
check-journal: $(JTOOL) $(MOBWAY_SO) $(JOURNAL_SIM)
	$(Q)$(PYTHON) tests/journal/test_journal.py --jtool $(JTOOL) \
		--mobway $(MOBWAY_SO) --sim $(JOURNAL_SIM)

CHECK_TARGETS += check-journal
