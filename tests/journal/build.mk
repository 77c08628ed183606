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

.PHONY: check-journal
check-journal: $(JTOOL) $(MOBWAY_SO) $(SIM_BIN)
	$(Q)$(PYTHON) tests/journal/test_journal.py --jtool $(JTOOL) \
		--mobway $(MOBWAY_SO) --sim $(SIM_BIN)

CHECK_TARGETS += check-journal
