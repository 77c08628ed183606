# tests/pg: journal_pg.so (plugin/journal-pg) against a real PostgreSQL, a
# throwaway cluster that tests/pg/run.sh starts in a temporary directory
# on a private unix socket (tests/pg/pg-cluster.sh; as root the server runs
# as the postgres user), and against the real mobway.so and mobway-sim:
# through backend.h (test_journal_pg.c), and through libfleetmod's guards
# with jtool (tests/journal/build.mk; test_guard_pg.py).
# Never skipped: without a PostgreSQL server the check fails and says so.
# A hang anywhere is a failure: the whole run is bounded (timeout(1)), and
# run.sh stops its cluster, simulator and helpers on the way out.
#
#   make check-journal-pg

JOURNAL_PG_TEST := $(B)/check/test_journal_pg
JOURNAL_PG_TEST_OBJS := $(OBJDIR_B)/tests/pg/test_journal_pg.o \
	$(OBJDIR_B)/tests/pg/chain.o

$(JOURNAL_PG_TEST_OBJS): EXTRA_CFLAGS := -Ihost-api/src/journal \
	$(call pc_cflags,libcrypto)

$(JOURNAL_PG_TEST): $(JOURNAL_PG_TEST_OBJS) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $(JOURNAL_PG_TEST_OBJS) \
		$(LIBFLEETMOD_LINK) $(call pc_libs,libcrypto) -ldl -pthread

.PHONY: check-journal-pg
check-journal-pg: $(JOURNAL_PG_TEST) $(JOURNAL_PG_SO) $(MOBWAY_SO) $(SIM_BIN) \
	$(JTOOL)
	$(Q)timeout 1200 sh tests/pg/run.sh $(JOURNAL_PG_TEST) $(JOURNAL_PG_SO) \
		$(MOBWAY_SO) $(SIM_BIN) $(JTOOL)

CHECK_TARGETS += check-journal-pg

# Not part of make check: a benchmark is a program you run.
#   make bench-journal-pg [BENCH_PG_ARGS="SENDS ROUNDS LATENCY_MS"]
BENCH_GUARD := $(B)/check/bench_guard
BENCH_PG_ARGS ?= 500 5 0

$(BENCH_GUARD): $(OBJDIR_B)/tests/pg/bench_guard.o $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBFLEETMOD_LINK)

.PHONY: bench-journal-pg
bench-journal-pg: $(BENCH_GUARD) $(JOURNAL_PG_SO) $(MOBWAY_SO) $(SIM_BIN)
	$(Q)sh tests/pg/bench.sh $(BENCH_GUARD) $(MOBWAY_SO) $(SIM_BIN) \
		$(JOURNAL_PG_SO) $(BENCH_PG_ARGS)
