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

# The 8-thread guard stress under ThreadSanitizer, in its own tree
# ($(B)-thread, built by a second make with SANITIZE=thread): a data race
# or lock-order report fails it (halt_on_error). Not part of make check:
# like check-tsan, it is its own CI step. (The AddressSanitizer pass is
# `make SANITIZE=address,undefined check`, which runs check-journal.)
JOURNAL_TSAN_B := $(B)-thread

.PHONY: check-journal-tsan
check-journal-tsan: $(JOURNAL_SIM)
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread B=$(JOURNAL_TSAN_B) \
		$(JOURNAL_TSAN_B)/check/jtool $(JOURNAL_TSAN_B)/modules/mobway.so
	$(Q)TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66 \
		suppressions=tests/stress/tsan.supp $${TSAN_OPTIONS:-}" \
		$(PYTHON) tests/journal/test_journal.py \
		--jtool $(JOURNAL_TSAN_B)/check/jtool \
		--mobway $(JOURNAL_TSAN_B)/modules/mobway.so --sim $(JOURNAL_SIM) \
		a_guard_stress_of_8_threads_keeps_every_rule_and_the_chain
