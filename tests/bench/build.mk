# tests/bench: performance figures of mobway.so, each a ratio against a
# baseline measured in the same run (tests/bench/run.sh prints the table).
# Not part of `make check`: a benchmark is a program you run.
#
#   make bench                      everything, 1,000,000 commands for RSS
#   make bench BENCH_COMMANDS=50000 a shorter RSS run

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

bench: $(BENCH_MODULE) $(BENCH_RAW) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim
	@BENCH_COMMANDS=$(BENCH_COMMANDS) sh $(BENCH_DIR)/run.sh $(BENCH_MODULE) \
		$(BENCH_RAW) $(MOBWAY_SO) $(BINDIR_B)/mobway-sim
