# tests/bench: performance figures, each a ratio against a baseline
# measured in the same run (each script prints its table).
# Not part of `make check`: a benchmark is a program you run.
#
#   make bench                      every table below, one after the other
#   make bench BENCH_ONLY="journal webhook"   only those tables
#   make bench-mobway               mobway.so (tests/bench/run.sh)
#   make bench-journal              the journal and its guards (journal.sh)
#   make bench-fleetmodd            fleetmodd (tests/fleetmodd/build.mk)
#   make bench-webhook              fleetmodd's webhooks across an outage
#   make bench BENCH_COMMANDS=50000 a shorter RSS run of bench-mobway
#   make bench-webhook BENCH_SHORT=1  a 10 s outage instead of 60 s

BENCH_DIR := tests/bench
BENCH_MODULE := $(B)/tests/bench/bench_module
BENCH_RAW := $(B)/tests/bench/bench_raw
BENCH_COMMANDS ?= 1000000

$(OBJDIR_B)/$(BENCH_DIR)/bench_module.o: EXTRA_CFLAGS := \
	$(call pc_cflags,$(MSGPACK_PC))
$(OBJDIR_B)/$(BENCH_DIR)/bench_raw.o: EXTRA_CFLAGS := \
	$(call pc_cflags,libcurl jansson libcrypto)

# The module driver links neither libcurl nor OpenSSL, so dlopen + init
# pays for loading them, as in a host that does not use them itself.
$(BENCH_MODULE): $(OBJDIR_B)/$(BENCH_DIR)/bench_module.o \
		$(OBJDIR_B)/$(BENCH_DIR)/bench_util.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(call pc_libs,$(MSGPACK_PC)) -ldl -lpthread

$(BENCH_RAW): $(OBJDIR_B)/$(BENCH_DIR)/bench_raw.o \
		$(OBJDIR_B)/$(BENCH_DIR)/bench_util.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ \
		$(call pc_libs,libcurl jansson libcrypto) -lpthread

BENCH_ONLY ?= mobway journal fleetmodd webhook

# One table at a time, even under -j: runs that share the CPUs with
# another bench would measure each other. A table with a missed target
# does not stop the ones after it; bench fails at the end.
.PHONY: bench bench-mobway bench-journal bench-webhook
bench:
	$(Q)rc=0; for t in $(BENCH_ONLY); do \
		$(MAKE) --no-print-directory bench-$$t || rc=1; done; exit $$rc

bench-mobway: $(BENCH_MODULE) $(BENCH_RAW) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim
	@BENCH_COMMANDS=$(BENCH_COMMANDS) sh $(BENCH_DIR)/run.sh $(BENCH_MODULE) \
		$(BENCH_RAW) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim

# The programs of other fragments, by path: tests/journal and tests/pg are
# included after this one, and a rule's prerequisites are expanded as it
# is read.
bench-journal: $(B)/check/jtool $(B)/check/bench_guard $(MOBWAY_SO) \
		$(BINDIR_B)/mobway-sim $(BINDIR_B)/fleetcmd $(JOURNAL_PG_SO)
	@BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_STATS_ROWS=$(BENCH_STATS_ROWS) \
		sh $(BENCH_DIR)/journal.sh $(B)/check/jtool $(B)/check/bench_guard \
		$(MOBWAY_SO) $(BINDIR_B)/mobway-sim $(BINDIR_B)/fleetcmd \
		$(JOURNAL_PG_SO)

bench-webhook: $(FLEETMODD) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim
	@$(PYTHON) $(BENCH_DIR)/webhook_outage.py --fleetmodd $(FLEETMODD) \
		--mobway $(MOBWAY_SO) --sim $(BINDIR_B)/mobway-sim \
		--outage $(if $(BENCH_SHORT),10,60)
