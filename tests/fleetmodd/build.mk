# fleetmodd end to end: `make check-fleetmodd` runs
# tests/fleetmodd/test_fleetmodd.py against the built fleetmodd, mobway.so
# and mobway-sim (every route and status, bad input, 1,000 connections,
# clients that leave, SO_PEERCRED and API keys, idempotency across
# restarts and, on a throwaway PostgreSQL cluster, across two machines,
# the watcher of one host_id of two, webhooks, SIGTERM and SIGHUP, and
# fleetmodd itself under $(MEMCHECK): every route once, then SIGTERM).

# The simulator by its path: its fragment (tests/mobway-sim) is read after
# this one, so $(SIM_BIN) is still empty here.
FLEETMODD_SIM := $(BINDIR_B)/mobway-sim

# Unit tests of the files of service/fleetmodd that stand alone
# (tests/unit/fleetmodd/test_X.c tests X.c), linked with those objects.
FLEETMODD_UNITS := keys conf reply
# Directly under $(B)/unit, where $(LIBFLEETMOD_LINK)'s run path finds the
# library.
FLEETMODD_UNIT_BINS := $(FLEETMODD_UNITS:%=$(B)/unit/test_fleetmodd_%)
$(FLEETMODD_UNITS:%=$(OBJDIR_B)/tests/unit/fleetmodd/test_%.o): \
	EXTRA_CFLAGS := -I$(FLEETMODD_DIR) \
	$(call pc_cflags,cmocka $(FLEETMODD_PC_DEPS))

# keys.c, conf.c and reply.c log nothing, but the service's log.c is
# what they would log with.
$(B)/unit/test_fleetmodd_%: $(OBJDIR_B)/tests/unit/fleetmodd/test_%.o \
	$(OBJDIR_B)/$(FLEETMODD_DIR)/%.o $(OBJDIR_B)/$(FLEETMODD_DIR)/log.o \
	$(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) \
		$(LIBFLEETMOD_LINK) $(call pc_libs,cmocka $(FLEETMODD_PC_DEPS)) \
		-pthread

.PHONY: check-fleetmodd
check-fleetmodd: $(FLEETMODD) $(MOBWAY_SO) $(FLEETMODD_SIM) $(JOURNAL_PG_SO) \
	$(FLEETMODD_UNIT_BINS)
	$(Q)for t in $(FLEETMODD_UNIT_BINS); do \
		echo "  TEST   $$t"; \
		$(MEMCHECK) $$t || exit 1; \
	done
	$(Q)$(PYTHON) tests/fleetmodd/test_fleetmodd.py --fleetmodd $(FLEETMODD) \
		--mobway $(MOBWAY_SO) --sim $(FLEETMODD_SIM) \
		--journal-pg $(JOURNAL_PG_SO)

CHECK_TARGETS += check-fleetmodd

# Not part of `make check`: a benchmark is a program you run.
#   make bench-fleetmodd     fleetmodd over its socket against the guard
#                            called directly (bench_direct), and the RSS of
#                            10,000 keep-alive connections
FLEETMODD_BENCH_DIRECT := $(B)/check/bench_direct
$(FLEETMODD_BENCH_DIRECT): $(OBJDIR_B)/tests/fleetmodd/bench_direct.o \
	$(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBFLEETMOD_LINK) -pthread

.PHONY: bench-fleetmodd
bench-fleetmodd: $(FLEETMODD) $(MOBWAY_SO) $(FLEETMODD_SIM) \
	$(FLEETMODD_BENCH_DIRECT)
	$(Q)$(PYTHON) tests/fleetmodd/bench_fleetmodd.py --fleetmodd $(FLEETMODD) \
		--mobway $(MOBWAY_SO) --sim $(FLEETMODD_SIM) \
		--direct $(FLEETMODD_BENCH_DIRECT)
