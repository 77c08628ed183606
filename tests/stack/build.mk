# Stacks end to end (fleetmod/host.h, fleetmod-stack(5)): `make check-stack` runs
# tests/stack/test_stack.py, which drives fleetcmd -s through stacks of
# mobway.so (against its own mobway-sim) and the skeleton provider, and
# stack-threads, a C host sending from many threads through one stack with
# libfleetmod's stack API.

# Directly under $(B), where $(LIBFLEETMOD_LINK)'s run path finds the library.
STACK_THREADS := $(B)/check/stack-threads
STACK_THREADS_OBJ := $(OBJDIR_B)/tests/stack/threads.o

$(STACK_THREADS): $(STACK_THREADS_OBJ) $(LIBFLEETMOD)
	$(call say,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(BASE_LDFLAGS) $(LDFLAGS) -o $@ $< $(LIBFLEETMOD_LINK) -pthread

.PHONY: check-stack
check-stack: $(FLEETCMD) $(MOBWAY_SO) $(SKELETON_SO) $(SIM_BIN) \
	$(STACK_THREADS)
	$(Q)$(PYTHON) tests/stack/test_stack.py --fleetcmd $(FLEETCMD) \
		--mobway $(MOBWAY_SO) --skeleton $(SKELETON_SO) \
		--skeleton-conf $(SKELETON_CONF) --sim $(SIM_BIN) \
		--threads-bin $(STACK_THREADS)

CHECK_TARGETS += check-stack
