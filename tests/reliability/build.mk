# Reliability and security of mobway.so inside a host (SECURITY.md lists
# what each check backs):
#
#   make check-reliability   the short versions (part of make check)
#   make soak                10,000 commands against a faulty simulator
#
# tests/reliability/run.py drives C hosts (driver: one call per line, with
# its wall time; soak: many threads; lifecycle: dlopen cycles, libcurl and
# OpenSSL in the host, fork; poolwait: threads that all call at once)
# against mobway-sim and hostile python servers;
# wipecheck.so, preloaded, scans every freed heap block for secrets.

REL_DIR := tests/reliability
REL_OUT := $(B)/tests/reliability
REL_PKGS := libcurl jansson libcrypto $(MSGPACK_PC)
REL_CFLAGS := $(call pc_cflags,$(REL_PKGS))
REL_LIBS := $(call pc_libs,$(REL_PKGS)) -ldl -pthread
REL_PROGS := driver soak lifecycle poolwait
REL_BINS := $(REL_PROGS:%=$(REL_OUT)/%)
REL_WIPE := $(REL_OUT)/wipecheck.so
REL_COMMON := $(OBJDIR_B)/$(REL_DIR)/modcall.o

$(REL_COMMON) $(REL_PROGS:%=$(OBJDIR_B)/$(REL_DIR)/%.o) \
	$(OBJDIR_B)/$(REL_DIR)/wipecheck.o: EXTRA_CFLAGS := $(REL_CFLAGS)

$(REL_BINS): $(REL_OUT)/%: $(OBJDIR_B)/$(REL_DIR)/%.o $(REL_COMMON)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $^ $(REL_LIBS)

$(REL_WIPE): $(OBJDIR_B)/$(REL_DIR)/wipecheck.o
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) -shared $(LDFLAGS) -o $@ $^ -ldl

REL_DEPS := $(REL_BINS) $(REL_WIPE) $(MOBWAY_SO) $(SKELETON_SO) $(SIM_BIN) \
	$(MOBWAY_IT)
REL_ARGS := --build $(B) --sim $(SIM_BIN) --mobway $(MOBWAY_SO) \
	--skeleton $(SKELETON_SO) --skeleton-conf $(SKELETON_CONF) \
	--it-harness $(MOBWAY_IT)

.PHONY: check-reliability
check-reliability: $(REL_DEPS)
	$(Q)$(PYTHON) $(REL_DIR)/run.py $(REL_ARGS) --soak 1000

# The long soak: not part of check (it takes minutes).
soak: $(REL_DEPS)
	$(Q)$(PYTHON) $(REL_DIR)/run.py $(REL_ARGS) --soak 10000 --only soak

CHECK_TARGETS += check-reliability
